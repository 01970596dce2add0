"""dx.signals: which signal ended a process, from LLDB's exit description or the likely ones."""

from __future__ import annotations

from dx import signals

LINUX = {"SIGKILL": 9, "SIGSEGV": 11, "SIGABRT": 6, "SIGTERM": 15}


def number_of(name):
    return LINUX.get(name, -1)  # SBUnixSignals.GetSignalNumberFromName: -1 when unknown


def test_a_number_in_the_description():
    assert signals.exit_signal_from_description("Terminated due to signal 9", number_of) == 9
    assert signals.exit_signal_from_description("signal 15 ", number_of) == 15


def test_a_name_in_the_description_is_the_target_s_number():
    assert signals.exit_signal_from_description("killed by signal SIGSEGV", number_of) == 11
    assert signals.exit_signal_from_description("SIGNOPE happened", number_of) is None


def test_no_signal_in_the_description():
    for description in (None, "", "killed", "exited with status = 3"):
        assert signals.exit_signal_from_description(description, number_of) is None


def test_exit_signal_prefers_the_description_then_a_likely_signal_equal_to_the_status():
    assert signals.exit_signal(9, "signal SIGABRT", (9,), number_of) == 6
    assert signals.exit_signal(9, None, (None, 9), number_of) == 9  # Linux: status N, no text
    assert signals.exit_signal(9, None, (15, None), number_of) is None  # a plain exit(9)
    assert signals.exit_signal(0, None, (None, None), number_of) is None


def test_fault_address_in_a_stop_description():
    text = "signal SIGSEGV: address not mapped to object (fault address: 0x4)"
    assert signals.fault_address_in(text) == "0x4"
    assert signals.fault_address_in("signal SIGSEGV") is None
    assert signals.fault_address_in(None) is None


def test_crash_signals_are_reported_and_sigint_is_not():
    assert {"SIGSEGV", "SIGABRT", "SIGBUS"} <= signals.CRASH_SIGNALS
    assert not {"SIGINT", "SIGSTOP", "SIGKILL", "SIGTERM"} & signals.CRASH_SIGNALS
    assert signals.FAULT_SIGNALS <= signals.CRASH_SIGNALS
