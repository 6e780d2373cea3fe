"""WeMall sharing metrics (share-rate, share-trend, share-heatmap,
share-diagnosis, share-funnel, wemall-sources, wemall-by-hour, morning-share,
share-attention) on a hand-built week, every expected number worked out by
hand from SPEC.md in the comments next to the data.

Period 2026-03-02..2026-03-06 (5 days); k = 3, target rate 0.8 (defaults).
Stores: E1 华东 上海 10:00-22:00, E2 华东 杭州 10:00-21:30, W1 华南 广州 10:00-22:00.
Guides (role guide unless said):
  gA E1, employed throughout: 3 shares on 02, 03, 04, 05 (exactly k; on 05 at
     00:00:00, 12:00 and 23:59:59) and 2 on 06 → roster 5, target days 4, rate 0.8
     (exactly the target), 14 shares.
  gB E1, hired 03-04 (mid-period) → roster 04, 05, 06 = 3 days; 3 shares on 03
     (before hired: counted as shares, never as a target day) and 4 on 05 →
     target days 1, rate 1/3, 7 shares.
  gC E2, left_on 03-03 (left_on counts) → roster 02, 03 = 2 days; 3 shares on 03
     (its last day: a target day), 5 on 04 (after leaving: not a roster day) →
     target days 1, rate 0.5, 8 shares.
  gW W1 (华南): 3 shares every day → roster 5, target 5, rate 1.0, 15 shares.
  mE1 E1, store_manager: 5 shares a day and a WeMall sale — never listed.
WeMall orders in the period (net, source, cross-city, off-hours):
  o1 E1 gA 03-02 21:59:59 100 share sA1 (gA, moments), buyer 上海: in hours
  o2 E1 gA 03-03 22:00:00 200 share sB1 — gB's share (private_chat): credited
     to gA, counted as private_chat; exactly closing time → off-hours; buyer
     city missing → not cross-city
  o3 E1 gB 03-05 09:59:59 300 − refund 100 = 200, no share → direct; before
     opening → off-hours; buyer 北京 ≠ 上海 → cross-city
  o4 E2 gC 03-03 10:00:00 400 share sC1 (group), buyer 杭州: exactly opening → in
  o5 E2 no guide 03-04 21:29:59 80 direct, buyer 上海 ≠ 杭州 → cross-city; a
     second before E2's 21:30 close → in hours
  o7 E1 mE1 03-04 15:00 70 direct (a store manager's sale: in the sources, no
     guide row)
  o8 W1 gW 03-04 12:00 500 share sW1 (moments), buyer 广州
  o9 E1 gA 03-06 12:00 40 fully refunded → net 0
  (o6 a POS order and o10 a WeMall order on 03-07 00:00:00 are outside.)
WeMall sales credited: gA 100 + 200 + 0 = 300, gB 200, gC 400, gW 500.
"""
from datetime import date, datetime, time

import pandas as pd
import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs, share_heatmap
from dashboard.period import Period
from dashboard.scope import Filters, Scope

START, END = date(2026, 3, 2), date(2026, 3, 6)
PERIOD = Period(START, END)
_n = iter(range(1, 10_000))


def share(guide, store, at, target="moments", share_id=None):
    return {"share_id": share_id or f"x{next(_n)}", "shared_at": datetime.fromisoformat(at), "guide_id": guide,
            "store_id": store, "target": target, "content_type": "product"}


def shares_on(guide, store, day, n, hours=(9, 11, 13, 15, 17)):
    return [share(guide, store, f"2026-03-{day:02d} {hours[i]:02d}:00") for i in range(n)]


