"""debug-exit, the LLDB side: probes as auto-continuing breakpoints, one framed event per hit.

Loaded with `command script import debug_exit.py`. Registers two commands:
  dx-setup SPEC_PATH   create the target, store args/env/stdio/ASLR in it, install the probes
  dx-run               launch; watch process events until the process is gone (capture mode)

Every event is one APC frame on fd 1, written with one write call: ESC _ dx;<nonce>;<json> ESC \\
(DESIGN.md section 3). Breakpoint callbacks emit their own events and return False, so a probe hit
costs one debugger stop and no round trip to the TypeScript side.
"""

import contextlib
import json
import math
import os
import re
import select
import shlex
import stat
import sys
import threading
import time
import traceback

import lldb

SPEC_SCHEMA = "debug-exit/spec@1"
EVENT_SCHEMA = "debug-exit/event@1"
MODES = ("every", "once", "once-per-write", "until-main")
MAIN_ROLE = "main"
WRITE_TRIGGER_SYMBOL = "__llvm_profile_write_file"  # re-arms the once-per-write probes
ATEXIT_SYMBOL = "atexit"
CXA_ATEXIT_SYMBOL = "__cxa_atexit"  # glibc's atexit tail-calls it: one registration, two hits
CALLBACK_NAME = __name__ + ".on_probe_hit"
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Signals whose default action dumps core: reported with frames, then delivered.
CRASH_SIGNALS = frozenset((
    "SIGSEGV", "SIGBUS", "SIGABRT", "SIGIOT", "SIGILL", "SIGFPE", "SIGSYS", "SIGTRAP",
    "SIGQUIT", "SIGXCPU", "SIGXFSZ", "SIGEMT",
))
FAULT_SIGNALS = frozenset(("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE"))
# "signal SIGSEGV: address not mapped to object (fault address: 0x1234)"
FAULT_ADDRESS_RE = re.compile(r"fault address:\s*(0x[0-9a-fA-F]+)")
# macOS: "Terminated due to signal 9"; also "signal SIGKILL"
EXIT_SIGNAL_NUMBER_RE = re.compile(r"\bsignal\s+(\d+)")
EXIT_SIGNAL_NAME_RE = re.compile(r"\b(SIG[A-Z0-9]+)\b")
IDLE_WAIT_S = 60  # WaitForEvent slice when there is no deadline
KILL_GRACE_S = 10  # how long to wait for the exit event after killing on timeout
MAX_BACKTRACE_DEPTH = 256


class DxError(Exception):
    """A failure reported to the user: `code` is one of the contract's error codes."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# ---------------------------------------------------------------------------------------------
# Event channel


def encode_frame(nonce, event):
    """One APC frame: ensure_ascii keeps ESC and newlines out of the JSON."""
    payload = json.dumps(event, ensure_ascii=True, separators=(",", ":"))
    return ("\x1b_dx;%s;%s\x1b\\" % (nonce, payload)).encode("ascii")


def write_all(fd, data):
    """Write `data` with one write call; loop only if the kernel took part of it."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:  # fd 1 shared with a non-blocking reader setup: wait, retry
            select.select([], [fd], [], 1.0)
            continue
        view = view[written:]


def atomic_write_limit(fd):
    """Bytes one write can carry without interleaving: a pipe guarantees PIPE_BUF; a tty
    write holds the tty's write lock for the whole call."""
    try:
        return select.PIPE_BUF if stat.S_ISFIFO(os.fstat(fd).st_mode) else None
    except OSError:
        return None


def fit_frame(nonce, event, limit):
    """Encode `event`, dropping its outermost frames until it fits in `limit` bytes."""
    data = encode_frame(nonce, event)
    frames = event.get("frames") or []
    while limit is not None and len(data) > limit and len(frames) > 1:
        frames = frames[:-1]
        event["frames"] = frames
        data = encode_frame(nonce, event)
    return data


def compact(fields):
    """Drop optional fields that have no value."""
    return {key: value for key, value in fields.items() if value is not None}


