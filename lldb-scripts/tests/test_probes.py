"""dx.probes: the probe modes (once, until-main, once-per-write and its re-arm at
__llvm_profile_write_file) and the hits that are not reported, on fake breakpoints."""

from __future__ import annotations

from dx.probes import HitFilter, Probe, Probes
from dx.spec import ProbeRow


class FakeBreakpoint:
    def __init__(self):
        self.enabled = True
        self.changes = 0

    def SetEnabled(self, enabled):  # noqa: N802 - SBBreakpoint's name
        self.enabled = enabled
        self.changes += 1


ROWS = (
    ProbeRow("main", ("main",), "once"),
    ProbeRow("allocator-init", ("mi_process_load",), "until-main"),
    ProbeRow(
        "profile-write", ("__llvm_profile_write_file", "lprofWriteDataImpl"), "once-per-write"
    ),
    ProbeRow("process-exit", ("exit",), "every"),
)


def probes(keep_enabled=False):
    found = Probes(keep_enabled=keep_enabled)
    for row in ROWS:
        for symbol in row.symbols:
            found.add(len(found.by_id) + 1, Probe.of(row, symbol, FakeBreakpoint()))
    found.arm()
    return found


def named(found, symbol):
    return next(p for p in found if p.symbol == symbol)


def live(found):
    return [p.symbol for p in found if found.reportable(p)]


def hit(found, symbol):
    probe = named(found, symbol)
    assert found.reportable(probe), symbol
    return found.after_hit(probe)


def test_once_is_spent_after_its_first_hit_and_its_breakpoint_disabled():
    found = probes()
    hit(found, "main")
    main = named(found, "main")
    assert main.spent and not main.breakpoint.enabled
    assert not found.reportable(main)


def test_until_main_stays_until_main_is_reached_then_ends():
    found = probes()
    hit(found, "mi_process_load")
    hit(found, "mi_process_load")
    assert found.reportable(named(found, "mi_process_load"))
    assert hit(found, "main") is True  # the caller does what main means
    found.end_until_main()
    assert not found.reportable(named(found, "mi_process_load"))
    assert not named(found, "mi_process_load").breakpoint.enabled


def test_only_the_first_main_of_a_run_says_so():
    found = probes()
    assert hit(found, "main") is True
    named(found, "main").arm()
    assert hit(found, "main") is False
    found.arm()  # the next run
    assert hit(found, "main") is True


def test_once_per_write_is_re_armed_by_each_llvm_profile_write_file_hit():
    found = probes()
    hit(found, "lprofWriteDataImpl")
    assert not found.reportable(named(found, "lprofWriteDataImpl"))
    hit(found, "__llvm_profile_write_file")  # the trigger: spent itself, re-arms the others...
    assert found.reportable(named(found, "lprofWriteDataImpl"))
    assert found.reportable(named(found, "__llvm_profile_write_file"))  # ...and itself
    hit(found, "lprofWriteDataImpl")
    assert not found.reportable(named(found, "lprofWriteDataImpl"))


def test_every_is_never_spent():
    found = probes()
    for _ in range(3):
        hit(found, "exit")
    assert found.reportable(named(found, "exit"))
    assert named(found, "exit").breakpoint.changes == 1  # only the arm


def test_arm_restores_every_probe_for_the_next_run():
    found = probes()
    for symbol in ("main", "lprofWriteDataImpl", "mi_process_load"):
        hit(found, symbol)
    found.end_until_main()
    found.arm()
    assert live(found) == [p.symbol for p in found]
    assert all(p.breakpoint.enabled for p in found)


def test_keep_enabled_never_touches_a_breakpoint():
    """dx-watch: spent probes are ignored, not disabled, so a person's `breakpoint disable` is
    left alone and no re-arm comes too late for a run."""
    found = probes(keep_enabled=True)
    before = [p.breakpoint.changes for p in found]
    hit(found, "main")
    found.end_until_main()
    hit(found, "lprofWriteDataImpl")
    hit(found, "__llvm_profile_write_file")
    found.arm()
    assert [p.breakpoint.changes for p in found] == before
    assert named(found, "main").spent is False


def test_an_unknown_breakpoint_is_not_reportable():
    found = probes()
    assert found.get(999) is None
    assert not found.reportable(found.get(999))


def test_one_stop_one_report_under_the_first_name():
    hits = HitFilter()
    assert not hits.same_stop(7, 1, 0x1000)  # _exit
    assert hits.same_stop(7, 1, 0x1000)  # _Exit, same address, same stop
    assert not hits.same_stop(7, 2, 0x1000)  # another thread
    assert not hits.same_stop(8, 2, 0x1000)  # the next stop
    hits.reset()
    assert not hits.same_stop(8, 2, 0x1000)


def test_the_cxa_atexit_echo_of_an_atexit_call_is_dropped():
    hits = HitFilter()
    assert not hits.atexit_echo("atexit", 1, "0x401000")
    assert hits.atexit_echo("__cxa_atexit", 1, "0x401000")  # glibc's atexit tail-calls it
    assert not hits.atexit_echo("__cxa_atexit", 1, "0x401000")  # a second, real registration


def test_an_echo_must_follow_directly_on_the_same_thread_with_the_same_function():
    hits = HitFilter()
    hits.atexit_echo("atexit", 1, "0x401000")
    assert not hits.atexit_echo("__cxa_atexit", 2, "0x401000")  # another thread
    assert not hits.atexit_echo("__cxa_atexit", 1, "0x402000")  # another function
    hits.atexit_echo("atexit", 1, "0x401000")
    assert not hits.atexit_echo("exit", 1, None)  # any hit in between ends "directly"
    assert not hits.atexit_echo("__cxa_atexit", 1, "0x401000")
