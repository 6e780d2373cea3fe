"""Every WeMall sharing metric read from the sharing rollups
(dashboard/rollups/sharing.py) equals the same metric computed from the raw
shares, share_visits and orders (tests/metrics/raw_sharing.py: the former SQL),
exactly, on hand-built data made of the awkward cases and on a small demo, for
every scope and filter kind, for one day, a few days, a month and a year, and
for k and the target rate other than the defaults.

The hand-built data (one line per case):
- G1 (S1, 华东) shares in S1 and, the same day, in S3 (华南): a split day, 3
  shares at HQ (meets k = 3), 2 in an 华东 view, 1 in a 华南 one;
- G2 (S1) hired mid-period; G3 (S2) left mid-period and shares one day only in
  S1 (not its store); G1 is credited a WeMall sale in S2; a day of exactly k shares;
  a store manager's shares (never listed, but in the funnel's shares);
- shares of a store the stores table does not know (S9): no scope shows them;
- WeMall orders: through another guide's share (credited to G1, G2's share);
  through G4's share at S3 credited to G1 at S1 (direct in an 华东 view or
  under a G1 filter); through a share made 10 days before (outside the
  former 7-day window) and one made the day after the order; through a share
  the data does not hold and one of the unknown store (direct); refunded in
  part and in full; at exactly closing time and a second before; a missing
  and a different buyer city; no guide credited; an unknown store's order;
- a POS order through a share (in the funnel, not in the WeMall sales);
- visits: one member across stores and days, twice on one day, before the
  period (a previous visit day), anonymous, of a share the data does not hold
  and of the unknown store's share (both counted only when nothing narrows).
"""
from datetime import date, datetime, time, timedelta

import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row, unknown_store_rows
from dashboard import demo
from dashboard.metrics import METRICS, MetricArgs, share_funnel
from dashboard.period import Period
from dashboard.scope import Filters, Scope

import raw_sharing as raw
from test_rollups_equal_raw import assert_same, _demo_scopes

AS_OF = date(2026, 3, 6)
_n = iter(range(1, 100_000))


def share(guide, store, at, target="moments", share_id=None):
    return {"share_id": share_id or f"x{next(_n)}", "shared_at": datetime.fromisoformat(at), "guide_id": guide,
            "store_id": store, "target": target, "content_type": "product"}


def shares_on(guide, store, day, n, target="moments", month=3):
    return [share(guide, store, f"2026-{month:02d}-{day:02d} {9 + i:02d}:00", target) for i in range(n)]


def wm(order_id, at, store, amount, **kw):
    return order_row(order_id, at, store, amount, channel="wemall", **kw)


def visit(share_id, member, at):
    return {"share_id": share_id, "member_id": member, "visited_at": datetime.fromisoformat(at)}