class EventChannel:
    """Numbers events (seq strictly increasing across kinds) and writes each as one frame."""

    def __init__(self):
        self.nonce = None
        self._seq = 0
        self._lock = threading.Lock()
        self._limit = atomic_write_limit(1)

    def emit(self, kind, **fields):
        if self.nonce is None:
            return  # no spec yet: nothing can be framed; callers also use result.SetError
        with self._lock:  # seq order is byte order
            self._seq += 1
            event = {"seq": self._seq, "t_ns": time.monotonic_ns(), "kind": kind}
            event.update(compact(fields))
            try:
                write_all(1, fit_frame(self.nonce, event, self._limit))
            except OSError:
                pass  # EIO/EPIPE: the reader of the pty or pipe is gone; nobody to tell

    def error(self, code, message):
        self.emit("error", code=code, message=message)


CHANNEL = EventChannel()


class SessionHolder:
    """The one capture session of this LLDB process (replaced by each dx-setup)."""

    session = None


def describe_exception(exc):
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    place = " (%s:%d)" % (os.path.basename(where[0].filename), where[0].lineno) if where else ""
    return "%s: %s%s" % (type(exc).__name__, exc, place)


# ---------------------------------------------------------------------------------------------
# Spec


def is_text(value):
    return isinstance(value, str) and "\0" not in value


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_probe_row(row):
    return (
        isinstance(row, dict)
        and is_text(row.get("role")) and row["role"] != ""
        and isinstance(row.get("symbols"), list)
        and all(is_text(symbol) and symbol != "" for symbol in row["symbols"])
        and row.get("mode") in MODES
        and isinstance(row.get("reads_registered_function", False), bool)
    )


# field -> (default, check); a field absent from the spec takes its default
SPEC_FIELDS = {
    "program": (None, lambda v: is_text(v) and v != ""),
    "args": ([], lambda v: isinstance(v, list) and all(is_text(a) for a in v)),
    "env": ({}, lambda v: isinstance(v, dict)
            and all(is_text(k) and k != "" and "=" not in k and is_text(x) for k, x in v.items())),
    "stdout_path": (None, lambda v: v is None or (is_text(v) and v != "")),
    "stderr_path": (None, lambda v: v is None or (is_text(v) and v != "")),
    "timeout_s": (None, lambda v: v is None or (is_number(v) and v > 0)),
    "disable_aslr": (True, lambda v: isinstance(v, bool)),
    "backtrace_depth": (16, lambda v: isinstance(v, int) and not isinstance(v, bool)
                        and 0 <= v <= MAX_BACKTRACE_DEPTH),
    "probes": ([], lambda v: isinstance(v, list) and all(is_probe_row(r) for r in v)),
}


def read_spec(path):
    """Load the spec and take its nonce (the rest is checked by checked_spec)."""
    if not path:
        raise DxError("script", "usage: dx-setup SPEC_PATH")
    try:
        with open(path, encoding="utf-8") as spec_file:
            spec = json.load(spec_file)
    except (OSError, ValueError) as exc:
        raise DxError("script", "cannot read spec %r: %s" % (path, exc)) from exc
    if not isinstance(spec, dict) or spec.get("schema") != SPEC_SCHEMA:
        raise DxError("script", "%r is not a %s file" % (path, SPEC_SCHEMA))
    if not isinstance(spec.get("nonce"), str) or not NONCE_RE.match(spec["nonce"]):
        raise DxError("script", "spec nonce must be 1-128 characters of [A-Za-z0-9_-]")
    CHANNEL.nonce = spec["nonce"]
    return spec


def checked_spec(spec):
    checked = dict(spec)
    for field, (default, check) in SPEC_FIELDS.items():
        value = spec.get(field, default)
        if not check(value):
            raise DxError("script", "spec field %s is invalid: %s" % (field, invalid_part(value)))
        checked[field] = value
    return checked


def invalid_part(value):
    """The first bad probe row rather than the whole list."""
    if isinstance(value, list):
        bad = [row for row in value if isinstance(row, dict) and not is_probe_row(row)]
        if bad:
            return "row %s (mode is one of %s)" % (json.dumps(bad[0])[:300], ", ".join(MODES))
    return json.dumps(value)[:300]