def week_shares():
    rows = []
    # gA: 3 on 02 (one is sA1), 03, 04; 05 at the day's edges; 2 on 06.
    rows += [share("gA", "E1", "2026-03-02 09:00", "moments", "sA1")] + shares_on("gA", "E1", 2, 2)
    rows += shares_on("gA", "E1", 3, 3) + shares_on("gA", "E1", 4, 3)
    rows += [share("gA", "E1", t) for t in ("2026-03-05 00:00:00", "2026-03-05 12:00", "2026-03-05 23:59:59")]
    rows += shares_on("gA", "E1", 6, 2)
    rows += [share("gA", "E1", "2026-03-01 23:59:59")]          # the day before the period: not counted
    # gB: 3 on 03 (before hired; one is sB1, a private chat), 4 on 05.
    rows += [share("gB", "E1", "2026-03-03 09:00", "private_chat", "sB1")] + shares_on("gB", "E1", 3, 2)
    rows += shares_on("gB", "E1", 5, 4)
    # gC: 3 on 03 (one is sC1, to a group), 5 on 04 (after left_on).
    rows += [share("gC", "E2", "2026-03-03 09:00", "group", "sC1")] + shares_on("gC", "E2", 3, 2)
    rows += shares_on("gC", "E2", 4, 5)
    # gW: 3 a day (one is sW1).
    rows += [share("gW", "W1", "2026-03-04 08:00", "moments", "sW1")] + shares_on("gW", "W1", 4, 2)
    for d in (2, 3, 5, 6):
        rows += shares_on("gW", "W1", d, 3)
    # The store manager: 5 a day.
    for d in range(2, 7):
        rows += shares_on("mE1", "E1", d, 5)
    return rows


def wm(order_id, at, store, amount, **kw):
    return order_row(order_id, at, store, amount, channel="wemall", **kw)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_db(
        tmp_path_factory.mktemp("sharing") / "sharing.duckdb",
        stores=[store_row("E1", region="华东", city="上海"),
                store_row("E2", region="华东", city="杭州", close_time=time(21, 30)),
                store_row("W1", region="华南", city="广州")],
        guides=[guide_row("gA", "E1", guide_name="阿一"), guide_row("gB", "E1", hired_on=date(2026, 3, 4)),
                guide_row("gC", "E2", left_on=date(2026, 3, 3)), guide_row("gW", "W1"),
                guide_row("mE1", "E1", role="store_manager")],
        shares=week_shares(),
        share_visits=[
            {"share_id": "sA1", "member_id": "m1", "visited_at": datetime(2026, 3, 2, 10)},
            {"share_id": "sA1", "member_id": "m2", "visited_at": datetime(2026, 3, 2, 11)},
            {"share_id": "sA1", "member_id": None, "visited_at": datetime(2026, 3, 2, 12)},   # anonymous
            {"share_id": "sA1", "member_id": "m1", "visited_at": datetime(2026, 3, 7, 0)},    # after the period
            {"share_id": "sW1", "member_id": "m3", "visited_at": datetime(2026, 3, 4, 9)},
        ],
        orders=[
            wm("o1", "2026-03-02 21:59:59", "E1", 100, guide_id="gA", share_id="sA1", buyer_city="上海"),
            wm("o2", "2026-03-03 22:00:00", "E1", 200, guide_id="gA", share_id="sB1"),
            wm("o3", "2026-03-05 09:59:59", "E1", 300, refund_amount=100, guide_id="gB", buyer_city="北京"),
            wm("o4", "2026-03-03 10:00:00", "E2", 400, guide_id="gC", share_id="sC1", buyer_city="杭州"),
            wm("o5", "2026-03-04 21:29:59", "E2", 80, buyer_city="上海"),
            order_row("o6", "2026-03-04 12:00", "E1", 1000, guide_id="gA", buyer_city="上海"),
            wm("o7", "2026-03-04 15:00", "E1", 70, guide_id="mE1", buyer_city="上海"),
            wm("o8", "2026-03-04 12:00", "W1", 500, guide_id="gW", share_id="sW1", buyer_city="广州"),
            wm("o9", "2026-03-06 12:00", "E1", 40, refund_amount=40, guide_id="gA"),
            wm("o10", "2026-03-07 00:00:00", "E1", 999, guide_id="gA"),
        ],
    )


