"""debug-exit, the LLDB side: probes as auto-continuing breakpoints, one framed event per hit.

Loaded with `command script import debug_exit.py`. Registers three commands:
  dx-setup SPEC_PATH   create the target, store args/env/stdio/ASLR in it, install the probes
  dx-run               launch; watch process events until the process is gone (capture mode)
  dx-watch             follow every process a person launches at the prompt (interactive mode)

Every event is one APC frame on fd 1, written with one write call: ESC _ dx;<nonce>;<json> ESC \\
(docs/ARCHITECTURE.md, "The event channel"). Breakpoint callbacks emit their own events and return
False, so a probe hit costs one debugger stop and no round trip to the TypeScript side.
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

# The modules beside this script: `command script import` does not put them on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import channel  # noqa: E402
import early_write  # noqa: E402
import exit_handlers  # noqa: E402
import output_relay  # noqa: E402
import profile_integrity  # noqa: E402

SPEC_SCHEMA = "debug-exit/spec@1"
EVENT_SCHEMA = "debug-exit/event@1"
MODES = ("every", "once", "once-per-write", "until-main")
EXPERIMENTS = (early_write.NAME,)
MAIN_ROLE = "main"
PROFILE_WRITE_ROLE = "profile-write"
WRITE_TRIGGER_SYMBOL = "__llvm_profile_write_file"  # re-arms the once-per-write probes
# compiler-rt's profile runtime, where a crash gets the profile-data check before its signal event
PROFILE_RUNTIME_PREFIXES = ("__llvm_profile", "lprof")
PROFILE_RUNTIME_FUNCTIONS = frozenset(
    (
        "instrumentTargetValueImpl",
        "allocateValueProfileCounters",
        "allocateOneNode",
        "writeFileWithoutReturn",
        "writeValueProfData",
        "writeOneValueProfData",
        "initializeValueProfRuntimeRecord",
        "getValueProfDataSize",
        "serializeValueProfDataFrom",
    )
)
ATEXIT_SYMBOL = "atexit"
EXIT_SYMBOL = "exit"  # --census (list) reads the exit handler list at its first hit
CXA_ATEXIT_SYMBOL = "__cxa_atexit"  # glibc's atexit tail-calls it: one registration, two hits
CALLBACK_NAME = __name__ + ".on_probe_hit"
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Signals whose default action dumps core: reported with frames, then delivered.
CRASH_SIGNALS = frozenset(
    (
        "SIGSEGV",
        "SIGBUS",
        "SIGABRT",
        "SIGIOT",
        "SIGILL",
        "SIGFPE",
        "SIGSYS",
        "SIGTRAP",
        "SIGQUIT",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGEMT",
    )
)
FAULT_SIGNALS = frozenset(("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE"))
# "signal SIGSEGV: address not mapped to object (fault address: 0x1234)"
FAULT_ADDRESS_RE = re.compile(r"fault address:\s*(0x[0-9a-fA-F]+)")
# macOS: "Terminated due to signal 9"; also "signal SIGKILL"
EXIT_SIGNAL_NUMBER_RE = re.compile(r"\bsignal\s+(\d+)")
EXIT_SIGNAL_NAME_RE = re.compile(r"\b(SIG[A-Z0-9]+)\b")
EMIT_MANY_CHUNK = 64 << 10  # bytes a write of emit_many carries on a tty
IDLE_WAIT_S = 60  # WaitForEvent slice when there is no deadline
KILL_GRACE_S = 10  # how long to wait for the exit event after killing on timeout
STOP_REPORT_WAIT_S = 2  # how long the experiment waits for LLDB to finish printing its stop
STOP_REPORT_POLL_S = 0.005
MAX_BACKTRACE_DEPTH = 256
WATCH_WAIT_S = 1  # WaitForEvent slice of the dx-watch thread; also how often it polls the target
WATCH_FOLLOW_WAIT_S = 2  # how long a probe callback waits for its process's `launched`
WATCH_JOIN_S = 2  # how long LLDB's teardown waits for the watch thread to end
WATCH_EXIT_WAIT_S = 2  # how long a replaced process's exit is waited for
WATCH_EXIT_POLL_S = 0.01
REPLACED_DESCRIPTION = "replaced by a new run before LLDB reported its exit"
WATCH_WAKEUP_BIT = 1


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
    """Numbers events (seq strictly increasing across kinds) and writes each as one frame: on
    debug-exit's socket when LLDB was started with one (channel.py), else on fd 1."""

    def __init__(self):
        self.nonce = None
        self.fd = 1
        self.greeting = None  # what debug-exit sent over the socket: nonce, spec, cleanup
        self._seq = 0
        self._lock = threading.Lock()
        self._limit = atomic_write_limit(1)

    def use_socket(self, sock, greeting):
        self.fd = sock.fileno()
        self._limit = None  # only this script writes to the socket, under the lock
        self.greeting = greeting
        self.nonce = greeting.get("nonce") if NONCE_RE.match(str(greeting.get("nonce"))) else None

    def emit(self, kind, **fields):
        self._write(kind, fields, numbered=True)

    def control(self, kind, **fields):
        """A session-control event (`done`): seq 0, not part of the timeline."""
        self._write(kind, fields, numbered=False)

    def _write(self, kind, fields, numbered):
        if self.nonce is None:
            return  # no spec yet: nothing can be framed; callers also use result.SetError
        with self._lock:  # seq order is byte order
            if numbered:
                self._seq += 1
            event = {"seq": self._seq if numbered else 0, "t_ns": time.monotonic_ns(), "kind": kind}
            event.update(compact(fields))
            try:
                write_all(self.fd, fit_frame(self.nonce, event, self._limit))
            except OSError:
                pass  # EIO/EPIPE: the reader of the pty or pipe is gone; nobody to tell

    def emit_many(self, kind, rows):
        """One event per row, written together (a census of 10,000 handlers: a few large writes
        instead of 10,000 small ones through the pty). Each frame stays whole: a tty write holds
        the tty's lock for the whole call; a pipe gets writes of at most PIPE_BUF."""
        if self.nonce is None:
            return
        with self._lock:
            chunk, chunks = [], []
            size = 0
            for fields in rows:
                self._seq += 1
                event = {"seq": self._seq, "t_ns": time.monotonic_ns(), "kind": kind}
                event.update(compact(fields))
                frame = fit_frame(self.nonce, event, self._limit)
                if chunk and size + len(frame) > (self._limit or EMIT_MANY_CHUNK):
                    chunks.append(b"".join(chunk))
                    chunk, size = [], 0
                chunk.append(frame)
                size += len(frame)
            if chunk:
                chunks.append(b"".join(chunk))
            try:
                for data in chunks:
                    write_all(self.fd, data)
            except OSError:
                pass

    def error(self, code, message):
        self.emit("error", code=code, message=message)