def hand_shares():
    rows = []
    # G1: a split day on 03-04 (2 at S1, 1 at S3), 3 a day on 03-02, 03-03, 2 on 03-05.
    rows += shares_on("G1", "S1", 2, 3) + shares_on("G1", "S1", 3, 3)
    rows += shares_on("G1", "S1", 4, 2, "private_chat") + [share("G1", "S3", "2026-03-04 20:00", "group", "s13")]
    rows += shares_on("G1", "S1", 5, 2) + [share("G1", "S1", "2026-03-06 09:00", "moments", "s1a")]
    # G2 hired 03-04: 3 on 03-03 (before), 4 on 03-05; one is G2's share of o2.
    rows += shares_on("G2", "S1", 3, 3) + shares_on("G2", "S1", 5, 3) + [share("G2", "S1", "2026-03-05 20:00",
                                                                                "private_chat", "s2a")]
    # G3 left 03-04: 3 on 03-04 (its last day), 3 on 03-05 (after).
    rows += shares_on("G3", "S2", 4, 3, "group") + shares_on("G3", "S2", 5, 3)
    # G3 shares 3 on 03-03 only at S1, not its own store (seen in S1's view, its rate in S2's).
    rows += shares_on("G3", "S1", 3, 3)
    # G4 (S3): 3 a day, one of them behind o3; one 10 days before the period.
    for d in (2, 3, 4, 5, 6):
        rows += shares_on("G4", "S3", d, 3)
    rows += [share("G4", "S3", "2026-03-04 21:00", "moments", "s4a"), share("G4", "S3", "2026-02-20 10:00", "moments", "s4old")]
    # G4 shares once at S9 (a store the stores table does not know).
    rows += [share("G4", "S9", "2026-03-04 10:00", "moments", "s9")] + shares_on("G4", "S9", 5, 3)
    # The store manager: 4 a day; the day after o7's order, its share.
    rows += shares_on("M1", "S1", 3, 4) + shares_on("M1", "S1", 4, 4) + [share("M1", "S1", "2026-03-06 08:00",
                                                                              "moments", "sm_after")]
    # Before the period and a year before.
    rows += shares_on("G1", "S1", 27, 3, month=2) + [share("G1", "S1", "2025-03-04 10:00")]
    return rows


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    return build_db(
        tmp_path_factory.mktemp("share-roll") / "share.duckdb",
        stores=[store_row("S1", region="华东", city="上海", brand="B1"),
                store_row("S2", region="华东", city="杭州", brand="B1", close_time=time(21, 30)),
                store_row("S3", region="华南", city="广州", brand="B2")],
        guides=[guide_row("G1", "S1", hired_on=date(2025, 1, 1)), guide_row("G2", "S1", hired_on=date(2026, 3, 4)),
                guide_row("G3", "S2", left_on=date(2026, 3, 4)), guide_row("G4", "S3"),
                guide_row("G5", "S3", left_on=date(2026, 1, 31)),
                guide_row("M1", "S1", role="store_manager")],
        shares=hand_shares(),
        share_visits=[
            visit("s13", "m1", "2026-03-04 21:00"), visit("s13", "m1", "2026-03-04 22:00"),   # twice a day
            visit("s1a", "m1", "2026-03-06 10:00"), visit("s4a", "m1", "2026-03-05 10:00"),   # across stores
            visit("s4old", "m2", "2026-02-21 10:00"), visit("s4a", "m2", "2026-03-05 11:00"),  # before, again
            visit("s2a", "m3", "2026-03-05 21:00"), visit("s2a", None, "2026-03-05 21:30"),   # anonymous
            visit("gone", "m4", "2026-03-04 12:00"), visit("gone", None, "2026-03-04 12:30"),  # share not held
            visit("s9", "m5", "2026-03-04 12:00"), visit("s9", "m1", "2026-03-04 13:00"),      # unknown store
            visit("s1a", "m2", "2026-03-07 00:00"),                                            # after
        ],
        orders=[
            wm("o1", "2026-03-04 21:59:59", "S1", 100, guide_id="G1", share_id="s13", buyer_city="上海"),
            wm("o2", "2026-03-05 22:00:00", "S1", 200, guide_id="G1", share_id="s2a"),  # G2's share, at close
            wm("o3", "2026-03-05 12:00", "S1", 300, refund_amount=100, guide_id="G1", share_id="s4a",
               buyer_city="北京"),                                                     # G4's share at S3
            wm("o4", "2026-03-02 10:00:00", "S3", 400, guide_id="G4", share_id="s4old", buyer_city="广州"),
            wm("o5", "2026-03-04 21:29:59", "S2", 80, buyer_city="上海"),               # no guide, in hours
            wm("o6", "2026-03-04 21:30:00", "S2", 60, refund_amount=60, guide_id="G3", share_id="gone"),
            wm("o7", "2026-03-05 15:00", "S1", 70, guide_id="M1", share_id="sm_after", buyer_city="上海"),
            wm("o8", "2026-03-04 12:00", "S3", 500, guide_id="G4", share_id="s9", buyer_city="深圳"),
            wm("o9", "2026-03-03 09:59:59", "S2", 40, guide_id="G3", buyer_city="杭州"),
            wm("o10", "2026-03-04 12:00", "S9", 999, guide_id="G4", share_id="s9"),   # unknown store
            wm("o11", "2026-01-20 12:00", "S3", 30, guide_id="G5"),                   # a leaver, before
            wm("o12", "2025-03-04 12:00", "S1", 10, guide_id="G1"),
            wm("o13", "2026-03-05 13:00", "S2", 25, guide_id="G1"),                   # G1 credited in S2
            order_row("p1", "2026-03-05 12:00", "S1", 1000, guide_id="G1", share_id="s1a"),  # POS via a share
        ],
    )