def spec_path_of(command):
    """SPEC_PATH as typed: verbatim when it names a file, else one shell-quoted word."""
    raw = command.strip()
    if os.path.exists(raw):
        return raw
    try:
        words = shlex.split(raw)
    except ValueError:
        return raw
    return words[0] if len(words) == 1 else raw


# ---------------------------------------------------------------------------------------------
# Describing program state


def hex_address(address):
    return "0x%x" % address


def module_name(module):
    if not module.IsValid():
        return None
    return module.GetFileSpec().GetFilename()


def describe_frame(frame):
    """{symbol, module, file?, line?, pc}; symbol is the function, else the symbol, else "?"."""
    entry = {
        "symbol": frame.GetFunctionName() or "?",
        "module": module_name(frame.GetModule()) or "?",
        "pc": hex_address(frame.GetPC()),
    }
    line_entry = frame.GetLineEntry()
    if line_entry.IsValid() and line_entry.GetLine() > 0:
        entry["file"] = line_entry.GetFileSpec().fullpath
        entry["line"] = line_entry.GetLine()
    return entry


def describe_frames(thread, depth):
    """Up to `depth` frames, walked one by one (GetNumFrames would unwind the whole stack)."""
    frames = []
    for index in range(depth):
        frame = thread.GetFrameAtIndex(index)
        if not frame.IsValid():
            break
        frames.append(describe_frame(frame))
    return frames


def describe_code_address(target, address):
    """{address, symbol, module} of a load address, e.g. a function being registered."""
    resolved = target.ResolveLoadAddress(address)
    name = resolved.GetFunction().GetName() or resolved.GetSymbol().GetName()
    return {
        "address": hex_address(address),
        "symbol": name or "?",
        "module": module_name(resolved.GetModule()) or "?",
    }


def thread_fields(thread, depth):
    frame = thread.GetFrameAtIndex(0)
    return {
        "tid": thread.GetThreadID(),
        "thread_name": thread.GetName() or None,
        "pc": hex_address(frame.GetPC()),
        "frames": describe_frames(thread, depth),
    }


def location_modules(breakpoint):
    names = []
    for location in breakpoint:
        name = module_name(location.GetAddress().GetModule())
        if name and name not in names:
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------------
# Target and probes


@contextlib.contextmanager
def entry_breakpoints(debugger):
    """Place name breakpoints on the first instruction: arg1 still holds the first argument.

    The resolver keeps the skip-prologue choice made at creation, also for libraries loaded
    later, so the user's setting is restored right after.
    """
    setting = "target.skip-prologue"
    instance = debugger.GetInstanceName()
    saved = debugger.GetInternalVariableValue(setting, instance).GetStringAtIndex(0) or "true"
    lldb.SBDebugger.SetInternalVariable(setting, "false", instance)
    try:
        yield
    finally:
        lldb.SBDebugger.SetInternalVariable(setting, saved, instance)


def name_type_of(symbol):
    """C names match exactly (no C++ method named `exit`); qualified names as LLDB would."""
    if "::" in symbol or "(" in symbol:
        return lldb.eFunctionNameTypeAuto
    return lldb.eFunctionNameTypeFull


def create_target(debugger, program):
    error = lldb.SBError()
    target = debugger.CreateTarget(program, None, None, True, error)
    if not target.IsValid():
        message = error.GetCString() or "cannot create a target"
        raise DxError("target-failed", "%s: %s" % (program, message))
    debugger.SetSelectedTarget(target)
    return target


def configure_launch(debugger, target, spec):
    """Store args/env/ASLR/stdio in the target (selected): `run` typed later gets them too.

    The launch info's environment holds only the spec's variables (target.env-vars); LLDB adds
    them to the inherited environment when it launches (target.inherit-env).
    """
    info = target.GetLaunchInfo()
    info.SetArguments(spec["args"], False)
    environment = lldb.SBEnvironment()
    for name, value in spec["env"].items():
        environment.Set(name, value, True)
    info.SetEnvironment(environment, False)
    flags = info.GetLaunchFlags() & ~lldb.eLaunchFlagDisableASLR
    info.SetLaunchFlags(flags | (lldb.eLaunchFlagDisableASLR if spec["disable_aslr"] else 0))
    target.SetLaunchInfo(info)
    # SetLaunchInfo drops open-file actions in LLDB 19; the settings reach `run` and Launch.
    for setting, field in (("target.output-path", "stdout_path"),
                           ("target.error-path", "stderr_path")):
        if spec[field] is not None:
            set_target_setting(debugger, setting, spec[field])