def run(db, name, scope=None, filters=None, period=PERIOD, as_of=END, **options):
    m = METRICS[name]
    opts = tuple(sorted({**{k: o.default for k, o in m.options.items()}, **options}.items()))
    return METRICS[name](reader_for(db, scope, filters), MetricArgs(period, as_of, opts))


def by(df, key):
    return df.set_index(key)


# --- share-rate --------------------------------------------------------------------------

def test_guide_level_roster_target_days_shares_sales_and_diagnosis(db):
    g = by(run(db, "share-rate", level="guide"), "guide_id")
    assert list(g.index) == ["gA", "gB", "gC", "gW"]          # the store manager is not listed
    assert g.loc["gA"].guide_name == "阿一" and g.loc["gA"].store_id == "E1" and g.loc["gA"].region == "华东"
    assert dict(g.roster_days) == {"gA": 5, "gB": 3, "gC": 2, "gW": 5}      # hired mid-period 3; left_on counts
    assert dict(g.target_days) == {"gA": 4, "gB": 1, "gC": 1, "gW": 5}      # exactly k counts; off-roster days not
    assert g.share_rate.tolist() == pytest.approx([0.8, 1 / 3, 0.5, 1.0])
    assert dict(g.shares) == {"gA": 14, "gB": 7, "gC": 8, "gW": 15}
    # gA is credited o2 although its share is gB's; o9 (fully refunded) adds 0; o10 is after the period.
    assert dict(g.wemall_sales) == {"gA": 300.0, "gB": 200.0, "gC": 400.0, "gW": 500.0}
    assert g.loc["gA"].sales_per_share == pytest.approx(300 / 14)
    # Median of [200, 300, 400, 500] = 350. gA meets the rate exactly (0.8 ≥ 0.8) but 300 < 350.
    assert dict(g.diagnosis) == {"gA": "方法问题", "gB": "积极性问题-低销售", "gC": "积极性问题-高销售", "gW": "标杆"}
    assert list(run(db, "share-rate", level="guide").columns[:3]) == ["guide_id", "guide_name", "store_id"]


def test_store_region_and_total_levels_sum_their_guides(db):
    s = by(run(db, "share-rate", level="store"), "store_id")
    # E1 = gA + gB: 8 roster days, 5 target days; E2 = gC; W1 = gW.
    assert dict(s.roster_days) == {"E1": 8, "E2": 2, "W1": 5}
    assert dict(s.target_days) == {"E1": 5, "E2": 1, "W1": 5}
    assert s.share_rate.tolist() == pytest.approx([5 / 8, 0.5, 1.0])
    assert dict(s.shares) == {"E1": 21, "E2": 8, "W1": 15}
    assert dict(s.wemall_sales) == {"E1": 500.0, "E2": 400.0, "W1": 500.0}
    assert s.diagnosis.isna().all() and s.guide_id.isna().all()
    r = by(run(db, "share-rate", level="region"), "region")
    assert dict(r.roster_days) == {"华东": 10, "华南": 5} and dict(r.target_days) == {"华东": 6, "华南": 5}
    assert r.loc["华东"].share_rate == pytest.approx(0.6) and r.loc["华东"].wemall_sales == 900.0
    t = run(db, "share-rate", level="total").iloc[0]
    assert (t.roster_days, t.target_days, t.shares, t.wemall_sales) == (15, 11, 44, 1400.0)
    assert t.share_rate == pytest.approx(11 / 15)
    assert list(run(db, "share-rate", level="region").columns[:2]) == ["region", "roster_days"]


def test_k_and_target_rate_override_the_defaults(db):
    g = by(run(db, "share-rate", level="guide", k=4), "guide_id")
    # ≥ 4 shares: only gB on 05 (4).
    assert dict(g.target_days) == {"gA": 0, "gB": 1, "gC": 0, "gW": 0}
    g = by(run(db, "share-rate", level="guide", target_rate=0.3), "guide_id")
    # Every rate ≥ 0.3 now: sales ≥ 350 → 标杆, else 方法问题.
    assert dict(g.diagnosis) == {"gA": "方法问题", "gB": "方法问题", "gC": "标杆", "gW": "标杆"}


