"""dx.follow_rules: the process follower's pure decisions, for both policies."""

from __future__ import annotations

from dx import follow_rules as rules

SIGNALS = {"SIGKILL": 9, "SIGSEGV": 11}


def number_of(name):
    return SIGNALS.get(name, -1)


def test_seconds_left_rounds_up_and_is_0_only_past_the_deadline():
    assert rules.seconds_left(None, 100.0) == rules.IDLE_WAIT_S
    assert rules.seconds_left(102.2, 100.0) == 3
    assert rules.seconds_left(100.01, 100.0) == 1
    assert rules.seconds_left(100.0, 100.0) == 0
    assert rules.seconds_left(99.0, 100.0) == 0


def test_the_experiment_s_call_stays_within_the_capture_s_deadline():
    assert rules.call_timeout(None, 0.0, 20) == 20
    assert rules.call_timeout(5.0, 0.0, 20) == 5.0
    assert rules.call_timeout(100.0, 0.0, 20) == 20
    assert rules.call_timeout(0.5, 0.0, 20) == 1  # at least a second


def test_capture_infers_the_signal_it_killed_with_or_delivered():
    likely = rules.capture_likely_signals(9, None)
    assert rules.exit_fields(9, None, likely, number_of) == {
        "status": 9,
        "signal": 9,
        "description": None,
    }
    likely = rules.capture_likely_signals(None, 11)
    assert rules.exit_fields(11, None, likely, number_of)["signal"] == 11
    assert rules.exit_fields(3, None, likely, number_of)["signal"] is None  # exit(3)


def test_watch_believes_killed_only_from_lldb_s_description():
    assert rules.watch_likely_signals("killed", 9, None) == (9, None)
    assert rules.watch_likely_signals(None, 9, 11) == (None, 11)
    likely = rules.watch_likely_signals("killed", 9, None)
    assert rules.exit_fields(9, "killed", likely, number_of)["signal"] == 9
    assert (
        rules.exit_fields(9, None, rules.watch_likely_signals(None, 9, None), number_of)["signal"]
        is None
    )


def test_a_replaced_process_has_no_status_to_read():
    fields = rules.replaced_exit_fields()
    assert fields == {"status": -1, "description": rules.REPLACED_DESCRIPTION}
    assert list(fields) == ["status", "description"]


def test_exit_fields_keep_the_event_s_field_order():
    assert list(rules.exit_fields(0, None, (None, None), number_of)) == [
        "status",
        "signal",
        "description",
    ]


def test_watch_takes_a_process_once_and_only_with_a_pid():
    assert rules.is_new_process(None, 1, True)
    assert not rules.is_new_process(1, 1, True)  # the one followed
    assert rules.is_new_process(1, 2, True)  # `run` again
    assert not rules.is_new_process(None, 2, False)  # no process launched yet
