"""The probes of a spec and their modes, pure: which breakpoint hits are reported, and what a hit
does to the other probes. No LLDB import: a probe's breakpoint is any object with SetEnabled
(an SBBreakpoint in LLDB, a fake in lldb-scripts/tests).

    every           every hit is reported
    once            the first hit; then spent
    once-per-write  the first hit, and again after each __llvm_profile_write_file hit
    until-main      every hit until main is reached (shared libraries loaded by then)
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator

    from .spec import ProbeRow

MAIN_ROLE = "main"
PROFILE_WRITE_ROLE = "profile-write"
WRITE_TRIGGER_SYMBOL = "__llvm_profile_write_file"  # re-arms the once-per-write probes
ATEXIT_SYMBOL = "atexit"
EXIT_SYMBOL = "exit"  # --census (list) reads the exit handler list at its first hit
CXA_ATEXIT_SYMBOL = "__cxa_atexit"  # glibc's atexit tail-calls it: one registration, two hits
SPENT_AFTER_HIT = ("once", "once-per-write")


@dataclass
class Probe:
    """One breakpoint: a (probe row, symbol) pair of the spec."""

    role: str
    symbol: str
    mode: str
    reads_registered: bool
    breakpoint: object  # SetEnabled(bool); in LLDB also what probe-resolved reports
    spent: bool = False  # disabled by its mode until re-armed

    @classmethod
    def of(cls, row: ProbeRow, symbol: str, breakpoint: object) -> Probe:
        return cls(row.role, symbol, row.mode, row.reads_registered_function, breakpoint)

    def disable(self, keep_enabled: bool = False) -> None:
        """keep_enabled (dx-watch): the breakpoint stays in place and its hits are ignored, so
        that re-arming needs no breakpoint change before the next process runs."""
        self.spent = True
        if not keep_enabled:
            self.breakpoint.SetEnabled(False)

    def arm(self, keep_enabled: bool = False) -> None:
        self.spent = False
        if not keep_enabled:
            self.breakpoint.SetEnabled(True)


@dataclass
class Probes:
    """The probes by breakpoint id, in spec order, and the run's mode state."""

    by_id: dict[int, Probe] = field(default_factory=dict)
    keep_enabled: bool = False  # dx-watch: modes never change the breakpoints (Probe.disable)
    main_seen: bool = False

    def add(self, breakpoint_id: int, probe: Probe) -> None:
        self.by_id[breakpoint_id] = probe

    def get(self, breakpoint_id: int) -> Probe | None:
        return self.by_id.get(breakpoint_id)

    def __iter__(self) -> Iterator[Probe]:
        return iter(self.by_id.values())

    def ids(self) -> list[int]:
        return list(self.by_id)

    def clear(self) -> None:
        self.by_id = {}

    def arm(self) -> None:
        """Before each run: every probe armed, main not seen."""
        self.main_seen = False
        for probe in self.by_id.values():
            probe.arm(self.keep_enabled)

    def reportable(self, probe: Probe | None) -> bool:
        """A hit of a spent probe is another thread stopped at the same stop after it was spent."""
        return probe is not None and not probe.spent

    def after_hit(self, probe: Probe) -> bool:
        """The modes after a hit of `probe`. True at the run's first main hit: the caller does
        what main means, then calls end_until_main (unless it keeps them)."""
        if probe.mode in SPENT_AFTER_HIT:
            probe.disable(self.keep_enabled)
        if probe.symbol == WRITE_TRIGGER_SYMBOL:
            self.arm_mode("once-per-write")
        if probe.role == MAIN_ROLE and not self.main_seen:
            self.main_seen = True
            return True
        return False

    def arm_mode(self, mode: str) -> None:
        for probe in self.by_id.values():
            if probe.mode == mode and probe.spent:
                probe.arm(self.keep_enabled)

    def end_until_main(self) -> None:
        for probe in self.by_id.values():
            if probe.mode == "until-main":
                probe.disable(self.keep_enabled)


class HitFilter:
    """Hits that are not reported although their probe is live: a second name of the same stop,
    and the __cxa_atexit echo of an atexit call."""

    def __init__(self) -> None:
        self.last_hit: tuple | None = None  # (stop id, tid, pc) of the last reported hit
        self.pending_echo: dict[int, str] = {}  # tid -> address an atexit hit registered

    def reset(self) -> None:
        self.last_hit = None
        self.pending_echo = {}

    def same_stop(self, stop_id: int, tid: int, pc: int) -> bool:
        """Aliases (_exit/_Exit) and inlined names (mi_process_load in _mi_process_init) put two
        probes on one address: one stop, one report, under the first probe's name."""
        key = (stop_id, tid, pc)
        if key == self.last_hit:
            return True
        self.last_hit = key
        return False

    def atexit_echo(self, symbol: str, tid: int, registered: str | None) -> bool:
        """True for the __cxa_atexit hit that directly follows an atexit hit of the same call;
        `registered` is the address of the function being registered, when it was read."""
        expected = self.pending_echo.pop(tid, None)  # any hit on the thread ends "directly"
        if registered is None:
            return False
        if symbol == ATEXIT_SYMBOL:
            self.pending_echo[tid] = registered
            return False
        return symbol == CXA_ATEXIT_SYMBOL and expected == registered