def set_target_setting(debugger, setting, value):
    """Set a setting of the selected target and check it reads back verbatim (LLDB trims
    quotes and blanks at the ends of a path and expands `~`)."""
    instance = debugger.GetInstanceName()
    error = lldb.SBDebugger.SetInternalVariable(setting, value, instance)
    stored = debugger.GetInternalVariableValue(setting, instance).GetStringAtIndex(0)
    if error.Fail() or stored not in (value, '"%s"' % value):
        raise DxError("target-failed", "cannot set %s to %r: %s"
                      % (setting, value, error.GetCString() or "stored as %r" % stored))


class Probe:
    """One breakpoint: a (probe row, symbol) pair of the spec."""

    def __init__(self, row, symbol, breakpoint):
        self.role = row["role"]
        self.symbol = symbol
        self.mode = row["mode"]
        self.reads_registered = row.get("reads_registered_function", False)
        self.breakpoint = breakpoint
        self.spent = False  # disabled by its mode until re-armed

    def disable(self):
        self.spent = True
        self.breakpoint.SetEnabled(False)

    def arm(self):
        self.spent = False
        self.breakpoint.SetEnabled(True)

    def resolved_fields(self):
        return {
            "role": self.role,
            "symbol": self.symbol,
            "locations": self.breakpoint.GetNumLocations(),
            "modules": location_modules(self.breakpoint),
        }


