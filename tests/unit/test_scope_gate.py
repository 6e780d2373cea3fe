"""The scope gate: metric SQL never reads a base table directly, and every value
reaches SQL bound, so hostile filter values are only ever compared, never run."""
import re
from pathlib import Path

from builders import build_db, order_row, reader_for, store_row
from dashboard.scope import Filters, Scope, scoped_sql

ROOT = Path(__file__).resolve().parents[2]


def test_no_metric_reads_around_the_gate():
    offenders = [str(f.relative_to(ROOT)) for f in (ROOT / "dashboard" / "metrics").glob("*.py")
                 if re.search(r"\bmain\.\w+", f.read_text(encoding="utf-8"))]
    assert offenders == []


def test_values_are_bound_not_spliced():
    hostile = "华东' OR 1=1 --"
    sql, params = scoped_sql("SELECT 1", {}, Scope.of(regions=[hostile]), Filters.of(stores=[hostile]))
    assert hostile not in sql
    assert hostile in params["_scope_regions"] and hostile in params["_f_stores"]


def test_hostile_values_match_nothing(tmp_path):
    db = build_db(tmp_path / "s.duckdb", stores=[store_row("S1", region="华东")],
                  orders=[order_row("o1", "2026-01-01 10:00", "S1", 10)])
    for hostile in ("华东' OR 1=1 --", "S1'); DROP TABLE orders; --", "%", "*"):
        for filters in (Filters.of(regions=[hostile]), Filters.of(stores=[hostile]), Filters.of(brands=[hostile]),
                        Filters.of(cities=[hostile]), Filters.of(guides=[hostile])):
            assert reader_for(db, filters=filters).scalar("SELECT count(*) FROM orders") == 0
    assert reader_for(db).scalar("SELECT count(*) FROM orders") == 1  # table intact


def test_deny_all_scope_sees_nothing(tmp_path):
    db = build_db(tmp_path / "s.duckdb", stores=[store_row("S1")],
                  orders=[order_row("o1", "2026-01-01 10:00", "S1", 10)])
    assert reader_for(db, scope=Scope.nothing()).scalar("SELECT count(*) FROM orders") == 0
    assert reader_for(db, scope=Scope.of(regions=[])).scalar("SELECT count(*) FROM stores") == 0
