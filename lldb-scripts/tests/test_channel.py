"""dx.channel: one APC frame per event, written whole, numbered in byte order."""

from __future__ import annotations

import json
import os
import select

import pytest

from dx import channel

NONCE = "abc_-1"


def frames_of(data: bytes):
    """The events in a stream of frames (and checks the framing of each)."""
    events = []
    for part in data.split(b"\x1b\\"):
        if not part:
            continue
        assert part.startswith(b"\x1b_dx;" + NONCE.encode() + b";"), part[:20]
        events.append(json.loads(part[len(b"\x1b_dx;" + NONCE.encode() + b";") :]))
    return events


def test_encode_frame_keeps_escape_and_newlines_out_of_the_json():
    frame = channel.encode_frame(NONCE, {"kind": "hit", "symbol": "a\x1b]0;pwn\x07\nb\u00e9"})
    assert frame.startswith(b"\x1b_dx;abc_-1;") and frame.endswith(b"\x1b\\")
    body = frame[len(b"\x1b_dx;abc_-1;") : -2]
    assert b"\x1b" not in body and b"\n" not in body and max(body) < 0x80
    assert json.loads(body)["symbol"] == "a\x1b]0;pwn\x07\nb\u00e9"


def test_fit_frame_drops_outermost_frames_until_it_fits():
    frames = [{"symbol": "f%d" % i, "pc": "0x%x" % i} for i in range(50)]
    event = {"kind": "signal", "frames": list(frames)}
    whole = len(channel.encode_frame(NONCE, event))
    data = channel.fit_frame(NONCE, dict(event), whole // 2)
    assert len(data) <= whole // 2
    kept = frames_of(data)[0]["frames"]
    assert kept == frames[: len(kept)] and 1 <= len(kept) < 50


def test_fit_frame_keeps_one_frame_and_everything_without_a_limit():
    event = {"kind": "hit", "frames": [{"symbol": "x" * 500}, {"symbol": "y"}]}
    assert len(frames_of(channel.fit_frame(NONCE, dict(event), 10))[0]["frames"]) == 1
    assert len(frames_of(channel.fit_frame(NONCE, dict(event), None))[0]["frames"]) == 2


def test_compact_drops_only_none():
    assert channel.compact({"a": None, "b": 0, "c": "", "d": False, "e": []}) == {
        "b": 0,
        "c": "",
        "d": False,
        "e": [],
    }


@pytest.fixture
def pipe():
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    os.close(read_fd)
    os.close(write_fd)


def drain(fd):
    data = b""
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        data += chunk
    return data


def test_events_are_numbered_and_control_events_are_seq_0(pipe):
    read_fd, write_fd = pipe
    events = channel.EventChannel(write_fd)
    events.emit("hit", role="main", registered=None)  # no nonce yet: nothing is written
    assert drain(read_fd) == b""
    events.nonce = NONCE
    events.emit("launched", pid=42)
    events.error("script", "boom")
    events.control("done", command="dx-run")
    got = frames_of(drain(read_fd))
    assert [(e["seq"], e["kind"]) for e in got] == [(1, "launched"), (2, "error"), (0, "done")]
    assert got[1]["code"] == "script" and got[1]["message"] == "boom"
    assert list(got[0]) == ["seq", "t_ns", "kind", "pid"]
    assert got[0]["t_ns"] <= got[1]["t_ns"]


def test_emit_many_writes_whole_frames_of_at_most_pipe_buf(pipe, monkeypatch):
    read_fd, write_fd = pipe
    events = channel.EventChannel(write_fd)
    assert events._limit == select.PIPE_BUF  # a pipe: writes of at most PIPE_BUF are atomic
    events.nonce = NONCE
    writes = []
    real_write = os.write
    monkeypatch.setattr(
        channel.os, "write", lambda fd, data: writes.append(len(data)) or real_write(fd, data)
    )
    events.emit_many("exit-handler", ({"index": i, "function": "0x%x" % i} for i in range(300)))
    got = frames_of(drain(read_fd))
    assert [e["index"] for e in got] == list(range(300))
    assert [e["seq"] for e in got] == list(range(1, 301))
    assert len(writes) > 1 and max(writes) <= select.PIPE_BUF


def test_use_socket_takes_the_greeting_nonce_only_when_it_is_valid():
    class Sock:
        def fileno(self):
            return 99

    events = channel.EventChannel()
    events.use_socket(Sock(), {"nonce": "ok-1"})
    assert (events.fd, events.nonce, events._limit) == (99, "ok-1", None)
    events.use_socket(Sock(), {"nonce": "bad;nonce"})
    assert events.nonce is None
