"""`python -m dashboard`: the same functions the pages use, printing plain numbers.

Each sub-command lives in its own module here with `register(subparsers)`; the
module sets `func` on its parser. Modules are discovered (a name starting with
"_" is a helper, not a sub-command), and imported without a safety net: a
sub-command module that fails to import raises, it never silently vanishes.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from ..store import SchemaMismatch

FIRST = ("metric", "demo", "load", "users", "bench")  # --help lists these first


def subcommands() -> list[str]:
    found = [i.name for i in pkgutil.iter_modules(__path__) if not i.name.startswith("_")]
    return [n for n in FIRST if n in found] + sorted(n for n in found if n not in FIRST)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="导购私域经营看板 — command line over the dashboard's own metrics, loader and users.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in subcommands():
        module = importlib.import_module(f".{name}", __name__)
        if not hasattr(module, "register"):
            raise ImportError(f"dashboard.cli.{name} has no register(subparsers): name helpers _{name}")
        module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from .. import config
        config.check()  # e.g. DASHBOARD_DEMO=maybe: refuse before anything acts on a guess
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130
    except (FileNotFoundError, ValueError, PermissionError, SchemaMismatch) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
