"""The target of one spec, its probe breakpoints, and what a probe hit reports: `hit`, the
profile-data check at main and at the first write, the exit handler list at exit() (--census).

Breakpoint callbacks emit their own events and return False, so a probe hit costs one debugger
stop and no round trip to the TypeScript side. The integrity check and the exit handler reader
are imported at their first use."""

from __future__ import annotations

import contextlib
import os

import lldb

from . import early_write
from .channel import CHANNEL
from .describe import (
    describe_code_address,
    hex_address,
    in_profile_runtime,
    location_modules,
    module_name,
    thread_fields,
)
from .errors import DxError, describe_exception
from .probes import EXIT_SYMBOL, MAIN_ROLE, PROFILE_WRITE_ROLE, HitFilter, Probe, Probes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator

    from .follow import WatchPolicy
    from .output_relay import OutputRelay
    from .spec import ProbeRow, Spec


class SessionHolder:
    """The one capture session of this LLDB process (replaced by each dx-setup), and the
    dx-watch follower of its processes, if any."""

    session: CaptureSession | None = None
    watcher: WatchPolicy | None = None


@contextlib.contextmanager
def entry_breakpoints(debugger) -> Iterator[None]:
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


def name_type_of(symbol: str) -> int:
    """C names match exactly (no C++ method named `exit`); qualified names as LLDB would."""
    if "::" in symbol or "(" in symbol:
        return lldb.eFunctionNameTypeAuto
    return lldb.eFunctionNameTypeFull


def create_target(debugger, program: str):
    error = lldb.SBError()
    target = debugger.CreateTarget(program, None, None, True, error)
    if not target.IsValid():
        message = error.GetCString() or "cannot create a target"
        raise DxError("target-failed", "%s: %s" % (program, message))
    debugger.SetSelectedTarget(target)
    return target


def configure_launch(target, spec: Spec) -> None:
    """Store args/env/ASLR/stdio in the target (selected): `run` typed later gets them too.

    The launch info's environment holds only the spec's variables (target.env-vars); LLDB adds
    them to the inherited environment when it launches (target.inherit-env).
    """
    info = target.GetLaunchInfo()
    info.SetArguments(spec.args, False)
    environment = lldb.SBEnvironment()
    for name, value in spec.env.items():
        environment.Set(name, value, True)
    info.SetEnvironment(environment, False)
    flags = info.GetLaunchFlags() & ~lldb.eLaunchFlagDisableASLR
    # Its own process group: what it leaves running is killed with it (link.kill_group).
    flags |= lldb.eLaunchFlagLaunchInSeparateProcessGroup
    info.SetLaunchFlags(flags | (lldb.eLaunchFlagDisableASLR if spec.disable_aslr else 0))
    target.SetLaunchInfo(info)


def add_output_files(info, spec: Spec) -> None:
    """The program's stdout/stderr to the spec's files, stdin from /dev/null, as open-file actions
    of the launch info dx-run launches with: a path never goes through LLDB's settings parser
    (SetLaunchInfo drops these actions in LLDB 19, so they are added to the info launched)."""
    if spec.stdout_path is None and spec.stderr_path is None:
        return
    info.AddOpenFileAction(0, os.devnull, True, False)
    for fd, path in ((1, spec.stdout_path), (2, spec.stderr_path)):
        if path is not None:
            info.AddOpenFileAction(fd, path, False, True)


def add_output_relay(info) -> OutputRelay:
    """--program-output terminal in capture: stdout and stderr to a FIFO this script relays to
    LLDB's terminal and drains before dx-run is done (output_relay.py); stdin from /dev/null."""
    from .channel import write_all
    from .output_relay import OutputRelay

    relay = OutputRelay(write_all)
    info.AddOpenFileAction(0, os.devnull, True, False)
    info.AddOpenFileAction(1, relay.path, False, True)
    info.AddDuplicateFileAction(1, 2)
    return relay


