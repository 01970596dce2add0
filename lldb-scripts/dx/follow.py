"""One process follower, two policies.

The Follower is what both modes share: what a state change of the followed process means (gone:
the `exit` event, once; a real stop: the `signal` event of each thread stopped by a crash signal,
and the signal LLDB will deliver remembered for the exit), then the policy's say on what happens
next. The policies are what differs:

    CapturePolicy (dx-run)    launches the program once, with its own listener, and follows it
                              synchronously until it is gone or the spec's deadline passes (then
                              kills it); continues every stop; runs the early-write experiment
                              at its stop; relays the program's output if asked to.
    WatchPolicy (dx-watch)    a daemon thread that follows every process a person launches at
                              the prompt; leaves stops to the person; reports a process that a
                              new run replaced before LLDB published its exit.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass

import lldb

from .channel import CHANNEL
from .describe import STOP_DESCRIPTION_MAX, fault_address, signal_name, thread_fields
from .errors import describe_exception
from .follow_rules import (
    call_timeout,
    capture_likely_signals,
    exit_fields,
    is_new_process,
    replaced_exit_fields,
    seconds_left,
    watch_likely_signals,
)
from .signals import CRASH_SIGNALS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .session import CaptureSession

KILL_GRACE_S = 10  # how long to wait for the exit event after killing on timeout
STOP_REPORT_WAIT_S = 2  # how long the experiment waits for LLDB to finish printing its stop
STOP_REPORT_POLL_S = 0.005
WATCH_WAIT_S = 1  # WaitForEvent slice of the dx-watch thread; also how often it polls the target
WATCH_FOLLOW_WAIT_S = 2  # how long a probe callback waits for its process's `launched`
WATCH_JOIN_S = 2  # how long LLDB's teardown waits for the watch thread to end
WATCH_EXIT_WAIT_S = 2  # how long a replaced process's exit is waited for
WATCH_EXIT_POLL_S = 0.01
WATCH_WAKEUP_BIT = 1


def is_gone(state: int) -> bool:
    return state in (lldb.eStateExited, lldb.eStateDetached)


def emit_signal(session: CaptureSession | None, thread, name: str, depth: int) -> None:
    """The `signal` event of a thread stopped by the crash signal `name`."""
    if session is not None and name in CRASH_SIGNALS:
        session.check_integrity_at_crash(thread)
    fields = thread_fields(thread, depth)
    fields.update(
        signal=name,
        description=thread.GetStopDescription(STOP_DESCRIPTION_MAX) or name,
        fault_address=fault_address(thread, name),
    )
    CHANNEL.emit("signal", **fields)


@dataclass(eq=False)
class FollowedProcess:
    """One process of the target, from the moment it was followed until its exit is reported.

    SBProcess holds the process weakly: once LLDB replaces it (`run` again) it may read as
    pid 0 / state invalid / status 0, so what identifies it is copied here.
    """

    process: object  # SBProcess
    uid: int  # pids can repeat; LLDB's unique id does not
    gone: bool = False  # its exit event was emitted (or it was dead before dx-watch)
    delivered_signal: int | None = None  # last signal it stopped with that LLDB passes on
    killed_signal: int | None = None  # the signal dx-run killed it with on timeout
    reported_stop: int | None = None  # stop id whose signals were reported

    @classmethod
    def of(cls, process, gone: bool = False) -> FollowedProcess:
        return cls(process=process, uid=process.GetUniqueID(), gone=gone)


class Follower:
    """The stop, signal and exit handling both policies share. The policy has `after_stop`
    (True when the process is gone), `likely_signals` (see signals.exit_signal) and
    `replaced_when_not_gone`."""

    def __init__(self, session: CaptureSession, policy) -> None:
        self.session = session
        self.policy = policy
        self.followed: FollowedProcess | None = None

    def on_state(self, followed: FollowedProcess, state: int, restarted: bool) -> bool:
        """A state change of `followed`; True when it is gone. A probe stop that auto-continued
        shows as `restarted` and is skipped."""
        if is_gone(state):
            self.report_exit(followed)
            return True
        if state in (lldb.eStateStopped, lldb.eStateCrashed) and not restarted:
            return self._on_stop(followed)
        return False

    def _on_stop(self, followed: FollowedProcess) -> bool:
        """A real stop: report crash signals (SIGSTOP, SIGINT...: nothing), then the policy."""
        process = followed.process
        stop_id = process.GetStopID()
        if followed.gone or stop_id == followed.reported_stop:
            return False  # dx-watch sees a stop both as the state at follow() and as its event
        followed.reported_stop = stop_id
        signals = process.GetUnixSignals()
        for thread in process:
            if thread.GetStopReason() != lldb.eStopReasonSignal:
                continue  # breakpoints, steps...: nothing to report
            signo = thread.GetStopReasonDataAtIndex(0)
            if not signals.GetShouldSuppress(signo):
                followed.delivered_signal = signo  # delivered when the process goes on
            name = signal_name(process, signo)
            if name in CRASH_SIGNALS:
                emit_signal(self.session, thread, name, self.session.spec.backtrace_depth)
        return self.policy.after_stop(followed)

    def report_exit(self, followed: FollowedProcess) -> None:
        """Emit `exit` once per process, from what LLDB says of it; the signal is inferred from
        the policy's likely signals when LLDB names none. A process that is not gone when its
        exit is due was replaced by a new run (watch policy: REPLACED_DESCRIPTION, status -1)
        or outlived its kill (capture policy: reported as LLDB knows it)."""
        if followed.gone:
            return
        followed.gone = True
        process = followed.process
        if self.policy.replaced_when_not_gone and not is_gone(process.GetState()):
            CHANNEL.emit("exit", **replaced_exit_fields())
            return
        signals = process.GetUnixSignals()
        CHANNEL.emit(
            "exit",
            **exit_fields(
                process.GetExitStatus(),
                process.GetExitDescription() or None,
                self.policy.likely_signals(followed),
                signals.GetSignalNumberFromName,
            ),
        )


# ---------------------------------------------------------------------------------------------
# LLDB's own listener, muted or waited for


@contextlib.contextmanager
def async_mode(debugger) -> Iterator[None]:
    saved = debugger.GetAsync()
    debugger.SetAsync(True)
    try:
        yield
    finally:
        debugger.SetAsync(saved)


@contextlib.contextmanager
def events_muted(debugger, broadcaster, bits: int) -> Iterator[None]:
    """Keep `bits` of `broadcaster` from LLDB's own listener (the one that prints). A listener
    taken off a broadcaster does not get the events sent after that, but still gets one already
    sent (the list of listeners is taken when it is sent)."""
    listener = debugger.GetListener()
    muted = listener.StopListeningForEvents(broadcaster, bits)
    try:
        yield
    finally:
        if muted:
            listener.StartListeningForEvents(broadcaster, bits)


def breakpoint_events_muted(debugger, target):
    """Keep LLDB from printing "1 location added to breakpoint N" for every probe while the
    libraries load; a person typing `run` later still sees it for their own breakpoints."""
    return events_muted(
        debugger, target.GetBroadcaster(), lldb.SBTarget.eBroadcastBitBreakpointChanged
    )


def state_events_muted(debugger, process):
    """Keep the state changes of `process` from LLDB's own listener, which prints each stop on
    LLDB's event thread."""
    return events_muted(
        debugger, process.GetBroadcaster(), lldb.SBProcess.eBroadcastBitStateChanged
    )


