"""The dx- commands LLDB runs, and what it calls when it imports debug_exit.py:

  dx-setup SPEC_PATH   create the target, store args/env/stdio/ASLR in it, install the probes
  dx-run               launch; follow the process until it is gone (capture policy)
  dx-watch             follow every process a person launches at the prompt (watch policy)

Every command ends with a `done` control event, which is what the tool waits for.
"""

from __future__ import annotations

import sys

import lldb

from . import link
from .channel import CHANNEL
from .errors import DxError, describe_exception
from .session import CaptureSession, SessionHolder, configure_launch, create_target
from .spec import EVENT_SCHEMA, checked_spec, read_spec, spec_path_of


class Entry:
    """The module LLDB imported (debug_exit): commands and the probe callback are named in it."""

    module = "debug_exit"


def fail(result, error: DxError) -> None:
    result.SetError(error.message)
    CHANNEL.error(error.code, error.message)


def say_hello(debugger) -> None:
    version = (debugger.GetVersionString() or "").splitlines()
    CHANNEL.emit(
        "hello",
        schema=EVENT_SCHEMA,
        lldb_version=version[0] if version else "",
        platform="darwin" if sys.platform == "darwin" else sys.platform,
    )


def stop_watching() -> None:
    watcher = SessionHolder.watcher
    SessionHolder.watcher = None
    if watcher is not None:
        watcher.stop()


def on_debugger_destroyed(*_args) -> None:
    """LLDB is quitting: end the watch thread before the debugger's objects go away."""
    stop_watching()


def start_session(debugger, spec_path: str) -> None:
    raw_spec = read_spec(spec_path, CHANNEL.greeting)
    CHANNEL.nonce = raw_spec["nonce"]
    if CHANNEL.greeting is None:
        say_hello(debugger)  # first event: the script is loaded and the nonce is known
    spec = checked_spec(raw_spec)
    stop_watching()  # it follows the old target: dx-watch again after a new dx-setup
    if SessionHolder.session is not None:
        SessionHolder.session.remove_probes()  # stale callbacks must not report into this one
        SessionHolder.session = None
    target = create_target(debugger, spec.program)
    configure_launch(target, spec)
    session = CaptureSession(debugger, target, spec, Entry.module + ".on_probe_hit")
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

    def __init__(self, debugger, internal_dict) -> None:
        pass

    def get_short_help(self) -> str:
        return self.short_help

    def get_long_help(self) -> str | None:
        return self.__doc__

    def __call__(self, debugger, command, exe_ctx, result) -> None:
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

    def run(self, debugger, command: str) -> None:
        raise NotImplementedError


class SetupCommand(DxCommand):
    """dx-setup SPEC_PATH: target, launch info and probes from a debug-exit/spec@1 file."""

    name = "dx-setup"
    short_help = "debug-exit: create the target and install the probes of a spec file."
    needs_session = False

    def run(self, debugger, command: str) -> None:
        start_session(debugger, spec_path_of(command))


class RunCommand(DxCommand):
    """dx-run: launch the dx-setup target and return once the process is gone."""

    name = "dx-run"
    short_help = "debug-exit: launch the target, report probes, signals and exit."

    def run(self, debugger, command: str) -> None:
        from .follow import CapturePolicy, async_mode, breakpoint_events_muted

        session = SessionHolder.session
        try:
            with async_mode(debugger), breakpoint_events_muted(debugger, session.target):
                CapturePolicy(session).run()
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

    def run(self, debugger, command: str) -> None:
        from .follow import WatchPolicy

        stop_watching()
        watcher = WatchPolicy(SessionHolder.session)
        SessionHolder.watcher = watcher
        watcher.start()
        add_destroy_callback(debugger)


COMMANDS = (SetupCommand, RunCommand, WatchCommand)


class DestroyCallbacks:
    """Debuggers (by id) that already end the watch thread when they are destroyed."""

    debugger_ids: set[int] = set()


def add_destroy_callback(debugger) -> None:
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


def target_pids() -> list[int]:
    """The pid of the session's live process, for the watchdog."""
    session = SessionHolder.session
    if session is None:
        return []
    pid = session.target.GetProcess().GetProcessID()
    return [pid] if pid not in (0, lldb.LLDB_INVALID_PROCESS_ID) else []


def open_channel(debugger) -> None:
    """Started by debug-exit: connect to its socket, take the greeting, say hello on it."""
    connected = link.connect_from_environment()
    if connected is None:
        return
    sock, greeting = connected
    CHANNEL.use_socket(sock, greeting)
    link.drop_controlling_terminal()
    link.Watchdog(sock, greeting.get("cleanup"), target_pids).start()
    say_hello(debugger)


def install(debugger, entry_module: str) -> None:
    """__lldb_init_module of `entry_module`: add the commands (named in that module, where LLDB
    finds them), then connect to debug-exit if it started this LLDB."""
    Entry.module = entry_module
    for command in COMMANDS:
        debugger.HandleCommand(
            "command script add -o -c %s.%s %s" % (entry_module, command.__name__, command.name)
        )
    open_channel(debugger)