def test_region_scope_median_and_equality_to_the_median(db):
    east = Scope.of(regions=["华东"])
    g = by(run(db, "share-rate", east, level="guide"), "guide_id")
    assert list(g.index) == ["gA", "gB", "gC"]                # never 华南's gW
    # Median of the region's guides [200, 300, 400] = 300: gA's 300 ≥ 300 → 标杆.
    assert dict(g.diagnosis) == {"gA": "标杆", "gB": "积极性问题-低销售", "gC": "积极性问题-高销售"}
    d = by(run(db, "share-diagnosis", east), "diagnosis")
    assert d.guides.sum() == 3 and d.loc["标杆"].guides == 1 and d.loc["方法问题"].guides == 0
    assert (d.median_wemall_sales == 300.0).all() and (d.target_rate == 0.8).all()
    heat = run(db, "share-heatmap", east)
    assert set(heat.guide_id) == {"gA", "gB", "gC"}
    # A filter on the other region inside the east scope sees nothing at all.
    assert run(db, "share-rate", east, Filters.of(regions=["华南"]), level="guide").empty
    assert run(db, "share-heatmap", east, Filters.of(regions=["华南"])).empty


def test_share_diagnosis_counts_at_hq(db):
    d = run(db, "share-diagnosis")
    assert d.diagnosis.tolist() == ["标杆", "方法问题", "积极性问题-高销售", "积极性问题-低销售"]
    assert d.guides.tolist() == [1, 1, 1, 1]
    assert d.wemall_sales.tolist() == [500.0, 300.0, 400.0, 200.0]
    assert (d.median_wemall_sales == 350.0).all()


# --- trend and heatmap -------------------------------------------------------------------

def test_daily_trend_adds_up_to_the_period(db):
    t = run(db, "share-trend")
    assert [d.isoformat()[-2:] for d in t.day] == ["02", "03", "04", "05", "06"]
    # 02: gA gC gW on the roster, gA and gW meet (gC made none). 03: gC's last day, all 3 meet (gB not yet
    # hired). 04: gA gB gW; gB made none. 05: all meet (gA's shares at 00:00:00 and 23:59:59 count). 06: gW only.
    assert t.roster_guides.tolist() == [3, 3, 3, 3, 3]
    assert t.target_guides.tolist() == [2, 3, 2, 3, 1]
    assert t.share_rate.tolist() == pytest.approx([2 / 3, 1, 2 / 3, 1, 1 / 3])
    # Shares of the listed guides, any day: 03 holds gB's 3 before hiring, 04 gC's 5 after leaving.
    assert t.shares.tolist() == [6, 12, 11, 10, 5]
    assert (t.target_rate == 0.8).all()
    total = run(db, "share-rate", level="total").iloc[0]
    assert t.roster_guides.sum() == total.roster_days and t.target_guides.sum() == total.target_days


def test_heatmap_rows_are_roster_days(db):
    h = run(db, "share-heatmap")
    assert list(dict.fromkeys(h.guide_id)) == ["gW", "gA", "gC", "gB"]     # by share rate, best first
    assert (h.heat_band == "all").all()
    assert h.groupby("guide_id").size().to_dict() == {"gA": 5, "gB": 3, "gC": 2, "gW": 5}
    a = h[h.guide_id == "gA"].set_index("day")
    assert a.loc[date(2026, 3, 5)].shares == 3 and a.loc[date(2026, 3, 5)].met_target == "true"
    assert a.loc[date(2026, 3, 6)].shares == 2 and a.loc[date(2026, 3, 6)].met_target == "false"
    assert set(h[h.guide_id == "gB"].day) == {date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 6)}


def test_heatmap_is_bounded_to_top_and_bottom_guides(db, monkeypatch):
    monkeypatch.setattr(share_heatmap, "ALL_GUIDES_UP_TO", 2)
    h = run(db, "share-heatmap", heatmap_rows=1)
    bands = h.drop_duplicates("guide_id").set_index("guide_id").heat_band.to_dict()
    assert bands == {"gW": "top", "gB": "bottom"}


