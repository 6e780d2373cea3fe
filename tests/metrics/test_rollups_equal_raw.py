"""Every metric read from the rollups equals the same metric computed from the
raw orders (tests/metrics/raw_reference.py: the former SQL), exactly, on
hand-built data made of the awkward cases and on a small demo, for every scope
and filter kind and for one day, a few days, a month and a year.

The hand-built data (one line per case):
- M1 buys at S1 from G1 and from G2 on the same day (one buyer, two rollup rows)
  and from G1 at S3 the day after (G1 sells in two stores, two regions);
- M2 buys in the previous period and again in the period (a buyer in both),
  in both regions; M6 buys at two stores of one region on one day;
- M3's only order in the period is refunded in full (net 0: no order, no buyer),
  and M3 bought in the previous period; M4's order is refunded in part;
- S1 and S2 tie on sales; guests (no member) buy; an order credits no guide;
- G3 left mid-period and G5 left before it yet is credited a sale;
- orders of stores the stores table does not know (no scope shows them), one
  before the same member's order in a known store;
- orders a year earlier (同比), one in a whole week of the year, and a store
  that sold nothing the as-of day;
- around the whole months a period reads from the monthly rollups (2026-01-15..
  03-04 reads February whole, its other days daily): M9 buys from G2 before the
  period in January and again in February (one buyer, counted on the monthly
  row: its previous day lies before the start); M10 buys from G2 in January
  inside the period, in February and on 1 March (one buyer, counted on its first
  day only); M11 buys from G4 twice in February; M12 buys on the last day of
  January and the first of February;
- around the whole weeks a period reads from the weekly rollups (outside its
  whole months; 2026-02-04..02-25 reads 02-09..02-15 and 02-16..02-22 weekly,
  its other days daily), all with G7 at S2: M13 buys twice in one week (one
  buyer on one weekly row) and, for a period starting mid-week, once before
  the start in the same week; M14's first order is refunded in full (no buyer)
  and M14 buys again the week after; M15 buys on a leftover day, on the
  Sunday ending one week and on the Monday starting the next (one buyer).
"""
from datetime import date, timedelta

import pandas as pd
import pytest

from builders import build_db, demo_scopes, guide_row, order_row, reader_for, store_row, unknown_store_rows
from dashboard import demo, rollups
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters, Scope

import raw_reference as raw

