"""Signals, pure: which ones are crashes, and which one ended a process according to LLDB."""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

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
KILLED_DESCRIPTION = "killed"  # LLDB's exit description after it killed the process itself


def fault_address_in(description: str | None) -> str | None:
    """The fault address a stop description names, e.g. "(fault address: 0x4)"."""
    match = FAULT_ADDRESS_RE.search(description or "")
    return match.group(1) if match else None


def exit_signal_from_description(
    description: str | None, number_of: Callable[[str], int]
) -> int | None:
    """The signal number in LLDB's exit description, when it names one. `number_of` maps a
    signal name to the target's number for it (SBUnixSignals.GetSignalNumberFromName)."""
    number = EXIT_SIGNAL_NUMBER_RE.search(description or "")
    if number:
        return int(number.group(1))
    name = EXIT_SIGNAL_NAME_RE.search(description or "")
    if name:
        signo = number_of(name.group(1))
        return signo if signo > 0 else None
    return None


def exit_signal(
    status: int,
    description: str | None,
    likely_signals: Iterable[int | None],
    number_of: Callable[[str], int],
) -> int | None:
    """The signal that ended the process: named in LLDB's exit description, else one of
    `likely_signals` (sent or passed to it) equal to the status. LLDB on Linux reports death by
    signal N as status N with no description."""
    named = exit_signal_from_description(description, number_of)
    if named is not None:
        return named
    for signo in likely_signals:
        if signo is not None and signo == status:
            return signo
    return None