CHANNEL = EventChannel()


class SessionHolder:
    """The one capture session of this LLDB process (replaced by each dx-setup), and the
    dx-watch thread following its processes, if any."""

    session = None
    watcher = None


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
        and is_text(row.get("role"))
        and row["role"] != ""
        and isinstance(row.get("symbols"), list)
        and all(is_text(symbol) and symbol != "" for symbol in row["symbols"])
        and row.get("mode") in MODES
        and isinstance(row.get("reads_registered_function", False), bool)
    )


# field -> (default, check); a field absent from the spec takes its default
SPEC_FIELDS = {
    "program": (None, lambda v: is_text(v) and v != ""),
    "args": ([], lambda v: isinstance(v, list) and all(is_text(a) for a in v)),
    "env": (
        {},
        lambda v: (
            isinstance(v, dict)
            and all(is_text(k) and k != "" and "=" not in k and is_text(x) for k, x in v.items())
        ),
    ),
    "stdout_path": (None, lambda v: v is None or (is_text(v) and v != "")),
    "stderr_path": (None, lambda v: v is None or (is_text(v) and v != "")),
    "timeout_s": (None, lambda v: v is None or (is_number(v) and v > 0)),
    "disable_aslr": (True, lambda v: isinstance(v, bool)),
    "backtrace_depth": (
        16,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_BACKTRACE_DEPTH,
    ),
    "probes": ([], lambda v: isinstance(v, list) and all(is_probe_row(r) for r in v)),
    "experiment": (None, lambda v: v is None or v in EXPERIMENTS),
    # --census: "list" reads the C library's exit handler list at exit(); "stops" probes every call
    "census": (None, lambda v: v in (None, "list", "stops")),
}


def read_spec(path):
    """Load the spec and take its nonce (the rest is checked by checked_spec). With no path,
    the spec debug-exit sent over the channel."""
    if not path and CHANNEL.greeting is not None:
        spec = CHANNEL.greeting.get("spec")
        path = "(channel)"
    elif not path:
        raise DxError("script", "usage: dx-setup SPEC_PATH")
    else:
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
    # Its own process group: what it leaves running is killed with it (channel.kill_group).
    flags |= lldb.eLaunchFlagLaunchInSeparateProcessGroup
    info.SetLaunchFlags(flags | (lldb.eLaunchFlagDisableASLR if spec["disable_aslr"] else 0))
    target.SetLaunchInfo(info)


def add_output_files(info, spec):
    """The program's stdout/stderr to the spec's files, stdin from /dev/null, as open-file actions
    of the launch info dx-run launches with: a path never goes through LLDB's settings parser
    (SetLaunchInfo drops these actions in LLDB 19, so they are added to the info launched)."""
    if spec["stdout_path"] is None and spec["stderr_path"] is None:
        return
    info.AddOpenFileAction(0, os.devnull, True, False)
    for fd, field in ((1, "stdout_path"), (2, "stderr_path")):
        if spec[field] is not None:
            info.AddOpenFileAction(fd, spec[field], False, True)