SCOPES = {
    "hq": (Scope.everything(), Filters()),
    "east": (Scope.of(regions=["华东"]), Filters()),
    "south": (Scope.of(regions=["华南"]), Filters()),
    "both regions": (Scope.of(regions=["华东", "华南"]), Filters()),
    "region filter": (Scope.everything(), Filters.of(regions=["华南"])),
    "east + east filter": (Scope.of(regions=["华东"]), Filters.of(regions=["华东"])),
    "east + south filter": (Scope.of(regions=["华东"]), Filters.of(regions=["华南"])),
    "store S1": (Scope.of(stores=["S1"]), Filters()),
    "brand B1": (Scope.everything(), Filters.of(brands=["B1"])),
    "city": (Scope.everything(), Filters.of(cities=["广州"])),
    "guide G1": (Scope.everything(), Filters.of(guides=["G1"])),
    "guide G4": (Scope.everything(), Filters.of(guides=["G4"])),
    "guides G1 G2": (Scope.everything(), Filters.of(guides=["G1", "G2"])),
    "east + G1": (Scope.of(regions=["华东"]), Filters.of(guides=["G1"])),
    "nothing": (Scope.nothing(), Filters()),
}
HAND_PERIODS = [Period(AS_OF, AS_OF), Period(date(2026, 3, 4), date(2026, 3, 4)), Period(date(2026, 3, 2), AS_OF),
                Period(date(2026, 3, 5), AS_OF), Period(date(2026, 2, 1), AS_OF),
                Period(AS_OF - timedelta(days=364), AS_OF)]
NAMES = tuple(raw.REFERENCE)


def _options(name, **over):
    m = METRICS[name]
    return tuple(sorted({**{k: o.default for k, o in m.options.items()}, **over}.items()))


def _variants(name):
    """The option sets to compare: the defaults, k = 2 with a lower target, and
    for share-rate every level, for the heatmap a small top/bottom."""
    out = [{}, {"k": 2, "target_rate": 0.5}]
    if name == "share-rate":
        out += [{"level": lv} for lv in ("store", "region", "total")] + [{"level": "store", "k": 2}]
    if name == "share-heatmap":
        out += [{"heatmap_rows": 1}]
    return [o for o in out if set(o) <= set(METRICS[name].options)]


def _compare(reader, name, period, as_of, label):
    for over in _variants(name):
        args = MetricArgs(period, as_of, _options(name, **over))
        assert_same(METRICS[name](reader, args), raw.REFERENCE[name](reader, args), f"{label} {over}")


@pytest.mark.parametrize("scope_name", list(SCOPES))
@pytest.mark.parametrize("name", NAMES)
def test_hand_built_sharing_rollups_equal_raw(hand_db, name, scope_name):
    scope, filters = SCOPES[scope_name]
    reader = reader_for(hand_db, scope, filters)
    for period in HAND_PERIODS:
        _compare(reader, name, period, period.end, f"{name} {scope_name} {period}")


