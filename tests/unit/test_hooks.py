"""Hook registry: priority order, frequency, failing hooks named with their position."""
import pytest

from ding_lite.worker.hooks import Hook, HookError, HookRegistry, RunContext, SaveCkptHook


def test_hooks_run_in_priority_order_then_registration_order():
    calls = []
    reg = HookRegistry()
    reg.register("after_iter", Hook("late", lambda c: calls.append("late"), priority=90))
    reg.register("after_iter", Hook("early", lambda c: calls.append("early"), priority=10))
    reg.register("after_iter", Hook("mid_a", lambda c: calls.append("mid_a"), priority=50))
    reg.register("after_iter", Hook("mid_b", lambda c: calls.append("mid_b"), priority=50))
    reg.call("after_iter", RunContext(train_iter=1))
    assert calls == ["early", "mid_a", "mid_b", "late"]


def test_plain_function_is_wrapped_and_named():
    def my_logger(ctx):
        pass
    hook = HookRegistry().register("before_run", my_logger, priority=5)
    assert (hook.name, hook.priority) == ("my_logger", 5)


def test_iter_frequency_follows_train_iter():
    fired = []
    reg = HookRegistry()
    reg.register("after_iter", lambda c: fired.append(c.train_iter), freq=3)
    for it in range(1, 11):
        reg.call("after_iter", RunContext(train_iter=it))
    assert fired == [3, 6, 9]


def test_other_positions_count_their_own_calls():
    fired = []
    reg = HookRegistry()
    reg.register("after_collect", lambda c: fired.append(c.envstep), freq=2)
    for step in range(5):
        reg.call("after_collect", RunContext(envstep=step))
    assert fired == [1, 3]


def test_failing_hook_names_itself_and_position():
    reg = HookRegistry()
    reg.register("after_eval", Hook("broken", lambda c: 1 / 0))
    with pytest.raises(HookError, match=r"hook 'broken' at after_eval failed: ZeroDivisionError"):
        reg.call("after_eval", RunContext())


def test_unknown_position_and_bad_frequency():
    with pytest.raises(ValueError, match="unknown hook position 'after_lunch'"):
        HookRegistry().register("after_lunch", lambda c: None)
    with pytest.raises(ValueError, match="frequency must be >= 1"):
        Hook("h", lambda c: None, freq=0)


def test_save_hook_fires_at_cycle_end_after_crossing_a_multiple():
    saved = []
    hook = SaveCkptHook(100, lambda c: saved.append(c.train_iter))
    hook.run(RunContext(train_iter=100, cycle_start_iter=96, cycle_end=False))
    hook.run(RunContext(train_iter=104, cycle_start_iter=96, cycle_end=True))
    hook.run(RunContext(train_iter=112, cycle_start_iter=104, cycle_end=True))
    hook.run(RunContext(train_iter=200, cycle_start_iter=192, cycle_end=True))
    assert saved == [104, 200]


def test_call_counts_survive_a_checkpoint():
    fired = []
    first = HookRegistry()
    first.register("after_collect", lambda c: fired.append(c.envstep), freq=3)
    for step in range(4):
        first.call("after_collect", RunContext(envstep=step))
    second = HookRegistry()
    second.register("after_collect", lambda c: fired.append(c.envstep), freq=3)
    second.load_state_dict(first.state_dict())
    for step in range(4, 7):
        second.call("after_collect", RunContext(envstep=step))
    assert fired == [2, 5]