def add_output_relay(info):
    """--program-output terminal in capture: stdout and stderr to a FIFO this script relays to
    LLDB's terminal and drains before dx-run is done (output_relay.py); stdin from /dev/null."""
    relay = output_relay.OutputRelay(write_all)
    info.AddOpenFileAction(0, os.devnull, True, False)
    info.AddOpenFileAction(1, relay.path, False, True)
    info.AddDuplicateFileAction(1, 2)
    return relay


class Probe:
    """One breakpoint: a (probe row, symbol) pair of the spec."""

    def __init__(self, row, symbol, breakpoint):
        self.role = row["role"]
        self.symbol = symbol
        self.mode = row["mode"]
        self.reads_registered = row.get("reads_registered_function", False)
        self.breakpoint = breakpoint
        self.spent = False  # disabled by its mode until re-armed

    def disable(self, keep_enabled=False):
        """keep_enabled (dx-watch): the breakpoint stays in place and its hits are ignored, so
        that re-arming needs no breakpoint change before the next process runs."""
        self.spent = True
        if not keep_enabled:
            self.breakpoint.SetEnabled(False)

    def arm(self, keep_enabled=False):
        self.spent = False
        if not keep_enabled:
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
        self.integrity_checked = False  # the profile data is checked once per run
        self.keep_enabled = False  # dx-watch: modes never change the breakpoints (Probe.disable)
        self.armed_for = None  # dx-watch: unique id of the process the modes are armed for
        self.early_write = early_write.EarlyWrite(spec["experiment"] == early_write.NAME)
        self.census_list = spec["census"] == "list"
        self.census_done = False  # the list is read once per run, at the first exit()
        self.census_stops = False  # the list cannot be read: registrations are probed after main

    def install_probes(self):
        with entry_breakpoints(self.debugger):
            for row in self.spec["probes"]:
                for symbol in row["symbols"]:
                    self._install(row, symbol)

    def _install(self, row, symbol):
        breakpoint = self.target.BreakpointCreateByName(
            symbol, name_type_of(symbol), lldb.SBFileSpecList(), lldb.SBFileSpecList()
        )
        error = breakpoint.SetScriptCallbackFunction(CALLBACK_NAME, lldb.SBStructuredData())
        if not error.Success():
            CHANNEL.error("script", "probe %s %s: %s" % (row["role"], symbol, error.GetCString()))
        self.probes[breakpoint.GetID()] = Probe(row, symbol, breakpoint)

    def remove_probes(self):
        for breakpoint_id in self.probes:
            self.target.BreakpointDelete(breakpoint_id)
        self.probes = {}

    def arm(self, capture=False):
        """Before each launch: every probe enabled, nothing seen. The experiment only for a
        dx-run launch (`capture`): nobody would resume a process it stopped otherwise."""
        self.main_seen = False
        self.pending_echo = {}
        self.holding = False
        self.last_hit = None
        self.integrity_checked = False
        self.census_done = False
        self.census_stops = False
        self.early_write.arm(capture)
        for probe in self.probes.values():
            probe.arm(self.keep_enabled)

    def arm_for(self, process):
        """dx-watch: the first probe stop of each process re-arms the modes, on LLDB's event
        thread before that hit is handled, so every run starts fresh whatever the timing."""
        uid = process.GetUniqueID()
        if uid != self.armed_for:
            self.arm()
            self.armed_for = uid

    def hold(self):
        """From now on a probe hit stops the target (for the kill), reporting nothing."""
        self.holding = True

    def report_resolved(self):
        for probe in self.probes.values():
            CHANNEL.emit("probe-resolved", **probe.resolved_fields())

    def on_hit(self, frame, bp_loc):
        """Report the hit; True when the process must stay stopped (the experiment's stop)."""
        probe = self.probes.get(bp_loc.GetBreakpoint().GetID())
        if probe is None or probe.spent:
            return False  # another thread stopped at the same stop after the probe was spent
        try:
            reported = self._report_hit(probe, frame, bp_loc)
        finally:
            self._after_hit(probe)  # modes keep working even if describing the hit failed
        return reported and self.early_write.claims(probe.role, probe.symbol, frame.GetThread())

    def _report_hit(self, probe, frame, bp_loc):
        """True when the hit was reported (not a second name of the same stop, not an echo)."""
        thread = frame.GetThread()
        if self._is_same_stop(thread, frame):
            return False
        registered = self._registered(frame) if probe.reads_registered else None
        if self._is_atexit_echo(probe, thread.GetThreadID(), registered):
            return False
        fields = thread_fields(thread, self.spec["backtrace_depth"])
        fields.update(
            role=probe.role,
            symbol=probe.symbol,
            registered=registered,
            module=module_name(bp_loc.GetAddress().GetModule()) or "?",
        )
        CHANNEL.emit("hit", **fields)
        if probe.role == PROFILE_WRITE_ROLE and not self.integrity_checked:
            self.check_integrity(thread.GetProcess())
        elif probe.role == MAIN_ROLE and not self.main_seen and not self.integrity_checked:
            self.check_integrity_at_main(thread.GetProcess())
        if probe.symbol == EXIT_SYMBOL and self.census_list and not self.census_done:
            self.read_exit_handlers(thread)
        return True

    def read_exit_handlers(self, thread):
        """--census (list): every registered handler from the C library's own list, at the first
        exit() call (before any handler ran): one stop, whatever the number of registrations."""
        self.census_done = True
        if self.census_stops:
            return  # fell back at main: the registrations are the atexit hits
        try:
            library, entries = exit_handlers.read_exit_handlers(
                self.target, thread.GetProcess(), thread
            )
        except exit_handlers.Unreadable as exc:
            CHANNEL.emit("census", mode="list", status="unreadable", reason=str(exc))
            return
        described, modules = {}, {}  # 10,000 handlers are a few functions in a few modules
        rows = []
        for index, entry in enumerate(entries):
            function = entry["function"]
            # A function or module is described at its first entry only; later ones name its address.
            registered = None
            if function not in described:
                registered = described[function] = describe_code_address(self.target, function)
            dso = entry.get("dso_handle")
            dso_module = None
            if dso and dso not in modules:
                dso_module = modules[dso] = (
                    module_name(self.target.ResolveLoadAddress(dso).GetModule()) or "?"
                )
            rows.append(
                dict(
                    index=index,
                    via=entry["via"],
                    flavor=entry["flavor"],
                    function=hex_address(function),
                    registered=registered,
                    arg=hex_address(entry["arg"]) if "arg" in entry else None,
                    dso_handle=hex_address(dso) if dso is not None else None,
                    dso_module=dso_module,
                )
            )
        CHANNEL.emit_many("exit-handler", rows)
        CHANNEL.emit("census", mode="list", status="read", library=library, count=len(entries))

    def check_integrity(self, process):
        """At the first profile write, before the writer reads any record: does the data fit
        the record layout of the runtime that is about to read it?"""
        self.integrity_checked = True
        result = profile_integrity.check_profile_integrity(self.target, process)
        CHANNEL.emit("integrity", **result)

    def check_integrity_at_main(self, process):
        """At main, before any instrumented call can read a foreign record at run time (the
        value profiler reads Data->Values at the first indirect call it counts): corrupt data is
        reported now; consistent data is checked again, and reported, at the first write."""
        result = profile_integrity.check_profile_integrity(self.target, process)
        if result.get("status") == "corrupt":
            self.integrity_checked = True
            CHANNEL.emit("integrity", **result)

    def check_integrity_at_crash(self, thread):
        """A crash inside the profile runtime before any check was reported (a consistent check
        at main stays silent): the data check goes before the signal event, so that the crash
        is attributed with it in hand."""
        if self.integrity_checked or not in_profile_runtime(thread):
            return
        self.check_integrity(thread.GetProcess())

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
            probe.disable(self.keep_enabled)
        if probe.symbol == WRITE_TRIGGER_SYMBOL:
            self._arm_mode("once-per-write")
        if probe.role == MAIN_ROLE and not self.main_seen:
            self._on_main()

    def _arm_mode(self, mode):
        for probe in self.probes.values():
            if probe.mode == mode and probe.spent:
                probe.arm(self.keep_enabled)

    def _on_main(self):
        """Shared libraries are loaded by now: stop the until-main probes, report locations."""
        self.main_seen = True
        if self.census_list:
            why = exit_handlers.list_readable(self.target)
            if why is not None:  # fall back: keep probing every registration from here on
                self.census_stops = True
                CHANNEL.emit("census", mode="stops", status="fallback", reason=why)
        for probe in self.probes.values():
            if probe.mode == "until-main" and not self.census_stops:
                probe.disable(self.keep_enabled)
        self.report_resolved()