def test_hand_built_cases_are_really_there(hand_db):
    """The data exercises what it claims (read from the raw reference)."""
    args = MetricArgs(Period(date(2026, 3, 4), date(2026, 3, 4)), date(2026, 3, 4), _options("share-rate"))
    hq = raw.share_rate(reader_for(hand_db), args).set_index("guide_id")
    east = raw.share_rate(reader_for(hand_db, Scope.of(regions=["华东"])), args).set_index("guide_id")
    assert hq.loc["G1", "target_days"] == 1 and east.loc["G1", "target_days"] == 0   # the split day
    assert hq.loc["G1", "shares"] == 3 and east.loc["G1", "shares"] == 2
    other = reader_for(hand_db).query("SELECT guide_id, store_id, CAST(day AS VARCHAR) AS day FROM guide_share_other "
                                      "WHERE day >= DATE '2026-03-01' ORDER BY ALL")
    assert other.values.tolist() == [["G1", "S1", "2026-03-04"], ["G1", "S2", "2026-03-05"],
                                     ["G1", "S3", "2026-03-04"], ["G3", "S1", "2026-03-03"]]
    week = MetricArgs(Period(date(2026, 3, 2), AS_OF), AS_OF, ())
    src = raw.wemall_sources(reader_for(hand_db), week).set_index("value")
    # o1 group 100; o2 private_chat 200 (G2's share); o3 moments 200 (G4's share), o7 moments 70 (share made
    # after the order); o4 moments 400 (10 days old); o6 (share not held, net 0), o8 (unknown store's share), o5,
    # o9 direct.
    assert src.loc["group", "sales"] == 100 and src.loc["private_chat", "sales"] == 200
    assert src.loc["moments", "sales"] == 670 and src.loc["direct", "sales"] == 645
    east_src = raw.wemall_sources(reader_for(hand_db, Scope.of(regions=["华东"])), week).set_index("value")
    assert east_src.loc["moments", "sales"] == 70                    # G4's share at S3 is outside: o3 direct
    g1 = raw.wemall_sources(reader_for(hand_db, filters=Filters.of(guides=["G1"])), week).set_index("value")
    assert g1.loc["private_chat", "sales"] == 0 and g1.loc["direct", "sales"] == 425    # G2's, G4's shares hidden
    f_hq = raw.share_funnel(reader_for(hand_db), week).iloc[0]
    f_east = raw.share_funnel(reader_for(hand_db, Scope.of(regions=["华东"])), week).iloc[0]
    assert f_hq["share_visits"] == 11 and f_hq["share_visitors"] == 5   # gone and s9 visits count at HQ
    assert f_east["share_visits"] == 3 and f_east["share_visitors"] == 2
    assert [share_funnel.visitors_count(*SCOPES[n]) for n in ("hq", "east", "region filter", "east + east filter",
                                                              "both regions", "east + south filter", "store S1",
                                                              "guide G1", "nothing")] == \
        [share_funnel.VISITORS_FAST] + [share_funnel.VISITORS_ONE_REGION] * 3 + [share_funnel.VISITORS_EXACT] * 5
    assert f_hq["share_orders"] == 7                                   # o6 net 0; p1 (POS) counts


def test_rollups_declared_of_known_stores_hold_none_other(hand_db):
    """G4's share at S9 and the unknown store's order (a store the stores table
    does not know) are in none of the rollups declared Gate.known_stores."""
    counts = unknown_store_rows(hand_db)
    assert {"guide_share_days", "guide_share_other", "share_pairs", "share_order_days", "wemall_source_days",
            "wemall_hours"} <= set(counts)
    assert counts == {name: 0 for name in counts}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("share-roll-demo") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    return path


@pytest.mark.parametrize("name", NAMES)
def test_demo_sharing_rollups_equal_raw(demo_db, name):
    as_of = date(2026, 11, 22)
    periods = [Period(as_of, as_of), Period(as_of - timedelta(days=29), as_of),
               Period(date(2026, 2, 1), date(2026, 2, 28)), Period(as_of - timedelta(days=364), as_of)]
    for scope_name, (scope, filters) in _demo_scopes(demo_db).items():
        reader = reader_for(demo_db, scope, filters)
        for period in periods:
            _compare(reader, name, period, period.end, f"{name} {scope_name} {period}")
