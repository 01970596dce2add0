"""The process follower's pure decisions (follow.py applies them to LLDB's objects): how long to
wait for the next event, what bounds the experiment's call, which signals may have ended a
process, and what the exit event says. No LLDB import."""

from __future__ import annotations

import math

from .signals import KILLED_DESCRIPTION, exit_signal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

IDLE_WAIT_S = 60  # WaitForEvent slice when there is no deadline
REPLACED_DESCRIPTION = "replaced by a new run before LLDB reported its exit"


def seconds_left(deadline: float | None, now: float) -> int:
    """Whole seconds to wait for the next event (WaitForEvent takes seconds); 0 when past."""
    if deadline is None:
        return IDLE_WAIT_S
    remaining = deadline - now
    return max(1, math.ceil(remaining)) if remaining > 0 else 0


def call_timeout(deadline: float | None, now: float, limit_s: float) -> float:
    """An expression call's own bound `limit_s`, within what is left until `deadline`."""
    if deadline is None:
        return limit_s
    return max(1, min(limit_s, deadline - now))


def capture_likely_signals(killed: int | None, delivered: int | None) -> tuple:
    """dx-run: the signal it killed the process with on timeout, and the last one it delivered."""
    return (killed, delivered)


def watch_likely_signals(description: str | None, sigkill: int, delivered: int | None) -> tuple:
    """dx-watch: LLDB kills with SIGKILL and then says "killed" (`process kill`, `run` again)."""
    return (sigkill if description == KILLED_DESCRIPTION else None, delivered)


def exit_fields(
    status: int,
    description: str | None,
    likely_signals: tuple,
    number_of: Callable[[str], int],
) -> dict:
    """The `exit` event's fields: status, the signal that ended it (if known), description."""
    return {
        "status": status,
        "signal": exit_signal(status, description, likely_signals, number_of),
        "description": description,
    }


def replaced_exit_fields() -> dict:
    """A process LLDB replaced without publishing its exit has no status left to read."""
    return {"status": -1, "description": REPLACED_DESCRIPTION}


def is_new_process(followed_uid: int | None, uid: int, pid_valid: bool) -> bool:
    """dx-watch: the target's process is one to take (a valid pid, not the one followed)."""
    return pid_valid and uid != followed_uid