AS_OF = date(2026, 3, 4)


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    o = order_row
    return build_db(
        tmp_path_factory.mktemp("roll") / "roll.duckdb",
        stores=[store_row("S1", region="华东", city="上海", brand="B1"),
                store_row("S2", region="华东", city="杭州", brand="B1"),
                store_row("S3", region="华南", city="广州", brand="B2"),
                store_row("S4", region="华南", city="深圳", brand="B2", closed_on=date(2026, 2, 1))],
        guides=[guide_row("G1", "S1"), guide_row("G2", "S1"),
                guide_row("G3", "S2", left_on=date(2026, 3, 3)),
                guide_row("G4", "S3"), guide_row("G5", "S3", left_on=date(2026, 1, 1)),
                guide_row("G6", "S2", role="store_manager"), guide_row("G7", "S2")],
        orders=[
            # the period 2026-03-02..03-04
            o("o01", "2026-03-02 10:00", "S1", 100, guide_id="G1", member_id="M1"),
            o("o02", "2026-03-02 11:00", "S1", 50, guide_id="G2", member_id="M1", channel="wemall"),
            o("o03", "2026-03-03 12:00", "S3", 80, guide_id="G1", member_id="M1", channel="wemall"),
            o("o04", "2026-03-03 09:00", "S2", 150.5, guide_id="G3", member_id="M2"),  # S2 ties S1
            o("o05", "2026-03-02 15:00", "S2", 60, refund_amount=60, guide_id="G3", member_id="M3"),
            o("o06", "2026-03-04 15:00", "S3", 90, refund_amount=30, guide_id="G4", member_id="M4",
              channel="wemall"),
            o("o07", "2026-03-04 16:00", "S3", 20, guide_id="G5", member_id="M4"),
            o("o08", "2026-03-04 17:00", "S1", 0.5),                       # guest, no guide
            o("o09", "2026-03-03 18:00", "S9", 999, member_id="M1"),        # unknown store
            o("o11", "2026-03-02 10:00", "S0", 5, member_id="M8"),          # unknown store first, then
            o("o12", "2026-03-03 10:00", "S3", 5, member_id="M8"),          # a known one: M8 buys in scope
            o("o10", "2026-03-04 23:59:59", "S2", 0, guide_id="G6", member_id="M5"),  # net 0
            # previous period 02-27..03-01 (and the morning's previous days)
            o("p01", "2026-02-28 10:00", "S2", 70, guide_id="G3", member_id="M2", channel="wemall"),
            o("p02", "2026-03-01 10:00", "S2", 40, guide_id="G3", member_id="M3"),
            o("p03", "2026-02-27 10:00", "S1", 110, guide_id="G1", member_id="M6"),
            o("p04", "2026-02-26 10:00", "S3", 25, guide_id="G4", member_id="M2"),
            o("p05", "2026-01-20 10:00", "S4", 30, member_id="M2"),
            o("p06", "2026-02-27 12:00", "S2", 15, guide_id="G3", member_id="M6"),  # M6: two 华东 stores a day
            # a year earlier
            o("y01", "2025-03-02 10:00", "S1", 200, guide_id="G1", member_id="M1"),
            o("y02", "2025-03-03 10:00", "S3", 200, guide_id="G4", member_id="M1", channel="wemall"),
            o("y03", "2025-03-04 10:00", "S2", 90, refund_amount=10, guide_id="G3", member_id="M7"),
            o("y04", "2025-09-01 10:00", "S1", 10, guide_id="G2", member_id="M6"),
            o("y05", "2025-03-18 10:00", "S1", 7, guide_id="G2", member_id="M6"),  # a whole week of the year
            # around February, a whole month of 2026-01-15..03-04
            o("m01", "2026-01-10 10:00", "S1", 11, guide_id="G2", member_id="M9"),
            o("m02", "2026-02-10 10:00", "S1", 12, guide_id="G2", member_id="M9", channel="wemall"),
            o("m03", "2026-01-20 10:00", "S1", 13, guide_id="G2", member_id="M10"),
            o("m04", "2026-02-12 10:00", "S1", 14, refund_amount=4, guide_id="G2", member_id="M10"),
            o("m05", "2026-03-01 10:00", "S1", 15, guide_id="G2", member_id="M10"),
            o("m06", "2026-02-05 10:00", "S3", 16, guide_id="G4", member_id="M11"),
            o("m07", "2026-02-25 10:00", "S3", 17, guide_id="G4", member_id="M11", channel="wemall"),
            o("m08", "2026-01-31 23:59:59", "S2", 18, guide_id="G3", member_id="M12"),
            o("m09", "2026-02-01 00:00", "S2", 19, guide_id="G3", member_id="M12"),
            # around the whole weeks 02-09..02-15 and 02-16..02-22
            o("w01", "2026-02-10 10:00", "S2", 30, guide_id="G7", member_id="M13"),
            o("w02", "2026-02-12 10:00", "S2", 20, guide_id="G7", member_id="M13", channel="wemall"),
            o("w03", "2026-02-11 10:00", "S2", 40, refund_amount=40, guide_id="G7", member_id="M14"),
            o("w04", "2026-02-17 10:00", "S2", 25, guide_id="G7", member_id="M14"),
            o("w05", "2026-02-06 10:00", "S2", 9, guide_id="G7", member_id="M15"),
            o("w06", "2026-02-15 23:59:59", "S2", 12, guide_id="G7", member_id="M15"),
            o("w07", "2026-02-16 00:00", "S2", 13, guide_id="G7", member_id="M15", channel="wemall"),
        ])


SCOPES = {
    "hq": (Scope.everything(), Filters()),
    "east": (Scope.of(regions=["华东"]), Filters()),
    "south": (Scope.of(regions=["华南"]), Filters()),
    "store S1": (Scope.of(stores=["S1"]), Filters()),
    "brand B1": (Scope.everything(), Filters.of(brands=["B1"])),
    "city": (Scope.everything(), Filters.of(cities=["广州"])),
    "guide G1": (Scope.everything(), Filters.of(guides=["G1"])),
    "guides G1 G3": (Scope.everything(), Filters.of(guides=["G1", "G3"])),
    "east + G1": (Scope.of(regions=["华东"]), Filters.of(guides=["G1"])),
    "region filter south": (Scope.everything(), Filters.of(regions=["华南"])),
    "east, filter east + south": (Scope.of(regions=["华东"]), Filters.of(regions=["华东", "华南"])),
    "east, filter south": (Scope.of(regions=["华东"]), Filters.of(regions=["华南"])),
    "both regions": (Scope.of(regions=["华东", "华南"]), Filters()),
    "nothing": (Scope.nothing(), Filters()),
}