class CaptureSession:
    """The target of one spec, its probes, and what the probes have seen so far."""

    def __init__(self, debugger, target, spec):
        self.debugger = debugger
        self.target = target
        self.spec = spec
        self.probes = {}  # breakpoint id -> Probe, in spec order
        self.main_seen = False
        self.pending_echo = {}  # tid -> address an atexit hit registered: its __cxa_atexit echo
        self.holding = False  # the capture is being killed: probes stop the target, silently
        self.last_hit = None  # (stop id, tid, pc) of the last reported hit

    def install_probes(self):
        with entry_breakpoints(self.debugger):
            for row in self.spec["probes"]:
                for symbol in row["symbols"]:
                    self._install(row, symbol)

    def _install(self, row, symbol):
        breakpoint = self.target.BreakpointCreateByName(
            symbol, name_type_of(symbol), lldb.SBFileSpecList(), lldb.SBFileSpecList())
        error = breakpoint.SetScriptCallbackFunction(CALLBACK_NAME, lldb.SBStructuredData())
        if not error.Success():
            CHANNEL.error("script", "probe %s %s: %s" % (row["role"], symbol, error.GetCString()))
        self.probes[breakpoint.GetID()] = Probe(row, symbol, breakpoint)

    def remove_probes(self):
        for breakpoint_id in self.probes:
            self.target.BreakpointDelete(breakpoint_id)
        self.probes = {}

    def arm(self):
        """Before each launch: every probe enabled, nothing seen."""
        self.main_seen = False
        self.pending_echo = {}
        self.holding = False
        self.last_hit = None
        for probe in self.probes.values():
            probe.arm()

    def hold(self):
        """From now on a probe hit stops the target (for the kill), reporting nothing."""
        self.holding = True

    def report_resolved(self):
        for probe in self.probes.values():
            CHANNEL.emit("probe-resolved", **probe.resolved_fields())

    def on_hit(self, frame, bp_loc):
        probe = self.probes.get(bp_loc.GetBreakpoint().GetID())
        if probe is None or probe.spent:
            return  # another thread stopped at the same stop after the probe was spent
        try:
            self._report_hit(probe, frame, bp_loc)
        finally:
            self._after_hit(probe)  # modes keep working even if describing the hit failed

    def _report_hit(self, probe, frame, bp_loc):
        thread = frame.GetThread()
        if self._is_same_stop(thread, frame):
            return
        registered = self._registered(frame) if probe.reads_registered else None
        if self._is_atexit_echo(probe, thread.GetThreadID(), registered):
            return
        fields = thread_fields(thread, self.spec["backtrace_depth"])
        fields.update(role=probe.role, symbol=probe.symbol, registered=registered,
                      module=module_name(bp_loc.GetAddress().GetModule()) or "?")
        CHANNEL.emit("hit", **fields)

    def _is_same_stop(self, thread, frame):
        """Aliases (_exit/_Exit) and inlined names (mi_process_load in _mi_process_init) put two
        probes on one address: one stop, one report, under the first probe's name."""
        key = (thread.GetProcess().GetStopID(), thread.GetThreadID(), frame.GetPC())
        if key == self.last_hit:
            return True
        self.last_hit = key
        return False

    def _registered(self, frame):
        """The function being registered: first argument, via LLDB's generic `arg1`."""
        register = frame.FindRegister("arg1")
        if not register.IsValid():
            return None
        return describe_code_address(self.target, register.GetValueAsUnsigned())

    def _is_atexit_echo(self, probe, tid, registered):
        """True for the __cxa_atexit hit that directly follows an atexit hit of the same call."""
        expected = self.pending_echo.pop(tid, None)  # any hit on the thread ends "directly"
        if registered is None:
            return False
        if probe.symbol == ATEXIT_SYMBOL:
            self.pending_echo[tid] = registered["address"]
            return False
        return probe.symbol == CXA_ATEXIT_SYMBOL and expected == registered["address"]

    def _after_hit(self, probe):
        if probe.mode in ("once", "once-per-write"):
            probe.disable()
        if probe.symbol == WRITE_TRIGGER_SYMBOL:
            self._arm_mode("once-per-write")
        if probe.role == MAIN_ROLE and not self.main_seen:
            self._on_main()

    def _arm_mode(self, mode):
        for probe in self.probes.values():
            if probe.mode == mode and probe.spent:
                probe.arm()

    def _on_main(self):
        """Shared libraries are loaded by now: stop the until-main probes, report locations."""
        self.main_seen = True
        for probe in self.probes.values():
            if probe.mode == "until-main":
                probe.disable()
        self.report_resolved()


def on_probe_hit(frame, bp_loc, extra_args, internal_dict):
    """Callback of every probe breakpoint: emit the hit and return False (auto-continue)."""
    session = SessionHolder.session
    if session is None:
        return False
    if session.holding:
        return True  # a timed-out capture is being killed: hold still for the kill
    try:
        session.on_hit(frame, bp_loc)
    except Exception as exc:  # a probe must never stop the target: report and continue
        CHANNEL.error("script", describe_exception(exc))
    return False


# ---------------------------------------------------------------------------------------------
# Capture: launch and watch the process


def signal_name(process, signo):
    return process.GetUnixSignals().GetSignalAsCString(signo) or "SIG%d" % signo


def fault_address(thread, name):
    """si_addr for faults the kernel raised (si_code > 0), else the stop description's."""
    if name not in FAULT_SIGNALS:
        return None
    siginfo = thread.GetSiginfo()
    if siginfo.IsValid() and siginfo.GetChildMemberWithName("si_code").GetValueAsSigned() > 0:
        address = siginfo.GetValueForExpressionPath("._sifields._sigfault.si_addr")
        if address.IsValid():
            return hex_address(address.GetValueAsUnsigned())
    match = FAULT_ADDRESS_RE.search(thread.GetStopDescription(256) or "")
    return match.group(1) if match else None


def exit_signal_from_description(process, description):
    """The signal number in LLDB's exit description, when it names one."""
    number = EXIT_SIGNAL_NUMBER_RE.search(description or "")
    if number:
        return int(number.group(1))
    name = EXIT_SIGNAL_NAME_RE.search(description or "")
    if name:
        signo = process.GetUnixSignals().GetSignalNumberFromName(name.group(1))
        return signo if signo > 0 else None
    return None


