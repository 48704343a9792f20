"""The config reference, read from the key declarations.

``python -m entry.config TYPE`` prints every key of a policy type's runs (default, meaning, on resume,
DI-engine status); ``--diff FILE`` shows where a config file departs from the defaults (and which DI-engine
defaults it relies on where ding_lite's differ); ``--markdown [OUT]`` writes docs/config_reference.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "config_reference.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="entry.config", description=__doc__.split("\n")[0])
    parser.add_argument("type", nargs="?", help="policy type (ppo, dqn, td3, ...)")
    parser.add_argument("--diff", metavar="FILE", help="a config file: its keys that depart from the defaults")
    parser.add_argument("--markdown", nargs="?", const=str(REFERENCE), metavar="OUT",
                        help=f"write the reference of every type (default: {REFERENCE})")
    args = parser.parse_args(argv)
    from configs import SEARCH_PATH
    from ding_lite.config import ConfigError, load_config_file
    from ding_lite.config.reference import diff_text, reference_markdown, reference_text, relied_on_differing_defaults
    from ding_lite.pipeline.serial import policy_type
    from ding_lite.pipeline.tree import compile_run_config, every_policy_keys, pipeline_keys
    from ding_lite.policy.registry import get_policy_class

    try:
        if args.markdown:
            Path(args.markdown).write_text(reference_markdown(every_policy_keys()) + "\n", encoding="utf-8")
            print(f"wrote {args.markdown}")
        elif args.diff:
            main_cfg, create_cfg, path = load_config_file(args.diff, SEARCH_PATH)
            name = policy_type(main_cfg, create_cfg, args.type or "ppo")
            policy_cls = get_policy_class(name)
            cfg = compile_run_config(main_cfg, create_cfg, policy_cls)
            keys = pipeline_keys(policy_cls)
            print(f"{path} (policy type '{name}')")
            print(diff_text(cfg, keys))
            for note in relied_on_differing_defaults(main_cfg, keys):
                print(f"note: {note}")
        elif args.type:
            print(reference_text(args.type, pipeline_keys(get_policy_class(args.type))))
        else:
            parser.error("give a policy TYPE, --diff FILE or --markdown")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