HAND_PERIODS = [Period(AS_OF, AS_OF), Period(date(2026, 3, 2), AS_OF), Period(date(2026, 3, 3), AS_OF),
                Period(date(2026, 2, 1), AS_OF), Period(date(2026, 1, 15), AS_OF),
                Period(date(2026, 1, 1), date(2026, 2, 28)), Period(AS_OF - timedelta(days=364), AS_OF),
                # whole weeks and no whole month: with days around them, exactly two, from mid-week
                Period(date(2026, 2, 4), date(2026, 2, 25)), Period(date(2026, 2, 9), date(2026, 2, 22)),
                Period(date(2026, 2, 11), date(2026, 2, 25)), Period(date(2026, 2, 16), date(2026, 2, 22))]


def reference(name: str, reader, args: MetricArgs) -> pd.DataFrame:
    """The metric `name` computed from the raw orders."""
    m = METRICS[name]
    p, day = args.period, args.as_of
    if name == "kpis":
        return pd.DataFrame([raw.kpis(reader, p)], columns=list(m.columns))
    # The leaderboards' target and attainment columns are compared with
    # target-attainment's below (test_leaderboard_targets_are_target_attainments_own).
    if name == "store-leaderboard":
        return raw.store_board(reader, p)
    if name == "guide-leaderboard":
        return raw.guide_board(reader, p)
    if name == "sales-trend":
        return raw.trend(reader, p)
    if name in ("sales-by-region", "sales-by-brand"):
        return raw.breakdown(reader, p, name.rsplit("-", 1)[1])
    if name == "guide-concentration":
        return pd.DataFrame([{**raw.concentration(reader, p), "top_share": 0.1}], columns=list(m.columns))
    if name == "morning-summary":
        return pd.DataFrame([raw.morning_summary(reader, day)], columns=list(m.columns))
    if name == "morning-stores":
        return raw.store_board(reader, Period(day, day))
    raise KeyError(name)


FAST = ("kpis", "store-leaderboard", "guide-leaderboard", "sales-trend", "sales-by-region", "sales-by-brand",
        "guide-concentration", "morning-summary", "morning-stores")


NOT_FROM_SALES = ("target", "attainment")  # from the targets table: checked against target-attainment below


def assert_same(got: pd.DataFrame, want: pd.DataFrame, label: str) -> None:
    got = got.drop(columns=[c for c in NOT_FROM_SALES if c in got.columns and c not in want.columns])
    got = got.reset_index(drop=True)
    want = want.reset_index(drop=True)
    assert list(got.columns) == list(want.columns), label
    assert len(got) == len(want), f"{label}: {len(got)} rows, want {len(want)}"
    for c in want.columns:
        g, w = got[c].tolist(), want[c].tolist()
        same = [(pd.isna(a) and pd.isna(b)) if (pd.api.types.is_scalar(a) and pd.isna(a)) or
                (pd.api.types.is_scalar(b) and pd.isna(b)) else a == b for a, b in zip(g, w)]
        assert all(same), f"{label} column {c}: {g} != {w}"


@pytest.mark.parametrize("scope_name", list(SCOPES))
@pytest.mark.parametrize("name", FAST)
def test_hand_built_fast_path_equals_raw(hand_db, name, scope_name):
    scope, filters = SCOPES[scope_name]
    reader = reader_for(hand_db, scope, filters)
    for period in HAND_PERIODS:
        args = MetricArgs(period, AS_OF)
        assert_same(METRICS[name](reader, args), reference(name, reader, args), f"{name} {scope_name} {period}")


