"""Is test_learn_state_round_trips_exactly able to fail? Skip the restore of one registered optimizer, counter
or generator at a time (the policy keeps its own value of that one) and run the test for every policy.

    python bench/break_restore_check.py     # one line per (policy, skipped item): the test must fail on each
"""
import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tests.unit.test_policy_contract as t
from ding_lite.policy.base import Policy

orig = Policy.load_state_dict_learn
def skipping(kind, item):
    def load(self, state, restore_rng=True):
        if kind == "module":
            keep = copy.deepcopy(self.learn_modules()[item].state_dict()) if item in self.learn_modules() else None
        elif kind == "counter":
            keep = getattr(self, item, None)
        else:
            keep = getattr(self, f"{item}_generator").get_state()
        orig(self, state, restore_rng)
        if kind == "module" and keep is not None:
            self.learn_modules()[item].load_state_dict(keep)
        elif kind == "counter" and keep is not None:
            setattr(self, item, keep)
        elif kind == "generator":
            getattr(self, f"{item}_generator").set_state(keep)
    return load

results = {}
for name in t.NAMES:
    p = t.compiled_policy(name)
    breaks = [("module", o) for o in p._lr_keys] + [("counter", c) for c in p._counters] + \
             [("generator", "collect"), ("generator", "learn")]
    for kind, item in breaks:
        Policy.load_state_dict_learn = skipping(kind, item)
        try:
            t.test_learn_state_round_trips_exactly(name)
            outcome = "PASSED (not caught!)"
        except AssertionError as e:
            outcome = "failed: " + str(e).splitlines()[0][:60]
        finally:
            Policy.load_state_dict_learn = orig
        print(f"{name:14s} {kind:9s} {item:18s} {outcome}", flush=True)