def on_probe_hit(frame, bp_loc, extra_args, internal_dict):
    """Callback of every probe breakpoint: emit the hit and return False (auto-continue), except
    at the experiment's stop, which Capture handles once the process is stopped."""
    session = SessionHolder.session
    if session is None:
        return False
    if session.holding:
        return True  # a timed-out capture is being killed: hold still for the kill
    try:
        watcher = SessionHolder.watcher
        if watcher is not None:
            watcher.on_probe_stop(frame.GetThread().GetProcess())
        return session.on_hit(frame, bp_loc)
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


def exit_signal(process, status, description, likely_signals):
    """The signal that ended the process: named in LLDB's exit description, else one of
    `likely_signals` (sent or passed to it) equal to the status. LLDB on Linux reports death by
    signal N as status N with no description."""
    named = exit_signal_from_description(process, description)
    if named is not None:
        return named
    for signo in likely_signals:
        if signo is not None and signo == status:
            return signo
    return None


def emit_exit(process, likely_signals):
    status = process.GetExitStatus()
    description = process.GetExitDescription() or None
    CHANNEL.emit(
        "exit",
        status=status,
        signal=exit_signal(process, status, description, likely_signals),
        description=description,
    )


def in_profile_runtime(thread, depth=8):
    """The innermost frames are compiler-rt's profile runtime (its writer, the value profiler)."""
    for index in range(min(depth, thread.GetNumFrames())):
        name = thread.GetFrameAtIndex(index).GetFunctionName() or ""
        if name.startswith(PROFILE_RUNTIME_PREFIXES) or name in PROFILE_RUNTIME_FUNCTIONS:
            return True
    return False


