"""`python -m dashboard`: the same functions the pages use, printing plain numbers.

Each sub-command lives in its own module with `register(subparsers)`; the
module sets `func` on its parser.
"""
from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = ("metric", "demo", "load", "users", "bench", "digest")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="导购私域经营看板 — command line over the dashboard's own metrics, loader and users.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"cli.{name}"):
                continue  # not built yet
            raise
        module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130
    except (FileNotFoundError, ValueError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
