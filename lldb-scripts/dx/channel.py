"""The event channel: every event is one APC frame, written with one write call:
ESC _ dx;<nonce>;<json> ESC \\ (docs/ARCHITECTURE.md, "The event channel"). On debug-exit's socket
when LLDB was started with one (link.py), else on fd 1. No LLDB import: the framing is pure."""

from __future__ import annotations

import json
import os
import re
import select
import stat
import threading
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (5 ms in LLDB)
if TYPE_CHECKING:
    import socket
    from collections.abc import Iterable

NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
EMIT_MANY_CHUNK = 64 << 10  # bytes a write of emit_many carries on a tty


# One encoder for every frame: json.dumps with options builds a new one at each call.
_ENCODE_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def encode_frame(nonce: str, event: dict) -> bytes:
    """One APC frame: ensure_ascii keeps ESC and newlines out of the JSON."""
    payload = _ENCODE_JSON(event)
    return ("\x1b_dx;%s;%s\x1b\\" % (nonce, payload)).encode("ascii")


def write_all(fd: int, data: bytes) -> None:
    """Write `data` with one write call; loop only if the kernel took part of it."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:  # fd 1 shared with a non-blocking reader setup: wait, retry
            select.select([], [fd], [], 1.0)
            continue
        view = view[written:]


def atomic_write_limit(fd: int) -> int | None:
    """Bytes one write can carry without interleaving: a pipe guarantees PIPE_BUF; a tty
    write holds the tty's write lock for the whole call."""
    try:
        return select.PIPE_BUF if stat.S_ISFIFO(os.fstat(fd).st_mode) else None
    except OSError:
        return None


def fit_frame(nonce: str, event: dict, limit: int | None) -> bytes:
    """Encode `event`, dropping its outermost frames until it fits in `limit` bytes."""
    data = encode_frame(nonce, event)
    frames = event.get("frames") or []
    while limit is not None and len(data) > limit and len(frames) > 1:
        frames = frames[:-1]
        event["frames"] = frames
        data = encode_frame(nonce, event)
    return data


def compact(fields: dict) -> dict:
    """Drop optional fields that have no value."""
    return {key: value for key, value in fields.items() if value is not None}


class EventChannel:
    """Numbers events (seq strictly increasing across kinds) and writes each as one frame."""

    def __init__(self, fd: int = 1) -> None:
        self.nonce: str | None = None
        self.fd = fd
        self.greeting: dict | None = (
            None  # what debug-exit sent over the socket: nonce, spec, cleanup
        )
        self._seq = 0
        self._lock = threading.Lock()
        self._limit = atomic_write_limit(fd)

    def use_socket(self, sock: socket.socket, greeting: dict) -> None:
        self.fd = sock.fileno()
        self._limit = None  # only this script writes to the socket, under the lock
        self.greeting = greeting
        self.nonce = greeting.get("nonce") if NONCE_RE.match(str(greeting.get("nonce"))) else None

    def emit(self, kind: str, **fields) -> None:
        self._write(kind, fields, numbered=True)

    def control(self, kind: str, **fields) -> None:
        """A session-control event (`done`): seq 0, not part of the timeline."""
        self._write(kind, fields, numbered=False)

    def _write(self, kind: str, fields: dict, numbered: bool) -> None:
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

    def emit_many(self, kind: str, rows: Iterable[dict]) -> None:
        """One event per row, written together (a census of 10,000 handlers: a few large writes
        instead of 10,000 small ones through the pty). Each frame stays whole: a tty write holds
        the tty's lock for the whole call; a pipe gets writes of at most PIPE_BUF."""
        if self.nonce is None:
            return
        with self._lock:
            chunk: list[bytes] = []
            chunks: list[bytes] = []
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

    def error(self, code: str, message: str) -> None:
        self.emit("error", code=code, message=message)


CHANNEL = EventChannel()