def emit_signal(thread, name, depth):
    """The `signal` event of a thread stopped by the crash signal `name`."""
    session = SessionHolder.session
    if session is not None and name in CRASH_SIGNALS:
        session.check_integrity_at_crash(thread)
    fields = thread_fields(thread, depth)
    fields.update(
        signal=name,
        description=thread.GetStopDescription(256) or name,
        fault_address=fault_address(thread, name),
    )
    CHANNEL.emit("signal", **fields)


@contextlib.contextmanager
def async_mode(debugger):
    saved = debugger.GetAsync()
    debugger.SetAsync(True)
    try:
        yield
    finally:
        debugger.SetAsync(saved)


@contextlib.contextmanager
def events_muted(debugger, broadcaster, bits):
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


def wait_for_stop_report(debugger):
    """Until LLDB's event thread is done reporting the current stop (thread status, frames,
    disassembly): it gives the prompt back (pops the process's I/O handler) right after.
    Bounded: LLDB may have no process I/O handler to pop."""
    interpreter = debugger.GetCommandInterpreter()
    deadline = time.monotonic() + STOP_REPORT_WAIT_S
    while not interpreter.IsActive() and time.monotonic() < deadline:
        time.sleep(STOP_REPORT_POLL_S)


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
        self.deadline = None  # of the current _watch: the experiment's call stays within it
        self.delivered_signal = None  # last signal a continue passed to the process
        self.killed_signal = None
        self.relay = None  # --program-output terminal: the program's output relay

    def run(self):
        try:
            self._run()
        finally:
            if self.relay is not None:
                self.relay.drain()  # all the program wrote is on LLDB's terminal before `done`

    def _run(self):
        if not self._launch():
            return
        timeout_s = self.session.spec["timeout_s"]
        deadline = time.monotonic() + timeout_s if timeout_s else None
        if self._watch(deadline):
            return
        CHANNEL.error(
            "timeout",
            "process %d still running after %gs: killed" % (self.process.GetProcessID(), timeout_s),
        )
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
        self.session.arm(capture=True)
        info = target.GetLaunchInfo()
        info.SetEnvironment(target.GetEnvironment(), False)  # inherited + spec (see above)
        spec = self.session.spec
        add_output_files(info, spec)
        if spec["stdout_path"] is None and spec["stderr_path"] is None:
            self.relay = add_output_relay(info)
        info.SetListener(self.listener)
        error = lldb.SBError()
        self.process = target.Launch(info, error)
        if self.relay is not None:
            self.relay.launched()
        if error.Success() and self.process.IsValid():
            # The tool kills this pid if LLDB dies: a traced process outlives its tracer.
            CHANNEL.emit("launched", pid=self.process.GetProcessID())
            return True
        CHANNEL.error("launch-failed", error.GetCString() or "launch failed")
        return False

    def _watch(self, deadline):
        """Handle process events until the process is gone (True) or the deadline passes."""
        self.deadline = deadline
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
            return self._on_stop()
        return False

    def _on_stop(self):
        """A real stop (not an auto-continued probe): report crash signals, run the experiment
        if this is its stop, then continue. True when the process is gone."""
        for thread in self.process:
            if thread.GetStopReason() == lldb.eStopReasonSignal:
                self._on_signal(thread)
        tid = self.session.early_write.take()
        if tid is not None:
            return self._experiment_then_continue(tid)
        self.process.Continue()
        return False

    def _experiment_then_continue(self, tid):
        """Whatever becomes of the experiment, the process goes on to its exit.

        LLDB's own listener must not read the thread while the call runs or is undone: LLDB's
        event thread printing the experiment's stop during the call, or the call's re-broadcast
        crash while the thread is unwound and resumed, made LLDB 19 hang, fail the call
        ("process is running"), or give later probe hits the frames of an earlier stop (6 bad
        runs in 96 of mixed-profile-versions, 12 at a time; none in 192 with both precautions).
        """
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

    def _early_write(self, tid):
        """The integrity check first (the call is the run's first profile write), then the
        call, its event, and the thread put back at exit."""
        thread = self.process.GetThreadByID(tid)
        if not thread.IsValid():
            raise RuntimeError("thread %d, stopped at %s, is gone" % (tid, early_write.AT_SYMBOL))
        if not self.session.integrity_checked:
            self.session.check_integrity(self.process)
        outcome = early_write.call_writer(thread, self._call_timeout())
        try:
            fields = self._experiment_fields(outcome)  # the frames of a crash, before unwinding
        finally:
            early_write.restore(outcome)
        CHANNEL.emit("experiment", **fields)

    def _call_timeout(self):
        """The call's own bound, within what is left of the capture's timeout."""
        if self.deadline is None:
            return early_write.TIMEOUT_S
        return max(1, min(early_write.TIMEOUT_S, self.deadline - time.monotonic()))

    def _experiment_fields(self, outcome):
        """name/at/status/message, the signal of a crash, and the call's thread: where it
        crashed or was interrupted, else where the call was made from (exit)."""
        fields = {
            "name": early_write.NAME,
            "at": early_write.AT_SYMBOL,
            "status": outcome.status,
            "return_value": outcome.return_value,
            "message": outcome.message,
        }
        if outcome.status == "crashed":
            fields.update(self._crash_fields(outcome.thread))
        fields.update(thread_fields(outcome.thread, self.session.spec["backtrace_depth"]))
        return fields

    def _crash_fields(self, thread):
        """As in a `signal` event; no signal name for a Mach exception."""
        signo = early_write.stop_signal(thread)
        name = signal_name(self.process, signo) if signo is not None else None
        return {
            "signal": name,
            "fault_address": fault_address(thread, name),
            "description": thread.GetStopDescription(256) or name,
        }

    def _drop_expression_stops(self):
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

    def _on_signal(self, thread):
        signo = thread.GetStopReasonDataAtIndex(0)
        name = signal_name(self.process, signo)
        if not self.process.GetUnixSignals().GetShouldSuppress(signo):
            self.delivered_signal = signo
        if name not in CRASH_SIGNALS:
            return  # SIGSTOP, SIGINT...: continue
        emit_signal(thread, name, self.session.spec["backtrace_depth"])

    def _report_exit(self):
        """The signal is inferred from the one we killed with or delivered last (see
        exit_signal)."""
        emit_exit(self.process, (self.killed_signal, self.delivered_signal))