def test_hand_built_cases_are_really_there(hand_db):
    """The data exercises what it claims: one buyer on two rows, a guide in two
    stores, a refunded order, a tie, an unknown store, a leaver credited."""
    reader = reader_for(hand_db)
    board = METRICS["store-leaderboard"](reader, MetricArgs(Period(date(2026, 3, 2), AS_OF), AS_OF))
    s = board.set_index("store_id")
    assert s.loc["S1", "sales"] == 150.5 and s.loc["S1", "members"] == 1  # M1 twice at S1 on 03-02
    assert s.loc["S2", "sales"] == 150.5 and s.loc["S2", "members"] == 1  # M3's 60 refunded in full; M5 net 0
    assert s.loc["S1", "rank"] == s.loc["S2", "rank"] == 2                # tie, after S3
    assert s.loc["S3", "sales"] == 165 and s.loc["S3", "members"] == 3    # M1 (G1, another store), M4, M8
    assert "S9" not in s.index and "S0" not in s.index
    g = METRICS["guide-leaderboard"](reader, MetricArgs(Period(date(2026, 3, 2), AS_OF), AS_OF)).set_index("guide_id")
    assert g.loc["G1", "sales"] == 180 and g.loc["G1", "members"] == 1   # M1 at S1 and at S3
    assert g.loc["G5", "sales"] == 20                                     # left before, credited
    k = METRICS["kpis"](reader, MetricArgs(Period(date(2026, 3, 2), AS_OF), AS_OF)).iloc[0]
    assert k["members"] == 4 and k["members_prev"] == 4                   # M1 M2 M4 M8; M2 M3 M6 M10
    # under a region scope G1's history is cut in two: the exact DISTINCT path is taken
    modes = {(scope_name, key): rollups.buyers_mode(*SCOPES[scope_name], key)
             for scope_name in ("hq", "east", "guide G1", "east + G1") for key in ("store_id", "guide_id", None)}
    # one whole region overall: the per-region chain (REGION); any other narrowing of the stores: exact
    assert modes == {("hq", "store_id"): "fast", ("hq", "guide_id"): "fast", ("hq", None): "fast",
                     ("east", "store_id"): "fast", ("east", "guide_id"): "split", ("east", None): "region",
                     ("guide G1", "store_id"): "exact", ("guide G1", "guide_id"): "fast", ("guide G1", None): "exact",
                     ("east + G1", "store_id"): "exact", ("east + G1", "guide_id"): "split",
                     ("east + G1", None): "exact"}
    assert [rollups.buyers_mode(*SCOPES[n], None) for n in ("region filter south", "east, filter east + south",
                                                            "east, filter south", "both regions", "brand B1")] \
        == ["region", "region", "exact", "exact", "exact"]
    # G1 sells in S1 and S3: under a region scope its buyers are counted the exact way
    assert reader.query("SELECT guide_id FROM multi_store_guides")["guide_id"].tolist() == ["G1"]
    # around February (whole in this period): G2's buyers are M9 (bought before
    # the start, again in February) and M10 (three days, one buyer); G4's, M11
    # (twice in February) and the earlier ones
    around = Period(date(2026, 1, 15), AS_OF)
    assert around.whole_months() == (date(2026, 2, 1), date(2026, 3, 1))
    g = METRICS["guide-leaderboard"](reader, MetricArgs(around, AS_OF)).set_index("guide_id")
    assert g.loc["G2", "members"] == 3 and g.loc["G2", "sales"] == 12 + 13 + 10 + 15 + 50  # M1 on 03-02 too
    assert g.loc["G4", "members"] == 3  # M11, M4 (03-04), M2 (02-26)
    assert g.loc["G3", "members"] == 4  # M2, M3, M6 and M12 (01-31 and 02-01: one buyer)
    # around the whole weeks (none of them inside a whole month)
    weeks = Period(date(2026, 2, 4), date(2026, 2, 25))
    assert weeks.whole_months() == (weeks.start, weeks.start)
    assert weeks.whole_weeks() == ((weeks.start, weeks.start), (date(2026, 2, 9), date(2026, 2, 23)))
    g7 = lambda p: METRICS["guide-leaderboard"](reader, MetricArgs(p, AS_OF)).set_index("guide_id").loc["G7"]  # noqa: E731
    assert g7(weeks)["members"] == 3 and g7(weeks)["sales"] == 30 + 20 + 25 + 9 + 12 + 13  # M13, M14, M15
    assert g7(weeks)["orders"] == 6                                        # w03 refunded in full
    assert g7(Period(date(2026, 2, 11), date(2026, 2, 25)))["members"] == 3  # M13 on 02-12 (02-10 before it)
    assert g7(Period(date(2026, 2, 16), date(2026, 2, 22)))["members"] == 2  # M14, M15 (02-15 before it)
    assert g7(Period(date(2026, 2, 9), date(2026, 2, 22)))["sales_prev"] == 9  # 01-26..02-08: two weeks
    # the year (one scan for its windows: windows.one_pass) reads 2025-03-10..03-30 weekly
    year = Period(AS_OF - timedelta(days=364), AS_OF)
    assert year.whole_weeks()[0] == (date(2025, 3, 10), date(2025, 3, 31))
    g2 = METRICS["guide-leaderboard"](reader, MetricArgs(year, AS_OF)).set_index("guide_id").loc["G2"]
    assert g2["sales"] == 50 + 7 + 10 + 11 + 12 + 13 + 10 + 15  # o02 y05 y04 m01..m05


