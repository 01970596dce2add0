"""debug-exit's event channel: a Unix socket only this LLDB script holds.

The tool listens on a socket in its own 0700 temp folder and names it in LLDB's environment
(DX_CHANNEL). At import the script connects; the tool accepts exactly one connection, unlinks the
socket path and sends one greeting line, JSON:

    {"nonce": "...", "spec": {...debug-exit/spec@1...}, "cleanup": "/tmp/debug-exit-XXXX"}

so the spec (program, arguments, environment) and the nonce are never in a command line, an
environment variable or a file the target could read. From then on every event goes to the tool
on this socket; nothing the target writes to LLDB's terminal can reach it.

The same socket is the watchdog: when the tool goes away (SIGKILL), the socket reads EOF (or the
parent pid changes); the script then kills the target's process group, removes the temp folder
and ends LLDB.

Also here: at import, LLDB drops its pty as controlling terminal (TIOCNOTTY), so the target it
launches has no controlling terminal: /dev/tty fails for it, and it cannot type into LLDB.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import socket
    from collections.abc import Callable

ENV_VAR = "DX_CHANNEL"
CONNECT_TIMEOUT_S = 20
GREETING_MAX_BYTES = 64 * 1024 * 1024
WATCHDOG_POLL_S = 0.5


class ChannelError(Exception):
    pass


def connect_from_environment() -> tuple[socket.socket, dict] | None:
    """(socket, greeting) when LLDB was started by debug-exit with a channel; else None.

    The variable is removed from LLDB's environment first: the target inherits that environment.
    """
    path = os.environ.pop(ENV_VAR, None)
    if not path:
        return None
    import socket  # only with a channel (5 ms of the import otherwise)

    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            break
        except OSError as exc:
            sock.close()
            if time.monotonic() > deadline:
                raise ChannelError("cannot connect to debug-exit's channel: %s" % exc) from exc
            time.sleep(0.02)
    os.set_inheritable(sock.fileno(), False)
    return sock, read_greeting(sock)


def read_greeting(sock: socket.socket) -> dict:
    data = bytearray()
    sock.settimeout(CONNECT_TIMEOUT_S)
    try:
        while b"\n" not in data:
            chunk = sock.recv(1 << 16)
            if not chunk:
                raise ChannelError("debug-exit closed the channel before its greeting")
            data += chunk
            if len(data) > GREETING_MAX_BYTES:
                raise ChannelError("greeting too long")
    finally:
        sock.settimeout(None)
    line = bytes(data).split(b"\n", 1)[0]
    greeting = json.loads(line.decode("utf-8"))
    if not isinstance(greeting, dict):
        raise ChannelError("greeting is not a JSON object")
    return greeting


def drop_controlling_terminal() -> bool:
    """LLDB gives up its pty as controlling terminal, so that what it launches has none.

    Only a session leader (LLDB on node-pty's pty) can do it for its whole session. TIOCNOTTY
    sends SIGHUP to the foreground process group (LLDB's own): ignored for the call.
    """
    if os.getsid(0) != os.getpid():
        return False
    import ctypes
    import fcntl
    import termios

    libc = ctypes.CDLL(None, use_errno=True)
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
    sig_ign = ctypes.c_void_p(1)
    previous = {signo: libc.signal(signo, sig_ign) for signo in (signal.SIGHUP, signal.SIGCONT)}
    try:
        for fd in (0, 1, 2):
            try:
                fcntl.ioctl(fd, termios.TIOCNOTTY)
                return True
            except OSError:
                continue
        return False
    finally:
        for signo, handler in previous.items():
            libc.signal(signo, ctypes.c_void_p(handler))


def kill_group(pid: int) -> None:
    """SIGKILL the process group `pid` leads (the target, launched in its own group), and pid."""
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except OSError:
            pass


class Watchdog:
    """Ends everything when the tool is gone: EOF on the channel, or a new parent pid."""

    def __init__(
        self, sock: socket.socket, cleanup_dir: str | None, target_pids: Callable[[], list[int]]
    ) -> None:
        self.sock = sock
        self.cleanup_dir = cleanup_dir
        self.target_pids = target_pids  # callable: the pids to kill
        self.parent = os.getppid()
        self.thread = threading.Thread(target=self._loop, name="debug-exit.watchdog", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        import select
        import socket

        while True:
            try:
                readable, _, _ = select.select([self.sock], [], [], WATCHDOG_POLL_S)
            except (OSError, ValueError):
                break
            if os.getppid() != self.parent:
                break
            if readable:
                try:
                    if not self.sock.recv(4096, socket.MSG_PEEK):
                        break
                    self.sock.recv(4096)  # the tool sends nothing after the greeting
                except OSError:
                    break
        self.orphaned()

    def orphaned(self) -> None:
        for pid in self.target_pids():
            kill_group(pid)
        if self.cleanup_dir:
            shutil.rmtree(self.cleanup_dir, ignore_errors=True)
        os._exit(1)
