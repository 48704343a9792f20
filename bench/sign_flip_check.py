"""Does a sign error in a loss fail a learning test? Flip one loss at a time in a copy of this tree and run the
rows of tests/e2e/test_learning.py that use it (and the unit tests named beside them); print which row caught
which flip.

    python bench/sign_flip_check.py                    # every flip below (long: each failing row runs to its cap)
    python bench/sign_flip_check.py "iqn loss"         # only the named flips
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="sign_flip_")) / "tree"
FLIPS = [
    ("ppo total loss", "ding_lite/policy/ppo.py", "self.optimize(total,", "self.optimize(-total,", ["ppo", "ppo_offpolicy"]),
    ("a2c total loss", "ding_lite/policy/a2c.py", "self.optimize(total,", "self.optimize(-total,", ["a2c"]),
    ("pg total loss", "ding_lite/policy/pg.py", "self.optimize(total,", "self.optimize(-total,", ["pg"]),
    ("ppg policy loss", "ding_lite/policy/ppg.py", 'self.optimize(policy_loss - learn["entropy_weight"] * entropy_mean,', 'self.optimize(-(policy_loss - learn["entropy_weight"] * entropy_mean),', ["ppg_offpolicy"]),
    ("ppg value loss", "ding_lite/policy/ppg.py", "self.optimize(loss, self.value_optimizer,", "self.optimize(-loss, self.value_optimizer,", ["ppg_offpolicy"]),
    ("trpo surrogate", "ding_lite/policy/trpo.py", "loss = -(torch.exp(logp - old_logp) * adv).mean()", "loss = (torch.exp(logp - old_logp) * adv).mean()", ["trpo"]),
    ("dqn td loss", "ding_lite/policy/dqn.py", "info = self.finish_update(loss,", "info = self.finish_update(-loss,", ["dqn"]),
    ("c51 loss", "ding_lite/policy/c51.py", "grad = self.finish_update(loss,", "grad = self.finish_update(-loss,", ["c51", "rainbow"]),
    ("qrdqn loss", "ding_lite/policy/qrdqn.py", "grad = self.finish_update(loss,", "grad = self.finish_update(-loss,", ["qrdqn"]),
    ("iqn loss", "ding_lite/policy/iqn.py", "grad = self.finish_update(loss,", "grad = self.finish_update(-loss,", ["iqn"]),
    ("off-policy critic loss", "ding_lite/policy/actor_critic_off.py", "self.optimize(loss, self.critic_optimizer, None)", "self.optimize(-loss, self.critic_optimizer, None)", ["ddpg", "td3", "sac", "discrete_sac"]),
    ("ddpg/td3 actor loss", "ding_lite/policy/ddpg.py", "self.optimize(actor_loss,", "self.optimize(-actor_loss,", ["ddpg", "td3"]),
    ("sac actor loss", "ding_lite/policy/sac.py", "self.optimize(policy_loss, self.actor_optimizer, None)", "self.optimize(-policy_loss, self.actor_optimizer, None)", ["sac"]),
    ("sac alpha loss", "ding_lite/policy/sac.py", "self.optimize(loss, self.alpha_optimizer, None)", "self.optimize(-loss, self.alpha_optimizer, None)", ["sac"]),
    ("fqf quantile loss", "ding_lite/policy/fqf.py", "grad = self.finish_update(loss,", "grad = self.finish_update(-loss,", ["fqf"]),
    ("fqf fraction loss", "ding_lite/policy/fqf.py", "fraction_loss.backward(retain_graph=True)", "(-fraction_loss).backward(retain_graph=True)", ["fqf", "tests/unit/test_fqf_fractions.py"]),
    ("mdqn loss", "ding_lite/policy/mdqn.py", "grad = self.finish_update(loss,", "grad = self.finish_update(-loss,", ["mdqn"]),
    ("sql loss", "ding_lite/policy/sql.py", "grad = self.finish_update(loss,", "grad = self.finish_update(-loss,", ["sql"]),
    ("bdq loss", "ding_lite/policy/bdq.py", "info = self.finish_update(loss,", "info = self.finish_update(-loss,", ["bdq"]),
    ("d4pg critic loss", "ding_lite/policy/d4pg.py", "self.optimize(loss, self.critic_optimizer, None)", "self.optimize(-loss, self.critic_optimizer, None)", ["d4pg"]),
    ("d4pg actor loss", "ding_lite/policy/d4pg.py", "self.optimize(actor_loss, self.actor_optimizer, None)", "self.optimize(-actor_loss, self.actor_optimizer, None)", ["d4pg"]),
    ("dqn_stdim td loss", "ding_lite/policy/dqn_stdim.py", "**self.finish_update(loss, batch, per_sample)}", "**self.finish_update(-loss, batch, per_sample)}", ["dqn_stdim"]),
    ("dqn_stdim aux loss", "ding_lite/policy/dqn_stdim.py", "self.optimize(aux_learn, self.aux_optimizer, None)", "self.optimize(-aux_learn, self.aux_optimizer, None)", ["dqn_stdim"]),
    ("ppo_pg total loss", "ding_lite/policy/ppo_pg.py", "self.optimize(total,", "self.optimize(-total,", ["ppo_pg"]),
    ("ppo_stdim total loss", "ding_lite/policy/ppo_stdim.py", "grad_norm = self.optimize(total,", "grad_norm = self.optimize(-total,", ["ppo_stdim"]),
    ("ppo_stdim aux loss", "ding_lite/policy/ppo_stdim.py", "self.optimize(aux_learn, self.aux_optimizer, None)", "self.optimize(-aux_learn, self.aux_optimizer, None)", ["ppo_stdim"]),
    ("sqn q loss", "ding_lite/policy/sqn.py", "self.optimize(q_loss, self.optimizer, None)", "self.optimize(-q_loss, self.optimizer, None)", ["sqn"]),
    ("sqn alpha loss", "ding_lite/policy/sqn.py", "self.optimize(alpha_loss, self.alpha_optimizer, None)", "self.optimize(-alpha_loss, self.alpha_optimizer, None)", ["sqn"]),
    ("discrete sac actor loss", "ding_lite/policy/discrete_sac.py", "self.optimize(policy_loss, self.actor_optimizer, None)", "self.optimize(-policy_loss, self.actor_optimizer, None)", ["discrete_sac"]),
]
only = sys.argv[1:]
for label, file, old, new, rows in FLIPS:
    if only and label not in only:
        continue
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.copytree(SRC, WORK, ignore=shutil.ignore_patterns(".git", "__pycache__", "docs", "*_config", "results_*"))
    path = WORK / file
    text = path.read_text()
    assert text.count(old) == 1, (label, text.count(old))
    path.write_text(text.replace(old, new))
    for row in rows:  # a learning-test row, or a test file that checks the step's direction
        target = row if row.endswith(".py") else (
            f"tests/e2e/test_learning.py::test_the_trained_policy_clears_a_threshold_far_above_random[{row}]")
        out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", target],
                             check=False, cwd=WORK, capture_output=True, text=True)
        msg = [line for line in out.stdout.splitlines() if "AssertionError" in line]
        verdict = "FAILED (caught)" if out.returncode else "passed (NOT caught)"
        print(f"{label:26s} row {row:14s} {verdict} {msg[0].strip()[:150] if msg else ''}", flush=True)