# ---------------------------------------------------------------------------------------------
# Watch: follow the processes a person launches at the prompt (interactive mode)


class FollowedProcess:
    """One process of the target, from the moment dx-watch saw it until its exit is reported.

    SBProcess holds the process weakly: once LLDB replaces it (`run` again) it may read as
    pid 0 / state invalid / status 0, so what identifies it is copied here.
    """

    def __init__(self, process, gone=False):
        self.process = process
        self.uid = process.GetUniqueID()  # pids can repeat; LLDB's unique id does not
        self.gone = gone  # its exit event was emitted (or it was dead before dx-watch)
        self.delivered_signal = None  # last signal it stopped with that LLDB passes on
        self.reported_stop = None  # stop id whose signals were reported


class Watcher:
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

    def __init__(self, session):
        self.session = session
        self.listener = lldb.SBListener("debug-exit.watch")
        self.wakeup = lldb.SBBroadcaster("debug-exit.watch.wakeup")
        self.announced = threading.Condition()  # `followed` changed
        self.followed = None  # FollowedProcess
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name="debug-exit.watch", daemon=True)

    def start(self):
        self.listener.StartListeningForEvents(self.wakeup, WATCH_WAKEUP_BIT)
        self.listener.StartListeningForEvents(
            self.session.target.GetBroadcaster(), lldb.SBTarget.eBroadcastBitModulesLoaded
        )
        self.session.arm()  # every probe enabled, as dx-setup installed them
        self.session.keep_enabled = True
        self.session.armed_for = None
        process = self.session.target.GetProcess()
        if process.IsValid() and is_gone(process.GetState()):
            self.followed = FollowedProcess(process, gone=True)  # a run before dx-watch: not ours
        self.thread.start()  # follows a process started before dx-watch at once

    def stop(self):
        """End the thread (LLDB is being torn down or a new dx-setup/dx-watch replaces us)."""
        self.stopping = True
        self.session.keep_enabled = False
        self.wakeup.BroadcastEventByType(WATCH_WAKEUP_BIT)
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(WATCH_JOIN_S)

    def on_probe_stop(self, process):
        """From a probe callback (LLDB's event thread), before its hit is reported."""
        uid = process.GetUniqueID()
        if not self._is_followed(uid) and not self.stopping:
            self.wakeup.BroadcastEventByType(WATCH_WAKEUP_BIT)  # look now, not in a second
            with self.announced:
                self.announced.wait_for(
                    lambda: self._is_followed(uid) or self.stopping, WATCH_FOLLOW_WAIT_S
                )
        self.session.arm_for(process)

    def _is_followed(self, uid):
        followed = self.followed
        return followed is not None and followed.uid == uid

    def _loop(self):
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
    def _guarded(action):
        try:
            action()
        except Exception as exc:  # the thread must outlive any one bad event
            CHANNEL.error("script", describe_exception(exc))

    def follow(self, process):
        """Take `process` if it is new: report the exit of the previous one if that is still
        due, listen to its state changes and emit `launched`."""
        if not process.IsValid() or process.GetProcessID() == lldb.LLDB_INVALID_PROCESS_ID:
            return
        uid = process.GetUniqueID()
        previous = self.followed
        if previous is not None and previous.uid == uid:
            return
        if previous is not None and not previous.gone:
            self._settle(previous)
        self.listener.StartListeningForEvents(
            process.GetBroadcaster(), lldb.SBProcess.eBroadcastBitStateChanged
        )
        followed = FollowedProcess(process)
        CHANNEL.emit("launched", pid=process.GetProcessID())
        with self.announced:
            self.followed = followed
            self.announced.notify_all()
        # A state it reached before we listened (a very short run) is not sent to us again.
        self._on_state(followed, process.GetState(), False)

    def _settle(self, previous):
        """`run` while a process lives: LLDB kills it, then launches the next one. Its exit is
        public once LLDB's own listener has handled the exit event, which can be after the new
        process's modules-loaded event; sometimes LLDB publishes no exit at all (and then
        prints none either). Wait for the state without taking events from our queue."""
        process = previous.process
        deadline = time.monotonic() + WATCH_EXIT_WAIT_S
        while process.IsValid() and not is_gone(process.GetState()) and time.monotonic() < deadline:
            time.sleep(WATCH_EXIT_POLL_S)
        self._report_exit(previous)

    def _on_process_event(self, event):
        if not event.GetType() & lldb.SBProcess.eBroadcastBitStateChanged:
            return
        followed = self.followed
        process = lldb.SBProcess.GetProcessFromEvent(event)
        if followed is None or followed.gone or process.GetUniqueID() != followed.uid:
            return  # a late event of a replaced process: its exit was reported when it went
        self._on_state(
            followed,
            lldb.SBProcess.GetStateFromEvent(event),
            lldb.SBProcess.GetRestartedFromEvent(event),
        )

    def _on_state(self, followed, state, restarted):
        if is_gone(state):
            self._report_exit(followed)
        elif state in (lldb.eStateStopped, lldb.eStateCrashed) and not restarted:
            self._on_stop(followed)

    def _on_stop(self, followed):
        """A stop the person sees: report crash signals; leave the process stopped."""
        process = followed.process
        stop_id = process.GetStopID()
        if followed.gone or stop_id == followed.reported_stop:
            return  # seen both as the state at follow() and as its event
        followed.reported_stop = stop_id
        signals = process.GetUnixSignals()
        for thread in process:
            if thread.GetStopReason() != lldb.eStopReasonSignal:
                continue  # the person's breakpoints, steps...: nothing to report
            signo = thread.GetStopReasonDataAtIndex(0)
            if not signals.GetShouldSuppress(signo):
                followed.delivered_signal = signo  # delivered if the person continues
            name = signal_name(process, signo)
            if name in CRASH_SIGNALS:  # not SIGSTOP/SIGINT of a Ctrl-C
                emit_signal(thread, name, self.session.spec["backtrace_depth"])

    def _report_exit(self, followed):
        """Emit `exit` once per process. LLDB kills with SIGKILL and then says "killed"
        (`process kill`, `run` again). A process LLDB replaced without publishing its exit
        has no status left to read: status -1 and REPLACED_DESCRIPTION."""
        if followed.gone:
            return
        followed.gone = True
        process = followed.process
        if not is_gone(process.GetState()):
            CHANNEL.emit("exit", status=-1, description=REPLACED_DESCRIPTION)
            return
        sigkill = process.GetUnixSignals().GetSignalNumberFromName("SIGKILL")
        killed = sigkill if process.GetExitDescription() == "killed" else None
        emit_exit(process, (killed, followed.delivered_signal))


