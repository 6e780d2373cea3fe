"""The channels and live metrics read from their rollups (dashboard/rollups/
channels.py, live.py) equal the same metrics computed from the raw facts by
their former code (tests/metrics/raw_ref/), exactly, on hand-built data made of
the awkward cases and on a small demo, for every scope and filter kind, for a
day, a month and a year, and at several as-of dates.

The hand-built data (one line per case):
Channels
- F1 unfollows exactly 7 days after joining (retained), F2 after 6 days, F3
  7 days less a second (neither retained); F4 never;
- F1 orders on the last second of its 7-day window and at exactly +7 days (in
  30, not in 7); F2's order inside the window is refunded in full, another in
  part; F3 (bound to S1) buys at S1 from G1 and G2 and at S3 (another region);
- F5 is bound to no store and buys at S2; F6 joined a second before the period;
- F7's channel (organic) has no spend; F8's channel id is unknown to channels;
- F9 joins the last day and orders after the as-of date (a window running past it);
- an order in a store the stores table does not know.
Live
- L1 (host S1), L2 (host S2), L3 (HQ-hosted), L4 before the periods;
- orders at exactly started_at and ended_at (live), at ended_at + 72h (tail),
  a second later and a second before started_at (neither), a refunded tail order,
  guests, orders credited to guides of other stores;
- V1 is invited by G1 and G2 (one store) and by G3 (another), views and buys;
  V2 views outside the window (no viewer); V3 views and is nobody's invitee;
  V9 views but is no member (seen only when nothing narrows);
- POS returns: at ended_at + 72h (counts), one second later, a refunded one, a
  wemall order (not POS), one at another region's store.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from builders import build_db, demo_scopes, guide_row, order_row, reader_for, store_row
from dashboard import demo, rollups
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters, Scope

from raw_ref import channel_cohorts as raw_cohorts
from raw_ref import channel_roi as raw_roi
from raw_ref import channel_roi_windows as raw_roi_windows
from raw_ref import live_compare as raw_compare
from raw_ref import live_curve as raw_curve
from raw_ref import morning_lives as raw_morning
from raw_ref import live_guides as raw_guides
from raw_ref import live_median_curve as raw_median
from raw_ref import live_stores as raw_stores
from raw_ref import live_tail as raw_tail
from raw_ref import live_tail_brands as raw_brands

AS_OF = date(2026, 3, 20)

RAW = {
    "channel-roi": raw_roi.channel_roi,
    "channel-roi-windows": raw_roi_windows.channel_roi_windows,
    "channel-cohorts": raw_cohorts.channel_cohorts,
    "live-tail": raw_tail.live_tail,
    "live-compare": raw_compare.live_compare,
    "live-median-curve": raw_median.live_median_curve,
    "live-guides": raw_guides.live_guides,
    "live-stores": raw_stores.live_stores,
    "live-tail-brands": raw_brands.live_tail_brands,
    "live-curve": raw_curve.live_curve,
    "morning-lives": raw_morning.morning_lives,
}
# The former live-tail-brands summed the orders' net as floats in pandas; the
# rollup sums DECIMAL cents exactly: equal to the last bits of a float.
FLOAT_SUMS = {"live-tail-brands": ("tail_sales", "share_of_tail")}


def ts(text):
    return datetime.fromisoformat(text)


def fan(member_id, joined_at, channel, store_id=None, guide_id=None, unfollowed_at=None):
    return {"member_id": member_id, "joined_at": ts(joined_at), "acquisition_channel": channel,
            "store_id": store_id, "guide_id": guide_id,
            "unfollowed_at": None if unfollowed_at is None else ts(unfollowed_at)}


def live(live_id, brand, host, start, end, cost):
    return {"live_id": live_id, "title": live_id, "brand": brand, "host_store_id": host,
            "started_at": ts(start), "ended_at": ts(end), "cost": cost}


def invite(live_id, guide_id, member_id):
    return {"live_id": live_id, "guide_id": guide_id, "member_id": member_id, "invited_at": ts("2026-03-01 09:00")}


def view(live_id, member_id, at):
    return {"live_id": live_id, "member_id": member_id, "joined_at": ts(at), "watch_seconds": 60}


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    o = order_row
    return build_db(
        tmp_path_factory.mktemp("chlive") / "chlive.duckdb",
        stores=[store_row("S1", region="华东", city="上海", brand="B1"),
                store_row("S2", region="华东", city="杭州", brand="B2"),
                store_row("S3", region="华南", city="广州", brand="B1")],
        guides=[guide_row("G1", "S1"), guide_row("G2", "S1"), guide_row("G3", "S2"), guide_row("G4", "S3")],
        channels=[{"channel_id": "paid", "channel_name": "广告", "kind": "paid_ad"},
                  {"channel_id": "organic", "channel_name": "自然", "kind": "other"},
                  {"channel_id": "none", "channel_name": "无人", "kind": "other"}],
        channel_spend=[{"spend_date": date(2026, 3, 2), "channel_id": "paid", "spend": 300},
                       {"spend_date": date(2026, 3, 1), "channel_id": "lost", "spend": 10}],
        members=[
            fan("F1", "2026-03-01 10:00:00", "paid", "S1", "G1", "2026-03-08 10:00:00"),
            fan("F2", "2026-03-02 12:00:00", "paid", "S1", "G2", "2026-03-08 12:00:00"),
            fan("F3", "2026-03-03 09:00:00", "paid", "S1", "G1", "2026-03-10 08:59:59"),
            fan("F4", "2026-03-04 08:00:00", "paid", "S3", "G4"),
            fan("F5", "2026-03-05 00:00:00", "paid", None, None),
            fan("F6", "2026-02-28 23:59:59", "paid", "S1", "G1"),
            fan("F7", "2026-03-06 10:00:00", "organic", "S2", "G3"),
            fan("F8", "2026-03-07 10:00:00", "lost", "S3", None),
            fan("F9", "2026-03-20 23:00:00", "organic", "S1", "G2"),
            fan("N1", "2026-03-02 10:00:00", None, "S1", "G1"),
            fan("V1", "2025-01-01 00:00:00", None, "S1", "G1"),
            fan("V2", "2025-01-01 00:00:00", None, "S2", "G3"),
            fan("V3", "2025-01-01 00:00:00", "paid", "S3", "G4"),
        ],
        live_sessions=[live("L1", "B1", "S1", "2026-03-05 19:00", "2026-03-05 21:00", 1000),
                       live("L2", "B2", "S2", "2026-03-10 20:00", "2026-03-10 21:30", 0),
                       live("L3", "B1", None, "2026-03-18 19:00", "2026-03-18 20:00", 500),
                       live("L4", "B1", "S3", "2026-02-01 19:00", "2026-02-01 20:00", 100)],
        live_invites=[invite("L1", "G1", "V1"), invite("L1", "G2", "V1"), invite("L1", "G3", "V1"),
                      invite("L1", "G1", "V2"), invite("L1", "G4", "V3"), invite("L2", "G3", "V1"),
                      invite("L2", "G4", "F4"), invite("L3", "G1", "V3"), invite("L4", "G4", "V3")],
        live_views=[view("L1", "V1", "2026-03-05 19:10"), view("L1", "V1", "2026-03-05 20:00"),
                    view("L1", "V2", "2026-02-20 19:00"),   # more than 7 days before: no viewer
                    view("L1", "V3", "2026-02-26 19:00"),   # exactly 7 days before: a viewer
                    view("L1", "V9", "2026-03-05 19:30"),   # no member
                    view("L2", "V1", "2026-03-13 21:30"),   # exactly end + 72h
                    view("L2", "F4", "2026-03-13 21:30:01"),
                    view("L3", "V3", "2026-03-18 19:30"), view("L4", "V3", "2026-02-01 19:30")],
        orders=[
            # channels
            o("c01", "2026-03-08 09:59:59", "S1", 100, guide_id="G1", member_id="F1"),   # 7-day last second
            o("c02", "2026-03-08 10:00:00", "S1", 50, guide_id="G1", member_id="F1"),    # +7 days: in 30
            o("c03", "2026-03-01 09:59:59", "S1", 7, guide_id="G1", member_id="F1"),     # before joining
            o("c04", "2026-03-03 10:00:00", "S1", 80, refund_amount=80, guide_id="G2", member_id="F2"),
            o("c05", "2026-03-04 10:00:00", "S1", 90, refund_amount=30, guide_id="G2", member_id="F2"),
            o("c06", "2026-03-04 10:00:00", "S1", 20, guide_id="G1", member_id="F3"),
            o("c07", "2026-03-05 10:00:00", "S1", 30, guide_id="G2", member_id="F3"),
            o("c08", "2026-03-06 10:00:00", "S3", 40, guide_id="G4", member_id="F3"),
            o("c09", "2026-03-25 10:00:00", "S3", 60, member_id="F3"),
            o("c10", "2026-03-05 00:00:00", "S2", 70, guide_id="G3", member_id="F5"),
            o("c11", "2026-04-03 23:59:59", "S2", 11, member_id="F5"),
            o("c12", "2026-03-02 10:00:00", "S1", 500, guide_id="G1", member_id="F6"),
            o("c13", "2026-03-07 10:00:00", "S2", 25, guide_id="G3", member_id="F7"),
            o("c14", "2026-03-08 10:00:00", "S2", 25, guide_id="G3", member_id="F7"),
            o("c15", "2026-03-08 10:00:00", "S3", 15, guide_id="G4", member_id="F8"),
            o("c16", "2026-03-22 10:00:00", "S1", 33, guide_id="G2", member_id="F9"),     # after as-of
            o("c17", "2026-03-09 10:00:00", "S9", 999, member_id="F4"),                   # unknown store
            o("c18", "2026-03-09 10:00:00", "S3", 12, guide_id="G4", member_id="F4"),
            o("c19", "2026-03-02 11:00:00", "S1", 44, guide_id="G1", member_id="N1"),     # no channel
            # L1 (19:00-21:00): live, tail, neither
            o("l01", "2026-03-05 19:00:00", "S1", 100, channel="wemall", live_id="L1", guide_id="G1", member_id="V1"),
            o("l02", "2026-03-05 21:00:00", "S2", 200, channel="wemall", live_id="L1", guide_id="G3"),
            o("l03", "2026-03-05 18:59:59", "S1", 70, channel="wemall", live_id="L1"),
            o("l04", "2026-03-06 10:00:00", "S1", 400, refund_amount=100, channel="wemall", live_id="L1",
              guide_id="G2", member_id="V1"),
            o("l05", "2026-03-06 11:00:00", "S3", 50, refund_amount=50, channel="wemall", live_id="L1",
              guide_id="G4", member_id="V3", brand="B2"),
            o("l06", "2026-03-08 21:00:00", "S3", 300, channel="wemall", live_id="L1", guide_id="G4", member_id="V3"),
            o("l07", "2026-03-08 21:00:01", "S1", 1000, channel="wemall", live_id="L1", member_id="V1"),
            o("l08", "2026-03-06 12:00:00", "S2", 35, channel="wemall", live_id="L1", guide_id="G1", member_id="V9"),
            # POS returns after L1 (ended 03-05 21:00)
            o("r01", "2026-03-08 21:00:00", "S1", 80, member_id="V1", guide_id="G2"),   # end + 72h
            o("r02", "2026-03-08 21:00:01", "S2", 80, member_id="V3"),                   # a second later
            o("r03", "2026-03-06 12:00:00", "S3", 60, refund_amount=60, member_id="V3"), # refunded
            o("r04", "2026-03-06 12:00:00", "S1", 90, channel="wemall", member_id="V3"), # not POS
            o("r05", "2026-03-06 13:00:00", "S3", 90, member_id="V9", guide_id="G4"),    # no member
            o("r06", "2026-03-07 13:00:00", "S3", 10, member_id="V3", guide_id="G4"),
            # L2 (20:00-21:30), L3
            o("m01", "2026-03-10 20:30:00", "S2", 500, channel="wemall", live_id="L2", guide_id="G3", brand="B2"),
            o("m02", "2026-03-11 20:30:00", "S1", 100, refund_amount=100, channel="wemall", live_id="L2",
              guide_id="G1", member_id="V1", brand="B2"),
            o("m03", "2026-03-12 08:00:00", "S3", 250, channel="wemall", live_id="L2", member_id="F4", brand="B2"),
            o("m04", "2026-03-13 21:30:00", "S2", 5, channel="wemall", live_id="L2", guide_id="G3", member_id="V1"),
            o("n01", "2026-03-18 19:30:00", "S1", 120, channel="wemall", live_id="L3", guide_id="G1", member_id="V3"),
            o("n02", "2026-03-19 19:30:00", "S3", 80, channel="wemall", live_id="L3", member_id="V3"),
            o("k01", "2026-02-01 19:30:00", "S3", 60, channel="wemall", live_id="L4", guide_id="G4"),
        ])


SCOPES = {
    "hq": (Scope.everything(), Filters()),
    "east": (Scope.of(regions=["华东"]), Filters()),
    "south": (Scope.of(regions=["华南"]), Filters()),
    "store S1": (Scope.of(stores=["S1"]), Filters()),
    "brand B1": (Scope.everything(), Filters.of(brands=["B1"])),
    "city": (Scope.everything(), Filters.of(cities=["杭州"])),
    "store filter S3": (Scope.everything(), Filters.of(stores=["S3"])),
    "guide G1": (Scope.everything(), Filters.of(guides=["G1"])),
    "guides G2 G4": (Scope.everything(), Filters.of(guides=["G2", "G4"])),
    "east + G3": (Scope.of(regions=["华东"]), Filters.of(guides=["G3"])),
    "nothing": (Scope.nothing(), Filters()),
}

# Whole months inside a period are counted from channel_fans_monthly, the rest fan by fan.
HAND_PERIODS = [Period(date(2026, 3, 1), date(2026, 3, 10)), Period(date(2026, 3, 5), date(2026, 3, 5)),
                Period(date(2026, 3, 1), AS_OF), Period(AS_OF - timedelta(days=364), AS_OF),
                Period(date(2026, 2, 1), date(2026, 2, 28)), Period(date(2026, 2, 1), date(2026, 3, 31)),
                Period(date(2026, 2, 28), date(2026, 3, 31))]
HAND_AS_OF = [AS_OF, date(2026, 3, 8), date(2026, 3, 6), date(2026, 3, 11), date(2026, 6, 30)]

# (metric, options) pairs: every window of channel-roi and channel-cohorts, one live of the live options
RUNS = [("channel-roi", {"window": 7}), ("channel-roi", {"window": 30}), ("channel-roi", {"window": 90}),
        ("channel-roi-windows", {}), ("channel-cohorts", {"window": 90}), ("channel-cohorts", {"window": 7}),
        ("live-tail", {}), ("live-compare", {}), ("live-median-curve", {}), ("live-guides", {}),
        ("live-stores", {}), ("live-tail-brands", {}), ("live-guides", {"live": "L1"}),
        ("live-stores", {"live": "L2"}), ("live-tail-brands", {"live": "L1"}), ("live-curve", {"live": "L1"}),
        ("live-curve", {"live": "L3"}), ("morning-lives", {})]


def _same(a, b) -> bool:
    if (pd.api.types.is_scalar(a) and pd.isna(a)) or (pd.api.types.is_scalar(b) and pd.isna(b)):
        return (pd.api.types.is_scalar(a) and pd.isna(a)) and (pd.api.types.is_scalar(b) and pd.isna(b))
    return a == b


def assert_same(got: pd.DataFrame, want: pd.DataFrame, label: str, floats=()) -> None:
    got, want = got.reset_index(drop=True), want.reset_index(drop=True)
    assert list(got.columns) == list(want.columns), label
    assert len(got) == len(want), f"{label}: {len(got)} rows, want {len(want)}\n{got}\n{want}"
    for c in want.columns:
        g, w = got[c].tolist(), want[c].tolist()
        if c in floats:
            ok = [(_same(a, b) or (not pd.isna(a) and not pd.isna(b) and math.isclose(a, b, rel_tol=1e-12)))
                  for a, b in zip(g, w)]
        else:
            ok = [_same(a, b) for a, b in zip(g, w)]
        assert all(ok), f"{label} column {c}: {g} != {w}"


def check(reader, name, options, period, as_of, label):
    args = MetricArgs(period, as_of, tuple(options.items()))
    got = METRICS[name](reader, args)
    want = RAW[name](reader, args)
    assert_same(got, want, f"{name} {options} {label} {period} as-of {as_of}", FLOAT_SUMS.get(name, ()))
    return got


@pytest.mark.parametrize("scope_name", list(SCOPES))
def test_hand_built_rollups_equal_raw(hand_db, scope_name):
    scope, filters = SCOPES[scope_name]
    reader = reader_for(hand_db, scope, filters)
    for name, options in RUNS:
        for period in HAND_PERIODS:
            for as_of in HAND_AS_OF:
                check(reader, name, options, period, as_of, scope_name)


def test_hand_built_cases_are_really_there(hand_db):
    """The data exercises what it claims, through the rollups."""
    hq = reader_for(hand_db)
    p = Period(date(2026, 3, 1), date(2026, 3, 10))
    roi7 = METRICS["channel-roi"](hq, MetricArgs(p, AS_OF, (("window", 7),))).set_index("channel_id")
    roi30 = METRICS["channel-roi"](hq, MetricArgs(p, AS_OF, (("window", 30),))).set_index("channel_id")
    # paid: F1..F5 (not F6, a second early); retained F1 (exactly 7 days) and F4, F5
    assert roi7.loc["paid", "new_fans"] == 5 and roi7.loc["paid", "retained_fans"] == 3
    # 7 days: F1 100 (c01 on the last second; not c02 at +7 days) + F2 0 + 60 + F3 20 + 30 + 40 + F4 12 + F5 70
    assert roi7.loc["paid", "gmv"] == pytest.approx(332)    # c17 at the unknown store never counts
    # 30 days: + F1 c02 50 + F3 c09 60 + F5 c11 (29 days 23:59:59 after) 11 + F4's live order m03 250
    assert roi30.loc["paid", "gmv"] == pytest.approx(332 + 50 + 60 + 11 + 250)
    assert math.isnan(roi7.loc["organic", "roi"]) and roi7.loc["organic", "spend"] == 0  # no spend
    assert "lost" in roi7.index and roi7.loc["none", "new_fans"] == 0
    late = METRICS["channel-roi"](hq, MetricArgs(Period(date(2026, 3, 11), AS_OF), AS_OF, (("window", 7),)))
    assert not late.set_index("channel_id").loc["organic", "complete"]  # F9's window runs past the as-of date
    tail = METRICS["live-tail"](hq, MetricArgs(p, AS_OF)).set_index("live_id")
    assert tail.loc["L1", "live_sales"] == 300 and tail.loc["L1", "tail_sales"] == 300 + 0 + 300 + 35
    assert tail.loc["L1", "viewers"] == 3     # V1, V3, V9 (not V2: too early)
    assert tail.loc["L1", "invited"] == 3 and tail.loc["L1", "invited_watched"] == 2  # V1 once (3 guides), V2, V3
    assert tail.loc["L1", "returned"] == 3    # V1 at end + 72h, V3 (r06), V9 (r05)
    east = METRICS["live-tail"](reader_for(hand_db, Scope.of(regions=["华东"])), MetricArgs(p, AS_OF))
    assert east.set_index("live_id").loc["L1", "viewers"] == 1  # V1 only: V3 is bound to S3, V9 to nothing
    # the rollups really were read: the whole-group rows are there for HQ only
    assert hq.scalar("SELECT count(*) FROM live_audience_whole") == 4
    assert reader_for(hand_db, Scope.of(regions=["华东"])).scalar("SELECT count(*) FROM channel_daily") == 0


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("chlive-demo") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    return path


def _demo_scopes(path):
    return demo_scopes(path, "SELECT guide_id FROM live_invites "
                                   "GROUP BY guide_id ORDER BY count(*) DESC, guide_id LIMIT 3")


def test_demo_rollups_equal_raw(demo_db):
    as_of = date(2026, 11, 22)
    periods = [Period(as_of, as_of), Period(as_of - timedelta(days=29), as_of),
               Period(date(2026, 2, 1), date(2026, 2, 28)), Period(as_of - timedelta(days=364), as_of)]
    hq = reader_for(demo_db)
    lives = hq.query("SELECT live_id FROM live_sessions ORDER BY started_at DESC LIMIT 2")["live_id"].tolist()
    assert lives and hq.scalar("SELECT count(*) FROM channel_fan_sales") > 0
    runs = RUNS + [(n, {"live": lv}) for lv in lives
                   for n in ("live-guides", "live-stores", "live-tail-brands", "live-curve")]
    for scope_name, (scope, filters) in _demo_scopes(demo_db).items():
        reader = reader_for(demo_db, scope, filters)
        for name, options in runs:
            for period in periods:
                check(reader, name, options, period, as_of, scope_name)
        check(reader, "channel-roi", {"window": 90}, periods[1], as_of - timedelta(days=40), scope_name)
        for day in (as_of - timedelta(days=1), as_of - timedelta(days=3)):
            check(reader, "morning-lives", {}, periods[0], day, scope_name)


def test_live_and_channel_rollups_are_sorted_for_range_reads(demo_db):
    import duckdb
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        for r in rollups.ROLLUPS:
            first = r.order_by.split(",")[0].strip()
            if first in ("started_at", "joined_at"):
                values = [v[0] for v in con.execute(f"SELECT {first} FROM {r.name}").fetchall()]
                assert values == sorted(values), r.name
    finally:
        con.close()
