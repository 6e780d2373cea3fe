"""The CLI refuses what it cannot answer honestly, with a clear message and exit
2, never a traceback: dates outside the supported range, option values outside
an option's declared bounds or choices (for every metric, from base.Option), and
a sub-command module that fails to import is an error, not a missing command."""
import subprocess
import sys
from pathlib import Path

import pytest

from builders import build_db, order_row, store_row
from dashboard.metrics import METRICS, resolved_options
from dashboard.metrics.base import Metric, Option

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("cli") / "c.duckdb", stores=[store_row("S1")],
                    orders=[order_row("o1", "2026-03-10 10:00", "S1", 100)])


def cli(db, *args):
    return subprocess.run([sys.executable, "-m", "dashboard", "metric", *args, "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ["kpis", "--start", "0001-01-01"],
    ["kpis", "--start", "9999-12-01"],
    ["kpis", "--start", "2026-03-01", "--end", "9999-12-31"],
    ["morning-summary", "--as-of", "0001-01-01"],
    ["morning-summary", "--as-of", "9999-12-31"],
])
def test_extreme_dates_are_a_clear_error(db, args):
    r = cli(db, *args)
    assert r.returncode == 2, r.stderr
    assert "outside the supported dates" in r.stderr and "Traceback" not in r.stderr and r.stdout == ""


@pytest.mark.parametrize("value", ["0", "-1", "-5"])
def test_fall_places_must_be_positive(db, value):
    r = cli(db, "morning-attention", "--as-of", "2026-03-10", "--fall-places", value)
    assert r.returncode == 2 and "--fall-places must be at least 1" in r.stderr and "Traceback" not in r.stderr


def test_a_valid_option_still_answers(db):
    r = cli(db, "morning-attention", "--as-of", "2026-03-10", "--fall-places", "1")
    assert r.returncode == 0, r.stderr


def test_options_are_checked_from_their_declaration():
    m = Metric("t", lambda r, a: None, (), "one row", options={
        "k": Option(int, 3, "k", minimum=1, maximum=9), "w": Option(int, 30, "w", choices=(7, 30, 90))})
    assert resolved_options(m, {"k": 2, "w": 7}) == (("k", 2), ("w", 7))
    for bad in ({"k": 0}, {"k": 10}, {"w": 8}, {"k": "x"}):
        with pytest.raises(ValueError):
            resolved_options(m, bad)
    # Every registered metric's defaults pass their own checks.
    for metric in METRICS.values():
        resolved_options(metric)


def test_a_broken_subcommand_module_raises(tmp_path, monkeypatch):
    import dashboard.cli as cli_pkg
    (tmp_path / "zz_broken.py").write_text("import a_module_that_does_not_exist_anywhere\n", encoding="utf-8")
    monkeypatch.setattr(cli_pkg, "__path__", [*cli_pkg.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "dashboard.cli.zz_broken", raising=False)
    with pytest.raises(ModuleNotFoundError, match="a_module_that_does_not_exist_anywhere"):
        cli_pkg.build_parser()