@contextlib.contextmanager
def async_mode(debugger):
    saved = debugger.GetAsync()
    debugger.SetAsync(True)
    try:
        yield
    finally:
        debugger.SetAsync(saved)


@contextlib.contextmanager
def breakpoint_events_muted(debugger, target):
    """Keep LLDB from printing "1 location added to breakpoint N" for every probe while the
    libraries load; a person typing `run` later still sees it for their own breakpoints."""
    listener = debugger.GetListener()
    bits = lldb.SBTarget.eBroadcastBitBreakpointChanged
    muted = listener.StopListeningForEvents(target.GetBroadcaster(), bits)
    try:
        yield
    finally:
        if muted:
            listener.StartListeningForEvents(target.GetBroadcaster(), bits)


def seconds_left(deadline):
    """Whole seconds to wait for the next event (WaitForEvent takes seconds); 0 when past."""
    if deadline is None:
        return IDLE_WAIT_S
    remaining = deadline - time.monotonic()
    return max(1, math.ceil(remaining)) if remaining > 0 else 0


class Capture:
    """One dx-run: launch with our own listener, continue past stops, report signals and exit."""

    def __init__(self, session):
        self.session = session
        self.listener = lldb.SBListener("debug-exit.capture")
        self.process = None
        self.delivered_signal = None  # last signal a continue passed to the process
        self.killed_signal = None

    def run(self):
        if not self._launch():
            return
        timeout_s = self.session.spec["timeout_s"]
        deadline = time.monotonic() + timeout_s if timeout_s else None
        if self._watch(deadline):
            return
        CHANNEL.error("timeout", "process %d still running after %gs: killed"
                      % (self.process.GetProcessID(), timeout_s))
        self._kill()
        if not self._watch(time.monotonic() + KILL_GRACE_S):
            self._report_exit()  # no exit event came: report what LLDB knows

    def _kill(self):
        """Kill with no stop left in our queue: a probe stop is only resumed when its event is
        pulled, and killing with that event still queued crashes LLDB 19 now and then."""
        self.session.hold()
        event = lldb.SBEvent()
        while self.listener.GetNextEvent(event):
            pass  # a queued probe stop runs its callbacks here and stays stopped
        self.killed_signal = self.process.GetUnixSignals().GetSignalNumberFromName("SIGKILL")
        self.process.Kill()

    def _launch(self):
        target = self.session.target
        self.session.arm()
        info = target.GetLaunchInfo()
        info.SetEnvironment(target.GetEnvironment(), False)  # inherited + spec (see above)
        info.SetListener(self.listener)
        error = lldb.SBError()
        self.process = target.Launch(info, error)
        if error.Success() and self.process.IsValid():
            # The tool kills this pid if LLDB dies: a traced process outlives its tracer.
            CHANNEL.emit("launched", pid=self.process.GetProcessID())
            return True
        CHANNEL.error("launch-failed", error.GetCString() or "launch failed")
        return False

    def _watch(self, deadline):
        """Handle process events until the process is gone (True) or the deadline passes."""
        event = lldb.SBEvent()
        while True:
            wait_s = seconds_left(deadline)
            if wait_s == 0:
                return False
            if self.listener.WaitForEvent(wait_s, event) and self._handle(event):
                return True

    def _handle(self, event):
        """True when the process is gone."""
        if not lldb.SBProcess.EventIsProcessEvent(event):
            return False
        if not event.GetType() & lldb.SBProcess.eBroadcastBitStateChanged:
            return False  # stdout/stderr of the target: LLDB's own listener forwards it
        state = lldb.SBProcess.GetStateFromEvent(event)
        if state in (lldb.eStateExited, lldb.eStateDetached):
            self._report_exit()
            return True
        restarted = lldb.SBProcess.GetRestartedFromEvent(event)
        if state in (lldb.eStateStopped, lldb.eStateCrashed) and not restarted:
            self._on_stop()
        return False

    def _on_stop(self):
        """A real stop (not an auto-continued probe): report crash signals, then continue."""
        for thread in self.process:
            if thread.GetStopReason() == lldb.eStopReasonSignal:
                self._on_signal(thread)
        self.process.Continue()

    def _on_signal(self, thread):
        signo = thread.GetStopReasonDataAtIndex(0)
        name = signal_name(self.process, signo)
        if not self.process.GetUnixSignals().GetShouldSuppress(signo):
            self.delivered_signal = signo
        if name not in CRASH_SIGNALS:
            return  # SIGSTOP, SIGINT...: continue
        fields = thread_fields(thread, self.session.spec["backtrace_depth"])
        fields.update(signal=name, description=thread.GetStopDescription(256) or name,
                      fault_address=fault_address(thread, name))
        CHANNEL.emit("signal", **fields)

    def _report_exit(self):
        process = self.process
        status = process.GetExitStatus()
        description = process.GetExitDescription() or None
        CHANNEL.emit("exit", status=status, signal=self._exit_signal(status, description),
                     description=description)

    def _exit_signal(self, status, description):
        """LLDB on Linux reports death by signal N as status N with no description: infer it
        from the signal we delivered last (or killed with) when the status matches."""
        named = exit_signal_from_description(self.process, description)
        if named is not None:
            return named
        for signo in (self.killed_signal, self.delivered_signal):
            if signo is not None and signo == status:
                return signo
        return None


