"""dx.early_write: which probe stop is the experiment's (armed per dx-run launch)."""

from __future__ import annotations

from dx import early_write


class Thread:
    def __init__(self, tid):
        self.tid = tid

    def GetThreadID(self):  # noqa: N802 - SBThread's name
        return self.tid


def test_only_a_dx_run_launch_of_a_spec_that_asks_stops_at_exit():
    asked = early_write.EarlyWrite(True)
    asked.arm(capture=False)  # a person's `run`, or dx-watch
    assert not asked.claims("process-exit", "exit", Thread(1))
    not_asked = early_write.EarlyWrite(False)
    not_asked.arm(capture=True)
    assert not not_asked.claims("process-exit", "exit", Thread(1))


def test_the_first_exit_hit_is_claimed_once_and_taken_once():
    experiment = early_write.EarlyWrite(True)
    experiment.arm(capture=True)
    assert not experiment.claims("process-exit", "_exit", Thread(1))  # not the program's exit()
    assert not experiment.claims("main", "exit", Thread(1))
    assert experiment.claims("process-exit", "exit", Thread(7))
    assert not experiment.claims("process-exit", "exit", Thread(8))  # one per run
    assert experiment.take() == 7
    assert experiment.take() is None


def test_arming_again_forgets_an_untaken_stop():
    experiment = early_write.EarlyWrite(True)
    experiment.arm(capture=True)
    experiment.claims("process-exit", "exit", Thread(7))
    experiment.arm(capture=True)
    assert experiment.take() is None
    assert experiment.claims("process-exit", "exit", Thread(9))