# --- funnel --------------------------------------------------------------------------------

def test_funnel_counts_each_stage_in_the_period(db):
    f = run(db, "share-funnel").iloc[0]
    # Shares of every role: 14 + 7 + 8 + 15 + 25 (the store manager) = 69.
    assert f.shares == 69
    assert (f.share_visits, f.share_visitors) == (4, 3)       # the 03-07 visit is outside; anonymous is no visitor
    assert (f.share_orders, f.share_sales) == (4, 1200.0)     # o1 o2 o4 o8
    assert f.visit_conversion == pytest.approx(1.0) and f.visits_per_share == pytest.approx(4 / 69)
    assert f.has_visits == "true"
    south = run(db, "share-funnel", Scope.of(regions=["华南"])).iloc[0]
    assert (south.shares, south.share_visits, south.share_orders, south.share_sales) == (15, 1, 1, 500.0)


def test_funnel_says_when_no_visits_exist_in_scope(db):
    f = run(db, "share-funnel", Scope.of(stores=["E2"])).iloc[0]
    assert f.has_visits == "false" and f.share_visits == 0 and pd.isna(f.visit_conversion)


# --- sources -------------------------------------------------------------------------------

def test_wemall_sources(db):
    s = run(db, "wemall-sources")
    got = {(d, v): (sales, share) for d, v, sales, share in s.itertuples(index=False)}
    total = 1550.0   # 100 + 200 + 200 + 400 + 80 + 70 + 500 + 0
    assert got[("source", "moments")][0] == 600.0            # o1 + o8
    assert got[("source", "private_chat")][0] == 200.0       # o2, through another guide's share
    assert got[("source", "group")][0] == 400.0              # o4
    assert got[("source", "direct")][0] == 350.0             # o3 200 + o5 80 + o7 70 + o9 0
    assert got[("cross_city", "true")][0] == 280.0           # o3 北京≠上海, o5 上海≠杭州; o2's missing city is not
    assert got[("off_hours", "true")][0] == 400.0            # o2 at exactly 22:00, o3 at 09:59:59
    assert got[("off_hours", "true")][1] == pytest.approx(400 / total)
    assert sum(v[1] for k, v in got.items() if k[0] == "source") == pytest.approx(1.0)
    kpis = run(db, "kpis").iloc[0]
    assert sum(v[0] for k, v in got.items() if k[0] == "source") == kpis.wemall_sales


def test_wemall_sources_in_a_store_scope(db):
    s = run(db, "wemall-sources", Scope.of(stores=["E2"]))
    got = {(d, v): sales for d, v, sales, _ in s.itertuples(index=False)}
    assert got == {("source", "moments"): 0.0, ("source", "private_chat"): 0.0, ("source", "group"): 400.0,
                   ("source", "direct"): 80.0, ("cross_city", "true"): 80.0, ("off_hours", "true"): 0.0}
    nothing = run(db, "wemall-sources", Scope.nothing())
    assert (nothing.sales == 0).all() and nothing.share_of_wemall.isna().all()


def test_wemall_by_hour(db):
    h = run(db, "wemall-by-hour").set_index("hour_of_day")
    assert len(h) == 24 and h.wemall_sales.sum() == 1550.0
    assert h.loc[22].wemall_sales == 200.0 and h.loc[22].off_hours_sales == 200.0   # o2 at closing time
    assert h.loc[21].wemall_sales == 180.0 and h.loc[21].off_hours_sales == 0.0     # o1 + o5, a second before
    assert h.loc[9].off_hours_sales == 200.0 and h.loc[10].off_hours_sales == 0.0
    assert h.off_hours_sales.sum() == 400.0
    # All three stores open 10:00; E2 closes 21:30 (still open in hour 21), the others 22:00.
    assert h.loc[9].open_stores == 0 and h.loc[10].open_stores == 3 and h.loc[21].open_stores == 3
    assert h.loc[22].open_stores == 0 and (h.scope_stores == 3).all()


# --- the morning check ------------------------------------------------------------------------