def test_rollups_declared_of_known_stores_hold_none_other(hand_db):
    """S9 and S0 sold (o09, o11) but the stores table does not know them: the
    sales rollups declared Gate.known_stores hold none of their rows."""
    counts = unknown_store_rows(hand_db)
    assert {"daily_sales", "daily_store_sales", "weekly_sales", "monthly_sales", "buyer_days",
            "guide_buyer_weeks", "guide_buyer_months"} <= set(counts)
    assert counts == {name: 0 for name in counts}


def test_ties_rank_equal_from_the_rollups(tmp_path):
    """Two stores with exactly equal sales (cents summed over days and guides) tie."""
    db = build_db(tmp_path / "tie.duckdb",
                  stores=[store_row("A"), store_row("B"), store_row("C")],
                  guides=[guide_row("GA", "A"), guide_row("GB", "A")],
                  orders=[order_row("1", "2026-03-01 10:00", "A", 0.1, guide_id="GA"),
                          order_row("2", "2026-03-02 10:00", "A", 0.2, guide_id="GB"),
                          order_row("3", "2026-03-02 10:00", "B", 0.3),
                          order_row("4", "2026-03-02 11:00", "C", 0.31, refund_amount=0.01)])
    board = METRICS["store-leaderboard"](reader_for(db), MetricArgs(Period(date(2026, 3, 1), date(2026, 3, 2)),
                                                                    date(2026, 3, 2)))
    assert board["store_id"].tolist() == ["A", "B", "C"]
    assert board["rank"].tolist() == [1, 1, 1]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("roll-demo") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    return path


def _demo_scopes(path):
    return demo_scopes(path, "SELECT guide_id FROM orders WHERE guide_id IS NOT NULL "
                                   "GROUP BY guide_id ORDER BY count(*) DESC, guide_id LIMIT 3")


@pytest.mark.parametrize("name", FAST + ("guide-pareto", "morning-attention"))
def test_demo_fast_path_equals_raw(demo_db, name):
    as_of = date(2026, 11, 22)
    periods = [Period(as_of, as_of), Period(date(2026, 11, 11), date(2026, 11, 11)),
               Period(as_of - timedelta(days=29), as_of), Period(date(2026, 2, 1), date(2026, 2, 28)),
               Period(as_of - timedelta(days=364), as_of)]
    for scope_name, (scope, filters) in _demo_scopes(demo_db).items():
        reader = reader_for(demo_db, scope, filters)
        for period in periods:
            args = MetricArgs(period, period.end)
            got = METRICS[name](reader, args)
            if name == "guide-pareto":
                want = raw.employed_guides(reader, period)
                assert got["guide_id"].iloc[1:].tolist() == want["guide_id"].tolist()
                assert got["wemall_sales"].iloc[1:].tolist() == want["wemall_sales"].tolist()
                continue
            if name == "morning-attention":
                _check_attention(got, reader, period.end)
                continue
            assert_same(got, reference(name, reader, args), f"{name} {scope_name} {period}")


def _check_attention(got, reader, day):
    """morning-attention from the raw board and raw last sale days."""
    board = raw.store_board(reader, Period(day, day))
    last = raw.last_sale(reader, day)
    open_ids = set(reader.query("SELECT store_id FROM stores WHERE opened_on <= $d AND "
                                "(closed_on IS NULL OR closed_on >= $d)", {"d": day})["store_id"])
    fell = board[board["rank_change"].notna() & (board["rank_change"] <= -5)]["store_id"].tolist()
    silent = board[(board["sales"] == 0) & board["store_id"].isin(open_ids)]["store_id"].tolist()
    assert got[got.reason == "fell_5_places"]["store_id"].tolist() == fell
    assert got[got.reason == "no_sales"]["store_id"].tolist() == silent
    for r in got.itertuples():
        assert r.last_sale_on == last.get(r.store_id), r.store_id