class CaptureSession:
    """The target of one spec, its probes, and what the probes have seen so far."""

    def __init__(self, debugger, target, spec: Spec, callback_name: str) -> None:
        self.debugger = debugger
        self.target = target
        self.spec = spec
        self.callback_name = callback_name  # "<module LLDB imported>.on_probe_hit"
        self.probes = Probes()
        self.hits = HitFilter()
        self.holding = False  # the capture is being killed: probes stop the target, silently
        self.integrity_checked = False  # the profile data is checked once per run
        self.armed_for = None  # dx-watch: unique id of the process the modes are armed for
        self.early_write = early_write.EarlyWrite(spec.experiment == early_write.NAME)
        self.census_list = spec.census == "list"
        self.census_done = False  # the list is read once per run, at the first exit()
        self.census_stops = False  # the list cannot be read: registrations are probed after main

    @property
    def keep_enabled(self) -> bool:
        return self.probes.keep_enabled

    @keep_enabled.setter
    def keep_enabled(self, value: bool) -> None:
        self.probes.keep_enabled = value

    def install_probes(self) -> None:
        with entry_breakpoints(self.debugger):
            for row in self.spec.probes:
                for symbol in row.symbols:
                    self._install(row, symbol)

    def _install(self, row: ProbeRow, symbol: str) -> None:
        breakpoint = self.target.BreakpointCreateByName(
            symbol, name_type_of(symbol), lldb.SBFileSpecList(), lldb.SBFileSpecList()
        )
        error = breakpoint.SetScriptCallbackFunction(self.callback_name, lldb.SBStructuredData())
        if not error.Success():
            CHANNEL.error("script", "probe %s %s: %s" % (row.role, symbol, error.GetCString()))
        self.probes.add(breakpoint.GetID(), Probe.of(row, symbol, breakpoint))

    def remove_probes(self) -> None:
        for breakpoint_id in self.probes.ids():
            self.target.BreakpointDelete(breakpoint_id)
        self.probes.clear()

    def arm(self, capture: bool = False) -> None:
        """Before each launch: every probe enabled, nothing seen. The experiment only for a
        dx-run launch (`capture`): nobody would resume a process it stopped otherwise."""
        self.hits.reset()
        self.holding = False
        self.integrity_checked = False
        self.census_done = False
        self.census_stops = False
        self.early_write.arm(capture)
        self.probes.arm()

    def arm_for(self, process) -> None:
        """dx-watch: the first probe stop of each process re-arms the modes, on LLDB's event
        thread before that hit is handled, so every run starts fresh whatever the timing."""
        uid = process.GetUniqueID()
        if uid != self.armed_for:
            self.arm()
            self.armed_for = uid

    def hold(self) -> None:
        """From now on a probe hit stops the target (for the kill), reporting nothing."""
        self.holding = True

    def report_resolved(self) -> None:
        for probe in self.probes:
            CHANNEL.emit(
                "probe-resolved",
                role=probe.role,
                symbol=probe.symbol,
                locations=probe.breakpoint.GetNumLocations(),
                modules=location_modules(probe.breakpoint),
            )

    def on_hit(self, frame, bp_loc) -> bool:
        """Report the hit; True when the process must stay stopped (the experiment's stop)."""
        probe = self.probes.get(bp_loc.GetBreakpoint().GetID())
        if not self.probes.reportable(probe):
            return False
        try:
            reported = self._report_hit(probe, frame, bp_loc)
        finally:
            self._after_hit(probe)  # modes keep working even if describing the hit failed
        return reported and self.early_write.claims(probe.role, probe.symbol, frame.GetThread())

    def _report_hit(self, probe: Probe, frame, bp_loc) -> bool:
        """True when the hit was reported (not a second name of the same stop, not an echo)."""
        thread = frame.GetThread()
        tid = thread.GetThreadID()
        if self.hits.same_stop(thread.GetProcess().GetStopID(), tid, frame.GetPC()):
            return False
        registered = self._registered(frame) if probe.reads_registered else None
        if self.hits.atexit_echo(probe.symbol, tid, registered and registered["address"]):
            return False
        fields = thread_fields(thread, self.spec.backtrace_depth)
        fields.update(
            role=probe.role,
            symbol=probe.symbol,
            registered=registered,
            module=module_name(bp_loc.GetAddress().GetModule()) or "?",
        )
        CHANNEL.emit("hit", **fields)
        if probe.role == PROFILE_WRITE_ROLE and not self.integrity_checked:
            self.check_integrity(thread.GetProcess())
        elif probe.role == MAIN_ROLE and not self.probes.main_seen and not self.integrity_checked:
            self.check_integrity_at_main(thread.GetProcess())
        if probe.symbol == EXIT_SYMBOL and self.census_list and not self.census_done:
            self.read_exit_handlers(thread)
        return True

    def read_exit_handlers(self, thread) -> None:
        """--census (list): every registered handler from the C library's own list, at the first
        exit() call (before any handler ran): one stop, whatever the number of registrations."""
        from . import exit_handlers

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
        described: dict[int, dict] = {}  # 10,000 handlers are a few functions in a few modules
        modules: dict[int, str] = {}
        rows = []
        for index, entry in enumerate(entries):
            function = entry.function
            # A function or module is described at its first entry only; later ones name its address.
            registered = None
            if function not in described:
                registered = described[function] = describe_code_address(self.target, function)
            dso = entry.dso_handle
            dso_module = None
            if dso and dso not in modules:
                dso_module = modules[dso] = (
                    module_name(self.target.ResolveLoadAddress(dso).GetModule()) or "?"
                )
            rows.append(
                dict(
                    index=index,
                    via=entry.via,
                    flavor=entry.flavor,
                    function=hex_address(function),
                    registered=registered,
                    arg=hex_address(entry.arg) if entry.arg is not None else None,
                    dso_handle=hex_address(dso) if dso is not None else None,
                    dso_module=dso_module,
                )
            )
        CHANNEL.emit_many("exit-handler", rows)
        CHANNEL.emit("census", mode="list", status="read", library=library, count=len(entries))

    def check_integrity(self, process) -> None:
        """At the first profile write, before the writer reads any record: does the data fit
        the record layout of the runtime that is about to read it?"""
        from .integrity import check_profile_integrity

        self.integrity_checked = True
        CHANNEL.emit("integrity", **check_profile_integrity(self.target, process))

    def check_integrity_at_main(self, process) -> None:
        """At main, before any instrumented call can read a foreign record at run time (the
        value profiler reads Data->Values at the first indirect call it counts): corrupt data is
        reported now; consistent data is checked again, and reported, at the first write."""
        from .integrity import check_profile_integrity

        result = check_profile_integrity(self.target, process)
        if result.get("status") == "corrupt":
            self.integrity_checked = True
            CHANNEL.emit("integrity", **result)

    def check_integrity_at_crash(self, thread) -> None:
        """A crash inside the profile runtime before any check was reported (a consistent check
        at main stays silent): the data check goes before the signal event, so that the crash
        is attributed with it in hand."""
        if self.integrity_checked or not in_profile_runtime(thread):
            return
        self.check_integrity(thread.GetProcess())

    def _registered(self, frame) -> dict | None:
        """The function being registered: first argument, via LLDB's generic `arg1`."""
        register = frame.FindRegister("arg1")
        if not register.IsValid():
            return None
        return describe_code_address(self.target, register.GetValueAsUnsigned())

    def _after_hit(self, probe: Probe) -> None:
        if self.probes.after_hit(probe):
            self._on_main()

    def _on_main(self) -> None:
        """Shared libraries are loaded by now: stop the until-main probes, report locations."""
        if self.census_list:
            from .exit_handlers import list_readable

            why = list_readable(self.target)
            if why is not None:  # fall back: keep probing every registration from here on
                self.census_stops = True
                CHANNEL.emit("census", mode="stops", status="fallback", reason=why)
        if not self.census_stops:
            self.probes.end_until_main()
        self.report_resolved()


def on_probe_hit(frame, bp_loc, extra_args, internal_dict) -> bool:
    """Callback of every probe breakpoint: emit the hit and return False (auto-continue), except
    at the experiment's stop, which the capture handles once the process is stopped."""
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