# ---------------------------------------------------------------------------------------------
# Commands


def fail(result, error):
    result.SetError(error.message)
    CHANNEL.error(error.code, error.message)


def say_hello(debugger):
    version = (debugger.GetVersionString() or "").splitlines()
    CHANNEL.emit("hello", schema=EVENT_SCHEMA, lldb_version=version[0] if version else "",
                 platform="darwin" if sys.platform == "darwin" else sys.platform)


def start_session(debugger, spec_path):
    raw_spec = read_spec(spec_path)
    say_hello(debugger)  # first event: the script is loaded and the nonce is known
    spec = checked_spec(raw_spec)
    if SessionHolder.session is not None:
        SessionHolder.session.remove_probes()  # stale callbacks must not report into this one
        SessionHolder.session = None
    target = create_target(debugger, spec["program"])
    configure_launch(debugger, target, spec)
    session = CaptureSession(debugger, target, spec)
    SessionHolder.session = session
    session.install_probes()
    session.report_resolved()


class SetupCommand:
    """dx-setup SPEC_PATH: target, launch info and probes from a debug-exit/spec@1 file."""

    name = "dx-setup"

    def __init__(self, debugger, internal_dict):
        pass

    def get_short_help(self):
        return "debug-exit: create the target and install the probes of a spec file."

    def get_long_help(self):
        return self.__doc__

    def __call__(self, debugger, command, exe_ctx, result):
        try:
            start_session(debugger, spec_path_of(command))
        except DxError as error:
            fail(result, error)
        except Exception as exc:  # never a bare stack trace at the prompt
            fail(result, DxError("script", describe_exception(exc)))


class RunCommand:
    """dx-run: launch the dx-setup target and return once the process is gone."""

    name = "dx-run"

    def __init__(self, debugger, internal_dict):
        pass

    def get_short_help(self):
        return "debug-exit: launch the target, report probes, signals and exit."

    def get_long_help(self):
        return self.__doc__

    def __call__(self, debugger, command, exe_ctx, result):
        if SessionHolder.session is None:
            fail(result, DxError("script", "dx-run: run dx-setup SPEC_PATH first"))
            return
        session = SessionHolder.session
        try:
            with async_mode(debugger), breakpoint_events_muted(debugger, session.target):
                Capture(session).run()
        except Exception as exc:  # never a bare stack trace at the prompt
            fail(result, DxError("script", describe_exception(exc)))
        finally:
            session.arm()  # a `run` typed next starts with every probe in place


def __lldb_init_module(debugger, internal_dict):
    for command in (SetupCommand, RunCommand):
        debugger.HandleCommand("command script add -o -c %s.%s %s"
                               % (__name__, command.__name__, command.name))