def wait_for_stop_report(debugger) -> None:
    """Until LLDB's event thread is done reporting the current stop (thread status, frames,
    disassembly): it gives the prompt back (pops the process's I/O handler) right after.
    Bounded: LLDB may have no process I/O handler to pop."""
    interpreter = debugger.GetCommandInterpreter()
    deadline = time.monotonic() + STOP_REPORT_WAIT_S
    while not interpreter.IsActive() and time.monotonic() < deadline:
        time.sleep(STOP_REPORT_POLL_S)


# ---------------------------------------------------------------------------------------------
# Capture policy: one dx-run


class CapturePolicy:
    """One dx-run: launch with our own listener, continue past stops, report signals and exit;
    kill on the spec's timeout."""

    replaced_when_not_gone = False  # no exit after the kill: report what LLDB knows

    def __init__(self, session: CaptureSession) -> None:
        self.session = session
        self.follower = Follower(session, self)
        self.listener = lldb.SBListener("debug-exit.capture")
        self.process = None
        self.deadline: float | None = (
            None  # of the current _watch: the experiment's call stays within it
        )
        self.relay = None  # --program-output terminal: the program's output relay

    def run(self) -> None:
        try:
            self._run()
        finally:
            if self.relay is not None:
                self.relay.drain()  # all the program wrote is on LLDB's terminal before `done`

    def _run(self) -> None:
        if not self._launch():
            return
        timeout_s = self.session.spec.timeout_s
        deadline = time.monotonic() + timeout_s if timeout_s else None
        if self._watch(deadline):
            return
        CHANNEL.error(
            "timeout",
            "process %d still running after %gs: killed" % (self.process.GetProcessID(), timeout_s),
        )
        self._kill()
        if not self._watch(time.monotonic() + KILL_GRACE_S):
            self.follower.report_exit(self.follower.followed)  # no exit event: what LLDB knows

    def _kill(self) -> None:
        """Kill with no stop left in our queue: a probe stop is only resumed when its event is
        pulled, and killing with that event still queued crashes LLDB 19 now and then."""
        self.session.hold()
        event = lldb.SBEvent()
        while self.listener.GetNextEvent(event):
            pass  # a queued probe stop runs its callbacks here and stays stopped
        signals = self.process.GetUnixSignals()
        self.follower.followed.killed_signal = signals.GetSignalNumberFromName("SIGKILL")
        self.process.Kill()

    def _launch(self) -> bool:
        from .session import add_output_files, add_output_relay

        target = self.session.target
        self.session.arm(capture=True)
        info = target.GetLaunchInfo()
        info.SetEnvironment(target.GetEnvironment(), False)  # inherited + spec (configure_launch)
        spec = self.session.spec
        add_output_files(info, spec)
        if spec.stdout_path is None and spec.stderr_path is None:
            self.relay = add_output_relay(info)
        info.SetListener(self.listener)
        error = lldb.SBError()
        self.process = target.Launch(info, error)
        if self.relay is not None:
            self.relay.launched()
        if error.Success() and self.process.IsValid():
            self.follower.followed = FollowedProcess.of(self.process)
            # The tool kills this pid if LLDB dies: a traced process outlives its tracer.
            CHANNEL.emit("launched", pid=self.process.GetProcessID())
            return True
        CHANNEL.error("launch-failed", error.GetCString() or "launch failed")
        return False

    def _watch(self, deadline: float | None) -> bool:
        """Handle process events until the process is gone (True) or the deadline passes."""
        self.deadline = deadline
        event = lldb.SBEvent()
        while True:
            wait_s = seconds_left(deadline, time.monotonic())
            if wait_s == 0:
                return False
            if self.listener.WaitForEvent(wait_s, event) and self._handle(event):
                return True

    def _handle(self, event) -> bool:
        """True when the process is gone."""
        if not lldb.SBProcess.EventIsProcessEvent(event):
            return False
        if not event.GetType() & lldb.SBProcess.eBroadcastBitStateChanged:
            return False  # stdout/stderr of the target: LLDB's own listener forwards it
        return self.follower.on_state(
            self.follower.followed,
            lldb.SBProcess.GetStateFromEvent(event),
            lldb.SBProcess.GetRestartedFromEvent(event),
        )

    def likely_signals(self, followed: FollowedProcess) -> tuple:
        return capture_likely_signals(followed.killed_signal, followed.delivered_signal)

    def after_stop(self, followed: FollowedProcess) -> bool:
        """Run the experiment if this is its stop, then continue. True when the process is gone."""
        tid = self.session.early_write.take()
        if tid is not None:
            return self._experiment_then_continue(tid)
        self.process.Continue()
        return False

    def _experiment_then_continue(self, tid: int) -> bool:
        """Whatever becomes of the experiment, the process goes on to its exit.

        LLDB's own listener must not read the thread while the call runs or is undone: LLDB's
        event thread printing the experiment's stop during the call, or the call's re-broadcast
        crash while the thread is unwound and resumed, made LLDB 19 hang, fail the call
        ("process is running"), or give later probe hits the frames of an earlier stop (6 bad
        runs in 96 of mixed-profile-versions, 12 at a time; none in 192 with both precautions).
        """
        from . import early_write

        debugger = self.session.debugger
        wait_for_stop_report(debugger)
        with state_events_muted(debugger, self.process):
            try:
                self._early_write(tid)
            except Exception as exc:  # the run must reach its exit all the same
                CHANNEL.error("script", describe_exception(exc))
            if self._drop_expression_stops():
                return True  # it ended during the call
        with early_write.call_signal_held_back(self.process.GetThreadByID(tid)):
            self.process.Continue()
        return False

    def _early_write(self, tid: int) -> None:
        """The integrity check first (the call is the run's first profile write), then the
        call, its event, and the thread put back at exit."""
        from . import early_write

        thread = self.process.GetThreadByID(tid)
        if not thread.IsValid():
            raise RuntimeError("thread %d, stopped at %s, is gone" % (tid, early_write.AT_SYMBOL))
        if not self.session.integrity_checked:
            self.session.check_integrity(self.process)
        timeout_s = call_timeout(self.deadline, time.monotonic(), early_write.TIMEOUT_S)
        outcome = early_write.call_writer(thread, timeout_s)
        try:
            fields = self._experiment_fields(outcome)  # the frames of a crash, before unwinding
        finally:
            early_write.restore(outcome)
        CHANNEL.emit("experiment", **fields)

    def _experiment_fields(self, outcome) -> dict:
        """name/at/status/message, the signal of a crash, and the call's thread: where it
        crashed or was interrupted, else where the call was made from (exit)."""
        from . import early_write

        fields = {
            "name": early_write.NAME,
            "at": early_write.AT_SYMBOL,
            "status": outcome.status,
            "return_value": outcome.return_value,
            "message": outcome.message,
        }
        if outcome.status == "crashed":
            fields.update(self._crash_fields(outcome.thread))
        fields.update(thread_fields(outcome.thread, self.session.spec.backtrace_depth))
        return fields

    def _crash_fields(self, thread) -> dict:
        """As in a `signal` event; no signal name for a Mach exception."""
        from . import early_write

        signo = early_write.stop_signal(thread)
        name = signal_name(self.process, signo) if signo is not None else None
        return {
            "signal": name,
            "fault_address": fault_address(thread, name),
            "description": thread.GetStopDescription(STOP_DESCRIPTION_MAX) or name,
        }

    def _drop_expression_stops(self) -> bool:
        """LLDB re-broadcasts the stop of a call that crashed: not a stop of the program's. The
        process was stopped before the call, so every queued stop is the call's. True when
        the process is gone (its exit is reported)."""
        event = lldb.SBEvent()
        gone = False
        while self.listener.GetNextEvent(event):
            if lldb.SBProcess.EventIsProcessEvent(event) and lldb.SBProcess.GetStateFromEvent(
                event
            ) in (lldb.eStateStopped, lldb.eStateCrashed):
                continue
            gone = self._handle(event) or gone
        return gone


