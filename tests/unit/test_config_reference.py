"""The reference is generated from the key declarations: docs/config_reference.md must be current."""
from ding_lite.config.reference import reference_markdown
from ding_lite.pipeline.tree import every_policy_keys
from entry.config import REFERENCE, main


def test_docs_config_reference_is_current() -> None:
    expected = reference_markdown(every_policy_keys()) + "\n"
    assert REFERENCE.read_text(encoding="utf-8") == expected, "run: python -m entry.config --markdown"


def test_the_reference_of_a_type_names_default_meaning_and_di_engine_status(capsys) -> None:
    assert main(["ppo"]) == 0
    out = capsys.readouterr().out
    assert "policy.learn.clip_ratio = 0.2\n    PPO's probability-ratio clip range  [change warned; same as DI-engine]" in out
    assert "policy.model.encoder_hidden_size_list" in out and "shapes saved state" in out


def test_diff_lists_the_departures_from_the_defaults(tmp_path, capsys) -> None:
    path = tmp_path / "c.py"
    path.write_text("main_config = dict(policy=dict(type='dqn', learn=dict(batch_size=32)))\n")
    assert main(["--diff", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 keys depart from the defaults:\npolicy.learn.batch_size = 32  (default 64)" in out


def test_an_unknown_type_is_one_sentence(capsys) -> None:
    assert main(["nosuch"]) == 2
    assert capsys.readouterr().err.startswith("error: config key 'policy.type' names 'nosuch'")


def test_the_reference_commands_in_docs_fidelity_run(capsys) -> None:
    text = (REFERENCE.parent / "fidelity.md").read_text(encoding="utf-8")
    commands = [line.split()[3:] for line in text.splitlines() if line.startswith("python -m entry.config ")]
    assert len(commands) == 2
    for argv in commands:
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "policy.other.replay_buffer.max_use = None" in out and "keys depart from the defaults" in out