def test_morning_share_on_the_as_of_day(db):
    # 03-06: gA made 2, gB 0, gW 3 → 1 of 3; E1 0/2, W1 1/1.
    m = run(db, "morning-share", as_of=date(2026, 3, 6))
    assert m.row_level.tolist() == ["total", "store", "store"]
    total = m.iloc[0]
    assert (total.roster_days, total.target_days) == (3, 1) and total.share_rate == pytest.approx(1 / 3)
    stores = m.iloc[1:]
    assert stores.store_id.tolist() == ["W1", "E1"] and stores["rank"].tolist() == [1, 2]
    assert stores.share_rate.tolist() == [1.0, 0.0]


@pytest.fixture(scope="module")
def morning_db(tmp_path_factory):
    """As of 03-06. hD hired 03-01, 2 shares a day 04–06 → below target 3 days running (6 shares).
    hE hired 03-05: only 2 roster days → not listed. hF met the target on 05 → not listed.
    hG left 03-05 → not on the roster on 03-06 → not listed. mH a store manager with none → not listed."""
    rows = []
    for d in (4, 5, 6):
        rows += shares_on("hD", "E1", d, 2)
    rows += shares_on("hF", "E1", 5, 3)
    return build_db(
        tmp_path_factory.mktemp("morning-share") / "m.duckdb",
        stores=[store_row("E1", region="华东", store_name="东一店"), store_row("W1", region="华南")],
        guides=[guide_row("hD", "E1", guide_name="丁", hired_on=date(2026, 3, 1)),
                guide_row("hE", "E1", hired_on=date(2026, 3, 5)), guide_row("hF", "E1"),
                guide_row("hG", "E1", left_on=date(2026, 3, 5)), guide_row("mH", "E1", role="store_manager"),
                guide_row("hW", "W1")],
        shares=rows)


def test_guides_below_target_for_their_last_three_roster_days(morning_db):
    a = run(morning_db, "share-attention", as_of=date(2026, 3, 6))
    assert a.guide_id.tolist() == ["hD", "hW"]   # hF met the target on 05; hW made no share at all
    d = a.set_index("guide_id").loc["hD"]
    assert (d.guide_name, d.store_name, d.shares, d.since_day) == ("丁", "东一店", 6, date(2026, 3, 4))
    east = run(morning_db, "share-attention", Scope.of(regions=["华东"]), as_of=date(2026, 3, 6))
    assert east.guide_id.tolist() == ["hD"]


def test_an_order_through_a_share_outside_the_view_still_counts(tmp_path):
    """o1 in E2 came through gA's share sA (E1, moments). HQ sees the share: moments.
    A user of E2 alone sees the order but not E1's share: the order still counts (its
    sales are E2's), as direct, and the sources still sum to E2's WeMall sales."""
    db = build_db(tmp_path / "cross.duckdb",
                  stores=[store_row("E1"), store_row("E2")],
                  guides=[guide_row("gA", "E1"), guide_row("gB", "E2")],
                  shares=[share("gA", "E1", "2026-03-02 09:00", "moments", "sA")],
                  orders=[wm("o1", "2026-03-03 12:00", "E2", 120, guide_id="gB", share_id="sA"),
                          wm("o2", "2026-03-03 13:00", "E2", 30, guide_id="gB")])
    hq = {v: s for d, v, s, _ in run(db, "wemall-sources").itertuples(index=False) if d == "source"}
    assert hq == {"moments": 120.0, "private_chat": 0.0, "group": 0.0, "direct": 30.0}
    e2 = {v: s for d, v, s, _ in run(db, "wemall-sources", Scope.of(stores=["E2"])).itertuples(index=False)
          if d == "source"}
    assert e2 == {"moments": 0.0, "private_chat": 0.0, "group": 0.0, "direct": 150.0}
    # The credited guide keeps the sale either way.
    assert run(db, "share-rate", Scope.of(stores=["E2"]), level="guide").set_index("guide_id").loc["gB"].wemall_sales \
        == 150.0