# ---------------------------------------------------------------------------------------------
# Watch policy: follow the processes a person launches at the prompt (interactive mode)


class WatchPolicy:
    """dx-watch: a daemon thread that reports `launched`, crash `signal`s and `exit` for every
    process of the session's target while a person drives LLDB.

    LLDB keeps all its own behaviour: the debugger's listener stays the primary listener of each
    process, so it still prints stops and exits and gives the prompt back, and breakpoint
    callbacks still run on its event thread. Our listener, added to the process's broadcaster,
    gets each state change only after LLDB has handled it (restarted flag already set), so a
    probe stop that auto-continued shows as `restarted` and is skipped. Nothing is continued:
    a crashed process stays stopped at the prompt with the crashed thread selected.

    The process class cannot be listened to through the debugger (StartListeningForEventClass
    grants no bits in LLDB 19: its own listener holds eBroadcastBitStateChanged for the class),
    so a new process is found through the target's modules-loaded event, which LLDB sends while
    the process launches, before it runs (and by polling, every WATCH_WAIT_S).

    Only the watch thread follows processes and emits `launched`/`signal`/`exit`; a probe
    callback of a process not announced yet waits (bounded) until it is, so `launched` comes
    before the process's hits.

    Probe modes: the breakpoints stay enabled (spent probes are ignored, not disabled) and the
    first probe stop of each process re-arms them (CaptureSession.arm_for), so no re-arm can
    come too late for a run, and a person's own `breakpoint disable` is left alone.
    """

    replaced_when_not_gone = True  # `run` again before LLDB published the old process's exit

    def __init__(self, session: CaptureSession) -> None:
        self.session = session
        self.follower = Follower(session, self)
        self.listener = lldb.SBListener("debug-exit.watch")
        self.wakeup = lldb.SBBroadcaster("debug-exit.watch.wakeup")
        self.announced = threading.Condition()  # follower.followed changed
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name="debug-exit.watch", daemon=True)

    def start(self) -> None:
        self.listener.StartListeningForEvents(self.wakeup, WATCH_WAKEUP_BIT)
        self.listener.StartListeningForEvents(
            self.session.target.GetBroadcaster(), lldb.SBTarget.eBroadcastBitModulesLoaded
        )
        self.session.arm()  # every probe enabled, as dx-setup installed them
        self.session.keep_enabled = True
        self.session.armed_for = None
        process = self.session.target.GetProcess()
        if process.IsValid() and is_gone(process.GetState()):
            # a run before dx-watch: not ours
            self.follower.followed = FollowedProcess.of(process, gone=True)
        self.thread.start()  # follows a process started before dx-watch at once

    def stop(self) -> None:
        """End the thread (LLDB is being torn down or a new dx-setup/dx-watch replaces us)."""
        self.stopping = True
        self.session.keep_enabled = False
        self.wakeup.BroadcastEventByType(WATCH_WAKEUP_BIT)
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(WATCH_JOIN_S)

    def on_probe_stop(self, process) -> None:
        """From a probe callback (LLDB's event thread), before its hit is reported."""
        uid = process.GetUniqueID()
        if not self._is_followed(uid) and not self.stopping:
            self.wakeup.BroadcastEventByType(WATCH_WAKEUP_BIT)  # look now, not in a second
            with self.announced:
                self.announced.wait_for(
                    lambda: self._is_followed(uid) or self.stopping, WATCH_FOLLOW_WAIT_S
                )
        self.session.arm_for(process)

    def _is_followed(self, uid: int) -> bool:
        followed = self.follower.followed
        return followed is not None and followed.uid == uid

    def _loop(self) -> None:
        event = lldb.SBEvent()
        self._guarded(lambda: self.follow(self.session.target.GetProcess()))
        while not self.stopping:
            got = self.listener.WaitForEvent(WATCH_WAIT_S, event)  # releases the GIL
            if self.stopping:
                break
            if got and lldb.SBProcess.EventIsProcessEvent(event):
                self._guarded(lambda: self._on_process_event(event))
            else:  # modules loaded, a probe callback's nudge, or a quiet second: a new process?
                self._guarded(lambda: self.follow(self.session.target.GetProcess()))

    @staticmethod
    def _guarded(action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:  # the thread must outlive any one bad event
            CHANNEL.error("script", describe_exception(exc))

    def follow(self, process) -> None:
        """Take `process` if it is new: report the exit of the previous one if that is still
        due, listen to its state changes and emit `launched`."""
        if not process.IsValid():
            return
        previous = self.follower.followed
        uid = process.GetUniqueID()
        pid_valid = process.GetProcessID() != lldb.LLDB_INVALID_PROCESS_ID
        if not is_new_process(previous.uid if previous else None, uid, pid_valid):
            return
        if previous is not None and not previous.gone:
            self._settle(previous)
        self.listener.StartListeningForEvents(
            process.GetBroadcaster(), lldb.SBProcess.eBroadcastBitStateChanged
        )
        followed = FollowedProcess.of(process)
        CHANNEL.emit("launched", pid=process.GetProcessID())
        with self.announced:
            self.follower.followed = followed
            self.announced.notify_all()
        # A state it reached before we listened (a very short run) is not sent to us again.
        self.follower.on_state(followed, process.GetState(), False)

    def _settle(self, previous: FollowedProcess) -> None:
        """`run` while a process lives: LLDB kills it, then launches the next one. Its exit is
        public once LLDB's own listener has handled the exit event, which can be after the new
        process's modules-loaded event; sometimes LLDB publishes no exit at all (and then
        prints none either). Wait for the state without taking events from our queue."""
        process = previous.process
        deadline = time.monotonic() + WATCH_EXIT_WAIT_S
        while process.IsValid() and not is_gone(process.GetState()) and time.monotonic() < deadline:
            time.sleep(WATCH_EXIT_POLL_S)
        self.follower.report_exit(previous)

    def _on_process_event(self, event) -> None:
        if not event.GetType() & lldb.SBProcess.eBroadcastBitStateChanged:
            return
        followed = self.follower.followed
        process = lldb.SBProcess.GetProcessFromEvent(event)
        if followed is None or followed.gone or process.GetUniqueID() != followed.uid:
            return  # a late event of a replaced process: its exit was reported when it went
        self.follower.on_state(
            followed,
            lldb.SBProcess.GetStateFromEvent(event),
            lldb.SBProcess.GetRestartedFromEvent(event),
        )

    def likely_signals(self, followed: FollowedProcess) -> tuple:
        process = followed.process
        sigkill = process.GetUnixSignals().GetSignalNumberFromName("SIGKILL")
        return watch_likely_signals(
            process.GetExitDescription(), sigkill, followed.delivered_signal
        )

    def after_stop(self, followed: FollowedProcess) -> bool:
        """The process stays stopped at the prompt, for `bt` and `frame variable`."""
        return False
