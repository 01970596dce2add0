"""The early-write experiment (spec "experiment": "early-write"), run by follow.py's capture policy.

Question it answers: does the profile data crash the writer by itself, or only the exit-time write
(after other exit handlers, e.g. an allocator's teardown, have run)? At the first `exit` of a run
the process stops, and the writer is called from the debugger before any exit handler has run:

    EarlyWrite                   which stop is the experiment's (armed per launch)
    call_writer(thread, s)       __llvm_profile_write_file() on that thread -> Outcome
    restore(outcome)             put the thread back where it was if the call did not return
    call_signal_held_back(t)     the next resume does not deliver the signal the call left

What LLDB 19 does (seen live on the fixtures, not taken from its documentation):
- IgnoreBreakpoints(True) steps over our probes during the call without running their callbacks:
  no `hit` comes from inside the experiment, and the probe modes are left as they were.
- The call needs the JIT: the IR interpreter refuses calls ("Interpreter doesn't handle one of the
  expression's opcodes").
- A crash with UnwindOnError(False) leaves the thread at the crash, and LLDB re-broadcasts that
  stop to the process's listeners after the call: the caller must drop it.
- A timeout is reported like a crash (eExpressionInterrupted, not eExpressionTimedOut): the thread
  is stopped by the SIGSTOP LLDB halted it with.
- UnwindInnermostExpression restores the registers but not the stop reason: the thread still
  reads "stopped by SIGSEGV", and the next resume would deliver that signal at `exit` (killing the
  process before its exit-time write) unless it is suppressed for that resume.
"""

from __future__ import annotations

import contextlib
import time

try:
    import lldb
except ImportError:  # the unit tests (lldb-scripts/tests) check EarlyWrite's claims, with no LLDB
    lldb = None

NAME = "early-write"
AT_ROLE = "process-exit"
AT_SYMBOL = "exit"  # the program's own exit: before any exit handler (not _exit, which runs none)
# The runtime has no debug info: the cast declares the return type.
EXPRESSION = "(int)__llvm_profile_write_file()"
TIMEOUT_S = 20
# The writer runs on its thread alone first; if it waits for a lock another thread holds, the
# other threads run too after this long.
ONE_THREAD_TIMEOUT_S = 2
HALT_SIGNAL = "SIGSTOP"  # how LLDB interrupts a call that timed out
# Results that leave the thread inside the call (UnwindOnError(False)).
LEFT_IN_CALL = frozenset(
    ()
    if lldb is None
    else (
        lldb.eExpressionInterrupted,
        lldb.eExpressionHitBreakpoint,
        lldb.eExpressionStoppedForDebug,
        lldb.eExpressionTimedOut,
    )
)
STOPPED_BY = () if lldb is None else (lldb.eStopReasonSignal, lldb.eStopReasonException)


class EarlyWrite:
    """Which probe stop is the experiment's: the first `exit` hit of a run started by dx-run."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled  # the spec asks for it
        self.armed = False
        self.stopped_tid: int | None = (
            None  # the thread stopped for the experiment, until it is taken
        )

    def arm(self, capture: bool) -> None:
        """Armed only for a dx-run launch: a person's `run` or dx-watch never stops at exit."""
        self.armed = self.enabled and capture
        self.stopped_tid = None

    def claims(self, role: str, symbol: str, thread) -> bool:
        """From the probe callback, after the hit is reported: True keeps the process stopped."""
        if not self.armed or role != AT_ROLE or symbol != AT_SYMBOL:
            return False
        self.armed = False
        self.stopped_tid = thread.GetThreadID()
        return True

    def take(self) -> int | None:
        """The stopped thread's id once, or None when the stop is not the experiment's."""
        tid, self.stopped_tid = self.stopped_tid, None
        return tid


class Outcome:
    """What became of one call: status returned | crashed | timeout | failed, and the thread."""

    def __init__(self, thread, value, elapsed_s: float, timeout_s: float) -> None:
        error = value.GetError()
        self.thread = thread
        self.message = None if error.Success() else (error.GetCString() or "").strip() or None
        self.left_in_call = not error.Success() and error.GetError() in LEFT_IN_CALL
        self.return_value = value.GetValueAsSigned() if error.Success() else None
        self.status = self._status(error.Success(), elapsed_s >= timeout_s)

    def _status(self, returned: bool, timed_out: bool) -> str:
        if returned:
            return "returned"
        if not self.left_in_call or self.thread.GetStopReason() not in STOPPED_BY:
            return "failed"  # not evaluated (no writer: not instrumented), or stopped otherwise
        if timed_out and self._stop_signal_name() == HALT_SIGNAL:
            return "timeout"
        return "crashed"

    def _stop_signal_name(self) -> str | None:
        signo = stop_signal(self.thread)
        if signo is None:
            return None
        return self.thread.GetProcess().GetUnixSignals().GetSignalAsCString(signo)


def stop_signal(thread) -> int | None:
    """The signal `thread` is stopped by, else None (a Mach exception, or no signal)."""
    if thread.GetStopReason() != lldb.eStopReasonSignal:
        return None
    return thread.GetStopReasonDataAtIndex(0)


def expression_options(timeout_s: float):
    """C (the fixtures are C programs), our probes stepped over silently, the thread left at a
    crash so that its frames can be read, bounded in time."""
    options = lldb.SBExpressionOptions()
    options.SetLanguage(lldb.eLanguageTypeC)
    options.SetIgnoreBreakpoints(True)
    options.SetUnwindOnError(False)
    options.SetTryAllThreads(True)
    options.SetTimeoutInMicroSeconds(int(timeout_s * 1e6))
    options.SetOneThreadTimeoutInMicroSeconds(int(min(ONE_THREAD_TIMEOUT_S, timeout_s) * 1e6))
    options.SetAllowJIT(True)
    options.SetSuppressPersistentResult(True)  # no $0 left in the user's session
    return options


def call_writer(thread, timeout_s: float) -> Outcome:
    """Call the writer on `thread` (stopped at exit); on a crash or timeout the thread is left
    where it stopped until restore()."""
    started = time.monotonic()
    value = thread.GetFrameAtIndex(0).EvaluateExpression(EXPRESSION, expression_options(timeout_s))
    return Outcome(thread, value, time.monotonic() - started, timeout_s)


def restore(outcome: Outcome) -> None:
    """Unwind a call that did not return, so the thread is back at exit (its stop reason still
    reads as the call's signal: see call_signal_held_back)."""
    if not outcome.left_in_call:
        return
    error = outcome.thread.UnwindInnermostExpression()
    if error.Fail():
        raise RuntimeError("cannot unwind the early write: %s" % error.GetCString())


@contextlib.contextmanager
def call_signal_held_back(thread):
    """Resume without delivering the signal a call left as the stop reason of `thread`, which
    was stopped at a breakpoint before the call. LLDB decides what to deliver from the stop
    reason when the resume starts (inside Continue), so the setting is restored as soon as
    Continue returns and a later crash with the same signal is passed on as usual."""
    signo = stop_signal(thread) if thread.IsValid() else None
    if signo is None:
        yield
        return
    signals = thread.GetProcess().GetUnixSignals()
    suppressed = signals.GetShouldSuppress(signo)
    signals.SetShouldSuppress(signo, True)
    try:
        yield
    finally:
        signals.SetShouldSuppress(signo, suppressed)