def is_gone(state):
    return state in (lldb.eStateExited, lldb.eStateDetached)


def stop_watching():
    watcher = SessionHolder.watcher
    SessionHolder.watcher = None
    if watcher is not None:
        watcher.stop()


def on_debugger_destroyed(*_args):
    """LLDB is quitting: end the watch thread before the debugger's objects go away."""
    stop_watching()


# ---------------------------------------------------------------------------------------------
# Commands


def fail(result, error):
    result.SetError(error.message)
    CHANNEL.error(error.code, error.message)


def say_hello(debugger):
    version = (debugger.GetVersionString() or "").splitlines()
    CHANNEL.emit(
        "hello",
        schema=EVENT_SCHEMA,
        lldb_version=version[0] if version else "",
        platform="darwin" if sys.platform == "darwin" else sys.platform,
    )


def start_session(debugger, spec_path):
    raw_spec = read_spec(spec_path)
    if CHANNEL.greeting is None:
        say_hello(debugger)  # first event: the script is loaded and the nonce is known
    spec = checked_spec(raw_spec)
    stop_watching()  # it follows the old target: dx-watch again after a new dx-setup
    if SessionHolder.session is not None:
        SessionHolder.session.remove_probes()  # stale callbacks must not report into this one
        SessionHolder.session = None
    target = create_target(debugger, spec["program"])
    configure_launch(debugger, target, spec)
    session = CaptureSession(debugger, target, spec)
    SessionHolder.session = session
    session.install_probes()
    session.report_resolved()