def test_rollups_are_sorted_by_day_and_sum_to_the_facts(demo_db):
    """Every published file carries the rollups, in day order, and they sum to the orders."""
    import duckdb
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        for name in (r.name for r in rollups.ROLLUPS if r.order_by.startswith("day")):
            days = [r[0] for r in con.execute(f"SELECT day FROM {name}").fetchall()]
            assert days == sorted(days), name
        raw_sum = con.execute("SELECT sum(amount - refund_amount), count(*) FILTER (WHERE amount > refund_amount) "
                              "FROM orders").fetchone()
        for name in ("daily_sales", "daily_store_sales", "monthly_sales", "monthly_store_sales"):
            assert con.execute(f"SELECT sum(sales), sum(orders) FROM {name}").fetchone() == raw_sum, name
        for name in ("monthly_sales", "monthly_store_sales", "guide_buyer_months"):
            months = [r[0] for r in con.execute(f"SELECT month FROM {name}").fetchall()]
            assert months == sorted(months) and all(m.day == 1 for m in months), name
        # guide_buyer_months counts exactly buyer_days' per-guide representing rows
        assert con.execute("SELECT sum(buyers) FROM guide_buyer_months").fetchone() == \
            con.execute("SELECT count(*) FROM buyer_days WHERE prev_guide_day IS NOT NULL").fetchone()
    finally:
        con.close()


def test_leaderboard_targets_are_target_attainments_own(demo_db, tmp_path):
    """The leaderboards' target and attainment come from their own query (a
    month-to-date window); they equal target-attainment's for the same as-of
    date, level and scope, row by row — on the demo in every scope, and on hand
    data with a target of 0 (attainment empty), a guide with a target and no
    sale (0%), and a guide with no target row (both empty)."""
    as_of = date(2026, 11, 22)
    for scope_name, (scope, filters) in _demo_scopes(demo_db).items():
        reader = reader_for(demo_db, scope, filters)
        for period in (Period(as_of, as_of), Period(as_of - timedelta(days=29), as_of)):
            for name, level, key in (("store-leaderboard", "store", "store_id"),
                                     ("guide-leaderboard", "guide", "guide_id")):
                board = METRICS[name](reader, MetricArgs(period, as_of)).set_index(key)
                ta = METRICS["target-attainment"](reader, MetricArgs(period, as_of, {"level": level}))
                ta = ta.set_index("id").reindex(board.index)
                label = f"{name} {scope_name} {period}"
                assert board["target"].notna().sum() > 0 or scope_name == "guides", label
                assert_same(board[["target", "attainment"]].reset_index(drop=True),
                            ta[["target", "attainment"]].reset_index(drop=True), label)
    db = build_db(tmp_path / "t.duckdb", stores=[store_row("S1"), store_row("S2")],
                  guides=[guide_row("G1", "S1"), guide_row("G2", "S1"), guide_row("G3", "S2")],
                  orders=[order_row("o1", "2026-03-02 10:00", "S1", 100, guide_id="G1"),
                          order_row("o2", "2026-03-03 10:00", "S2", 40, refund_amount=40, guide_id="G3"),
                          order_row("o3", "2026-02-27 10:00", "S1", 999, guide_id="G1")],  # last month
                  targets=[{"level": "store", "target_id": "S1", "month": "2026-03", "sales_target": 400},
                           {"level": "store", "target_id": "S2", "month": "2026-03", "sales_target": 0},
                           {"level": "guide", "target_id": "G1", "month": "2026-03", "sales_target": 200},
                           {"level": "guide", "target_id": "G3", "month": "2026-03", "sales_target": 50},
                           {"level": "guide", "target_id": "G2", "month": "2026-02", "sales_target": 10}])
    args = MetricArgs(Period(date(2026, 3, 3), date(2026, 3, 4)), date(2026, 3, 4))
    stores = METRICS["store-leaderboard"](reader_for(db), args).set_index("store_id")
    assert stores.loc["S1", "target"] == 400 and stores.loc["S1", "attainment"] == 0.25   # 100 / 400
    assert stores.loc["S2", "target"] == 0 and pd.isna(stores.loc["S2", "attainment"])    # a target of 0
    guides = METRICS["guide-leaderboard"](reader_for(db), args).set_index("guide_id")
    assert guides.loc["G1", "attainment"] == 0.5          # 100 of 200; February's 999 is not this month
    assert guides.loc["G3", "attainment"] == 0.0          # refunded in full: 0 of 50
    assert pd.isna(guides.loc["G2", "target"]) and pd.isna(guides.loc["G2", "attainment"])  # February's target only
