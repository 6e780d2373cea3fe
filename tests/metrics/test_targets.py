"""达成率 against 时间进度 (SPEC.md "Targets") on hand-built months: November
(30 days), December (31, as of its last day), February 2026 (28); a store
opened mid-month, a target of 0, a guide who left, a guide selling in another
store. Every expected number is worked out by hand next to the data."""
from datetime import date

import pandas as pd
import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard.cli import main
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Scope


def target(month, level, target_id, sales, wemall=None):
    return {"month": month, "level": level, "target_id": target_id, "sales_target": sales, "wemall_target": wemall}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_db(
        tmp_path_factory.mktemp("tg") / "tg.duckdb",
        stores=[store_row("S1"), store_row("S2", region="华南", opened_on=date(2026, 11, 5)),
                store_row("S3"), store_row("S4")],
        guides=[guide_row("G1", "S1"), guide_row("G2", "S1", left_on=date(2026, 11, 4)), guide_row("G3", "S2")],
        orders=[
            order_row("a1", "2026-11-01 00:00", "S1", 4000, channel="wemall"),
            order_row("a2", "2026-11-10 23:59:59", "S1", 6000, refund_amount=1000),   # net 5000
            order_row("a0", "2026-10-31 23:59:59", "S1", 9999),                       # last month
            order_row("a3", "2026-11-11 00:00", "S1", 7777),                          # after the as-of day
            order_row("b1", "2026-11-06 12:00", "S2", 6000),
            order_row("c1", "2026-11-03 12:00", "S3", 500),
            order_row("d1", "2026-11-03 12:00", "S4", 800),                           # S4 has no target
            # Guides' sales are rung up at S4 (no target), so the store numbers above stay as they are:
            # a guide's sales are what orders credit to them, whatever the store.
            order_row("g1", "2026-11-02 12:00", "S4", 2000, guide_id="G1"),
            order_row("g2", "2026-11-03 12:00", "S4", 1000, guide_id="G1"),
            order_row("g3", "2026-11-02 12:00", "S4", 1200, guide_id="G2"),           # before G2 left
            order_row("e1", "2026-12-15 12:00", "S1", 31000),
            order_row("f1", "2026-02-01 12:00", "S1", 7000),
        ],
        targets=[
            target("2026-11", "store", "S1", 30000, 8000), target("2026-11", "store", "S2", 12000),
            target("2026-11", "store", "S3", 0), target("2026-10", "store", "S1", 99999),
            target("2026-11", "guide", "G1", 5000), target("2026-11", "guide", "G2", 6000),
            target("2026-11", "guide", "G3", 1000),
            target("2026-12", "store", "S1", 31000), target("2026-02", "store", "S1", 28000),
        ],
    )


def run(db, as_of, level="store", scope=None, name="target-attainment"):
    args = MetricArgs(Period(as_of, as_of), as_of, (("level", level),) if name == "target-attainment" else ())
    return METRICS[name](reader_for(db, scope), args).set_index("id" if name != "target-summary" else "month")


def test_november_30_days_store_level(db):
    df = run(db, date(2026, 11, 10))
    assert list(df.index) == ["S1", "S2", "S3"]          # S4 has no target; the October one is not this month
    assert set(df["month"]) == {"2026-11"}
    assert df["time_progress"].tolist() == pytest.approx([10 / 30] * 3)
    assert df["days_left"].tolist() == [20, 20, 20]
    s1 = df.loc["S1"]
    # sales 4000 + 5000 (net of the refund) = 9000; 9000/30000 = 0.3 < 1/3: behind
    assert s1["sales_mtd"] == 9000 and s1["target"] == 30000
    assert s1["attainment"] == pytest.approx(0.3) and bool(s1["behind"])
    assert s1["gap"] == pytest.approx(30000 / 3 - 9000)                 # 1000
    assert s1["needed_per_day"] == pytest.approx((30000 - 9000) / 20)   # 1050
    assert s1["wemall_sales_mtd"] == 4000 and s1["wemall_attainment"] == pytest.approx(0.5)
    # S2 opened on the 5th: measured against the calendar month all the same
    s2 = df.loc["S2"]
    assert s2["attainment"] == pytest.approx(0.5) and not bool(s2["behind"])
    assert s2["gap"] == pytest.approx(4000 - 6000) and s2["needed_per_day"] == pytest.approx(300)
    assert pd.isna(s2["wemall_target"]) and pd.isna(s2["wemall_attainment"])
    # a target of 0: no attainment, never behind; gap and need by the formulas
    s3 = df.loc["S3"]
    assert pd.isna(s3["attainment"]) and not bool(s3["behind"])
    assert s3["gap"] == pytest.approx(-500) and s3["needed_per_day"] == pytest.approx(-25)
    assert s1["name"] == "门店S1" and s2["region"] == "华南"


def test_guides_credited_sales_and_a_guide_who_left(db):
    df = run(db, date(2026, 11, 10), "guide")
    assert list(df.index) == ["G1", "G2", "G3"]
    g1 = df.loc["G1"]
    # 2000 + 1000 credited (at S4, not G1's store S1): guide sales = net credited on orders.guide_id
    assert g1["sales_mtd"] == 3000 and g1["attainment"] == pytest.approx(0.6) and not bool(g1["behind"])
    assert g1["gap"] == pytest.approx(5000 / 3 - 3000) and g1["needed_per_day"] == pytest.approx(100)
    assert g1["store_id"] == "S1" and g1["name"] == "导购G1"
    g2 = df.loc["G2"]  # left on the 4th: still measured against the month's target
    assert g2["sales_mtd"] == 1200 and g2["attainment"] == pytest.approx(0.2) and bool(g2["behind"])
    assert g2["gap"] == pytest.approx(2000 - 1200) and g2["needed_per_day"] == pytest.approx(240)
    g3 = df.loc["G3"]  # no sale yet
    assert g3["sales_mtd"] == 0 and g3["attainment"] == 0 and bool(g3["behind"])