class DxCommand:
    """What every dx- command shares: help from the class, and failures reported as an error
    event and with result.SetError, never as a bare stack trace at the prompt. A subclass sets
    `name`, `short_help`, `needs_session` and implements run(debugger, command)."""

    name = ""
    short_help = ""
    needs_session = True

    def __init__(self, debugger, internal_dict):
        pass

    def get_short_help(self):
        return self.short_help

    def get_long_help(self):
        return self.__doc__

    def __call__(self, debugger, command, exe_ctx, result):
        if self.needs_session and SessionHolder.session is None:
            fail(result, DxError("script", "%s: run dx-setup SPEC_PATH first" % self.name))
            return
        try:
            self.run(debugger, command)
        except DxError as error:
            fail(result, error)
        except Exception as exc:  # never a bare stack trace at the prompt
            fail(result, DxError("script", describe_exception(exc)))
        finally:
            CHANNEL.control("done", command=self.name)  # what the tool waits for

    def run(self, debugger, command):
        raise NotImplementedError


class SetupCommand(DxCommand):
    """dx-setup SPEC_PATH: target, launch info and probes from a debug-exit/spec@1 file."""

    name = "dx-setup"
    short_help = "debug-exit: create the target and install the probes of a spec file."
    needs_session = False

    def run(self, debugger, command):
        start_session(debugger, spec_path_of(command))


class RunCommand(DxCommand):
    """dx-run: launch the dx-setup target and return once the process is gone."""

    name = "dx-run"
    short_help = "debug-exit: launch the target, report probes, signals and exit."

    def run(self, debugger, command):
        session = SessionHolder.session
        try:
            with async_mode(debugger), breakpoint_events_muted(debugger, session.target):
                Capture(session).run()
        finally:
            session.arm()  # a `run` typed next starts with every probe in place


class WatchCommand(DxCommand):
    """dx-watch: from now on report every process launched at the prompt (interactive mode).

    Returns at once. For each process of the dx-setup target: `launched`, the probe hits (the
    probe modes start afresh for each process), `signal` when it stops on a crash signal (left
    stopped, for `bt` and `frame variable`), `exit` when it exits or is killed.
    """

    name = "dx-watch"
    short_help = "debug-exit: report launches, probe hits, crash signals and exits of every run."

    def run(self, debugger, command):
        stop_watching()
        watcher = Watcher(SessionHolder.session)
        SessionHolder.watcher = watcher
        watcher.start()
        add_destroy_callback(debugger)


class DestroyCallbacks:
    """Debuggers (by id) that already end the watch thread when they are destroyed."""

    debugger_ids = set()


def add_destroy_callback(debugger):
    """Once per debugger. LLDB 19 has AddDestroyCallback, LLDB 16-18 only SetDestroyCallback,
    older ones neither (the thread is a daemon then)."""
    if debugger.GetID() in DestroyCallbacks.debugger_ids:
        return
    for name in ("AddDestroyCallback", "SetDestroyCallback"):
        method = getattr(debugger, name, None)
        if method is not None:
            try:
                method(on_debugger_destroyed)
            except TypeError:  # a binding without a Python callable typemap
                continue
            DestroyCallbacks.debugger_ids.add(debugger.GetID())
            return


def target_pids():
    """The pid of the session's live process, for the watchdog."""
    session = SessionHolder.session
    if session is None:
        return []
    pid = session.target.GetProcess().GetProcessID()
    return [pid] if pid not in (0, lldb.LLDB_INVALID_PROCESS_ID) else []


def open_channel(debugger):
    """Started by debug-exit: connect to its socket, take the greeting, say hello on it."""
    connected = channel.connect_from_environment()
    if connected is None:
        return
    sock, greeting = connected
    CHANNEL.use_socket(sock, greeting)
    channel.drop_controlling_terminal()
    channel.Watchdog(sock, greeting.get("cleanup"), target_pids).start()
    say_hello(debugger)


def __lldb_init_module(debugger, internal_dict):
    for command in (SetupCommand, RunCommand, WatchCommand):
        debugger.HandleCommand(
            "command script add -o -c %s.%s %s" % (__name__, command.__name__, command.name)
        )
    open_channel(debugger)