def test_december_31_days_on_the_last_day(db):
    s1 = run(db, date(2026, 12, 31)).loc["S1"]
    assert s1["time_progress"] == 1 and s1["days_left"] == 0
    assert s1["attainment"] == pytest.approx(1.0) and not bool(s1["behind"])   # 1.0 < 1.0 is false
    assert s1["gap"] == pytest.approx(0) and pd.isna(s1["needed_per_day"])    # no days left


def test_february_28_days(db):
    s1 = run(db, date(2026, 2, 14)).loc["S1"]
    assert s1["time_progress"] == pytest.approx(0.5) and s1["days_left"] == 14
    assert s1["attainment"] == pytest.approx(0.25) and bool(s1["behind"])
    assert s1["gap"] == pytest.approx(7000) and s1["needed_per_day"] == pytest.approx(21000 / 14)


def test_scope_hides_other_regions_targets(db):
    south = Scope.of(regions=["华南"])
    assert list(run(db, date(2026, 11, 10), "store", south).index) == ["S2"]
    assert list(run(db, date(2026, 11, 10), "guide", south).index) == ["G3"]
    assert run(db, date(2026, 11, 10), "store", Scope.nothing()).empty


def test_summary_by_region_and_behind_pace(db):
    s = run(db, date(2026, 11, 10), name="target-summary").loc["2026-11"]
    # targets 30000 + 12000 + 0; sales 9000 + 6000 + 500
    assert s["target"] == 42000 and s["sales_mtd"] == 15500
    assert s["attainment"] == pytest.approx(15500 / 42000) and s["gap"] == pytest.approx(14000 - 15500)
    assert s["needed_per_day"] == pytest.approx((42000 - 15500) / 20)
    assert s["stores"] == 3 and s["behind_stores"] == 1 and not bool(s["behind"])
    args = MetricArgs(Period(date(2026, 11, 10), date(2026, 11, 10)), date(2026, 11, 10))
    regions = METRICS["target-by-region"](reader_for(db), args)
    assert regions["region"].tolist() == ["华东", "华南"]         # 9500/30000 behind first, then 0.5
    assert regions["attainment"].tolist() == pytest.approx([9500 / 30000, 0.5])
    behind = METRICS["morning-behind-pace"](reader_for(db), args)
    # stores first (S1), then guides by gap descending: G2 800, G3 1000/3 ≈ 333
    assert list(zip(behind["level"], behind["id"])) == [("store", "S1"), ("guide", "G2"), ("guide", "G3")]


def test_leaderboards_carry_the_months_attainment(db):
    args = MetricArgs(Period(date(2026, 11, 1), date(2026, 11, 10)), date(2026, 11, 10))
    board = METRICS["store-leaderboard"](reader_for(db), args).set_index("store_id")
    assert board.loc["S1", "attainment"] == pytest.approx(0.3) and pd.isna(board.loc["S4", "attainment"])
    guides = METRICS["guide-leaderboard"](reader_for(db), args).set_index("guide_id")
    assert guides.loc["G1", "attainment"] == pytest.approx(0.6)


def test_cli_prints_plain_numbers_and_empty_where_undefined(db, capsys):
    assert main(["metric", "target-attainment", "--db", str(db), "--as-of", "2026-11-10", "--level", "store"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split(",")
    assert header[:8] == ["id", "month", "sales_mtd", "target", "attainment", "time_progress", "gap", "needed_per_day"]
    s3 = dict(zip(header, next(ln for ln in lines if ln.startswith("S3,")).split(",")))
    assert s3["attainment"] == "" and s3["target"] == "0" and s3["behind"] == "false" and s3["gap"] == "-500"
    with pytest.raises(SystemExit):
        main(["metric", "target-attainment", "--db", str(db), "--level"])


def test_unknown_level_is_an_error(db):
    with pytest.raises(ValueError, match="level"):
        run(db, date(2026, 11, 10), "region")


@pytest.mark.parametrize("scope", [None, Scope(regions=("华南",)), Scope(regions=("华北",))])
@pytest.mark.parametrize("as_of", [date(2026, 11, 10), date(2026, 12, 31), date(2026, 2, 1)])
def test_one_level_from_both_levels_rows_equals_its_own_query(db, scope, as_of):
    """One level is served from both levels' rows (one query per as-of day):
    the same frame as that level's own query (rows, order, dtypes), also where
    a scope or a month leaves a level empty."""
    from dashboard.metrics.base import clear_memos
    from dashboard.metrics.target_attainment import LEVELS, _ROWS, _attainment_rows, attainment_rows
    for level in LEVELS:
        clear_memos()
        alone = _attainment_rows(reader_for(db, scope), as_of, (level,))   # that level's own query
        served = attainment_rows(reader_for(db, scope), as_of, level)
        assert _ROWS.peek(reader_for(db, scope), (as_of, LEVELS)) is not None   # served from both levels' rows
        pd.testing.assert_frame_equal(served, alone)
