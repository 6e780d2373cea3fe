"""The live-stream metrics (SPEC.md "Live streams — the 72-hour rule") on
hand-built sessions, every expected number worked out by hand next to the data.

As-of 2026-03-09 (data complete up to 2026-03-10 00:00); period 2026-03-01..03-09.
Stores S1 (华东), S2 (华南); guides G1 (S1), G2 (S2).

L1  HQ-hosted (no host store), brand B1, 03-01 19:00–21:00 (2 h), cost 1000.
    live  o1 19:00:00 exactly started_at, 100 (m3)       -> live
          o2 21:00:00 exactly ended_at, 200               -> live
          o7 18:59:59 before the start, 70                -> neither
    tail  o9 03-01 22:00:00 = end + 1 h, 150              -> tail hour 1
          o5 03-02 10:00 = end + 13 h, 400 − 100 refund    -> 300, tail hour 13 (m2)
          o6 03-02 11:00 = end + 14 h, 50 fully refunded  -> 0 (no order)
          o8 03-03 09:00 = end + 36 h, brand B2, 150      -> tail hour 36
          o3 03-04 21:00:00 = end + 72 h exactly, 300     -> tail hour 72 (m1)
          o4 03-04 21:00:01 a second later, 1000           -> neither
    live 300, tail 150 + 300 + 0 + 150 + 300 = 900, multiple 3.0, ROI 1200/1000 = 1.2
    tail by brand: B1 750 (o9, o5, o3: 3 orders; o6 is no order), B2 150 → shares 5/6, 1/6
    invites: G1 → m1, m2; G2 → m1, m3: invited members {m1, m2, m3} = 3
    views: m1, m3 (invited), m4, m6 (not invited): viewers 4, invited who watched 2 → 2/3
    POS after the end: m1 at end + 71 h (counts), m4 at end + 73 h (does not), m3 a fully
    refunded POS order at end + 15 h (no order: does not), m6 at end + 1 h (counts)
    → returned 2 of 4 = 0.5
L2  hosted by S1, brand B2, 03-02 19:00–20:30 (1.5 h), cost 0 (no cost → ROI empty).
    p1 19:30 500 (S1) live; p2 20:30 exactly ended_at, fully refunded (S1) live 0;
    p3 03-03 08:00 = end + 11.5 h, 250, credited to S2 → tail hour 12.
    live 500, tail 250, multiple 0.5; no invites, no viewers → rates empty.
L3  hosted by S2, brand B1, 03-08 20:00–21:00, cost 500: its 72 h end 03-11 21:00,
    after as-of 24:00 (03-10 00:00) → in progress, 45 hours remaining.
    q1 20:30 400 live; q2 03-09 10:00 100 tail; q3 03-10 09:00 200 tail (after as-of).
L4  hosted by S1, brand B1, 02-20 19:00–20:00, cost 100 (before the period).
    r1 19:30 100 live; r2 02-21 09:00 = end + 13 h, 50 tail.
"""
from datetime import date, datetime

import pandas as pd
import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters, Scope

AS_OF = date(2026, 3, 9)
PERIOD = Period(date(2026, 3, 1), AS_OF)


def ts(text):
    return datetime.fromisoformat(text)


def live(live_id, brand, host, start, end, cost):
    return {"live_id": live_id, "title": f"<b>{live_id}</b> [x](http://e.vil)", "brand": brand,
            "host_store_id": host, "started_at": ts(start), "ended_at": ts(end), "cost": cost}


def member(member_id, store_id):
    return {"member_id": member_id, "joined_at": ts("2025-01-01 00:00"), "store_id": store_id}


def invite(live_id, guide_id, member_id):
    return {"live_id": live_id, "guide_id": guide_id, "member_id": member_id, "invited_at": ts("2026-02-28 10:00")}


def view(live_id, member_id, at):
    return {"live_id": live_id, "member_id": member_id, "joined_at": ts(at), "watch_seconds": 600}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_db(
        tmp_path_factory.mktemp("live") / "live.duckdb",
        stores=[store_row("S1", region="华东"), store_row("S2", region="华南")],
        guides=[guide_row("G1", "S1"), guide_row("G2", "S2")],
        members=[member("m1", "S1"), member("m2", "S1"), member("m3", "S2"), member("m4", "S1"),
                 member("m6", None)],
        live_sessions=[
            live("L1", "B1", None, "2026-03-01 19:00", "2026-03-01 21:00", 1000),
            live("L2", "B2", "S1", "2026-03-02 19:00", "2026-03-02 20:30", 0),
            live("L3", "B1", "S2", "2026-03-08 20:00", "2026-03-08 21:00", 500),
            live("L4", "B1", "S1", "2026-02-20 19:00", "2026-02-20 20:00", 100),
        ],
        live_invites=[invite("L1", "G1", "m1"), invite("L1", "G1", "m2"), invite("L1", "G2", "m1"),
                      invite("L1", "G2", "m3")],
        live_views=[view("L1", "m1", "2026-03-01 19:05"), view("L1", "m3", "2026-03-01 19:30"),
                    view("L1", "m4", "2026-03-01 20:00"), view("L1", "m6", "2026-03-01 20:10")],
        orders=[
            # L1
            order_row("o1", "2026-03-01 19:00:00", "S1", 100, channel="wemall", live_id="L1", member_id="m3"),
            order_row("o2", "2026-03-01 21:00:00", "S2", 200, channel="wemall", live_id="L1"),
            order_row("o7", "2026-03-01 18:59:59", "S1", 70, channel="wemall", live_id="L1"),
            order_row("o9", "2026-03-01 22:00:00", "S1", 150, channel="wemall", live_id="L1"),
            order_row("o5", "2026-03-02 10:00:00", "S1", 400, refund_amount=100, channel="wemall", live_id="L1",
                      member_id="m2"),
            order_row("o6", "2026-03-02 11:00:00", "S2", 50, refund_amount=50, channel="wemall", live_id="L1"),
            order_row("o8", "2026-03-03 09:00:00", "S2", 150, channel="wemall", live_id="L1", brand="B2"),
            order_row("o3", "2026-03-04 21:00:00", "S1", 300, channel="wemall", live_id="L1", member_id="m1"),
            order_row("o4", "2026-03-04 21:00:01", "S1", 1000, channel="wemall", live_id="L1", member_id="m1"),
            # returns to the store after L1 (POS, no live_id)
            order_row("x1", "2026-03-04 20:00:00", "S1", 80, member_id="m1"),      # end + 71 h
            order_row("x2", "2026-03-04 22:00:00", "S1", 80, member_id="m4"),      # end + 73 h
            order_row("x3", "2026-03-02 12:00:00", "S2", 60, refund_amount=60, member_id="m3"),  # refunded
            order_row("x4", "2026-03-01 22:00:00", "S2", 90, member_id="m6"),      # end + 1 h
            order_row("x5", "2026-03-02 12:00:00", "S1", 90, channel="wemall", member_id="m4"),  # not POS
            # L2
            order_row("p1", "2026-03-02 19:30:00", "S1", 500, channel="wemall", live_id="L2", brand="B2"),
            order_row("p2", "2026-03-02 20:30:00", "S1", 100, refund_amount=100, channel="wemall", live_id="L2",
                      brand="B2"),
            order_row("p3", "2026-03-03 08:00:00", "S2", 250, channel="wemall", live_id="L2", brand="B2"),
            # L3
            order_row("q1", "2026-03-08 20:30:00", "S2", 400, channel="wemall", live_id="L3"),
            order_row("q2", "2026-03-09 10:00:00", "S2", 100, channel="wemall", live_id="L3"),
            order_row("q3", "2026-03-10 09:00:00", "S2", 200, channel="wemall", live_id="L3"),
            # L4
            order_row("r1", "2026-02-20 19:30:00", "S1", 100, channel="wemall", live_id="L4"),
            order_row("r2", "2026-02-21 09:00:00", "S1", 50, channel="wemall", live_id="L4"),
        ],
    )


def run(db, name, scope=Scope.everything(), filters=Filters(), period=PERIOD, **options):
    return METRICS[name](reader_for(db, scope, filters), MetricArgs(period, AS_OF, tuple(sorted(options.items()))))


def by_id(df):
    return {r["live_id"]: r for _, r in df.iterrows()}


def test_live_and_tail_edges_refunds_and_roi(db):
    df = run(db, "live-tail")
    assert list(df["live_id"]) == ["L1", "L2", "L3"]  # started in the period; L4 started before it
    r = by_id(df)["L1"]
    assert r["live_sales"] == 300 and r["tail_sales"] == 900
    assert r["tail_multiple"] == pytest.approx(3.0)
    assert r["roi"] == pytest.approx(1.2)
    assert r["live_orders"] == 2 and r["tail_orders"] == 4  # o6 fully refunded: no order
    assert pd.isna(r["host_store_id"]) and r["complete"] == "true" and r["hours_remaining"] == 0


def test_audience_invites_and_return_to_store(db):
    r = by_id(run(db, "live-tail"))["L1"]
    assert (r["invited"], r["invited_watched"], r["viewers"], r["returned"]) == (3, 2, 4, 2)
    assert r["invite_watch_rate"] == pytest.approx(2 / 3)
    assert r["return_rate"] == pytest.approx(0.5)


def test_undefined_values_are_empty(db):
    r = by_id(run(db, "live-tail"))["L2"]
    assert (r["live_sales"], r["tail_sales"]) == (500, 250)
    assert r["tail_multiple"] == pytest.approx(0.5)
    assert pd.isna(r["roi"])               # no cost
    assert pd.isna(r["invite_watch_rate"])  # no invites
    assert pd.isna(r["return_rate"])        # no viewers


def test_a_live_inside_its_72_hours_is_in_progress(db):
    r = by_id(run(db, "live-tail"))["L3"]
    assert r["complete"] == "false"
    assert r["hours_remaining"] == pytest.approx(45.0)  # 03-11 21:00 − 03-10 00:00
    assert (r["live_sales"], r["tail_sales"]) == (400, 300)  # the CLI prints what the data holds


def test_the_cli_prints_complete_as_true_false_and_empty_where_undefined(db):
    from dashboard.cli.metric import render
    text = render(run(db, "live-tail"), "csv").splitlines()
    head = text[0].split(",")
    l2 = dict(zip(head, text[2].split(",")))
    assert head[:14] == ["live_id", "title", "host_store_id", "started_at", "ended_at", "live_sales", "tail_sales",
                         "tail_multiple", "viewers", "invite_watch_rate", "return_rate", "cost", "roi", "complete"]
    assert l2["roi"] == "" and l2["invite_watch_rate"] == "" and l2["return_rate"] == "" and l2["complete"] == "true"
    assert dict(zip(head, text[3].split(",")))["complete"] == "false"


def test_curve_buckets_live_then_72_tail_hours(db):
    c = run(db, "live-curve", live="L1")
    assert len(c) == 2 + 72  # two live hours, then 72 tail hours
    assert list(c["part"][:2]) == ["live", "live"] and set(c["part"][2:]) == {"tail"}
    assert list(c["live_sales"][:2]) == [100, 200]         # o1 at the start, o2 at exactly ended_at
    tail = c.set_index("hours_since_end")["tail_sales"]
    assert tail[1] == 150 and tail[13] == 300 and tail[14] == 0 and tail[36] == 150 and tail[72] == 300
    assert c["tail_sales"].sum() == 900 and c["live_sales"].sum() == 300
    assert c.set_index("hours_since_end")["cumulative"][0] == 300
    assert c["cumulative"].iloc[-1] == 1200
    assert list(c["hour"]) == list(range(74))


def test_curve_of_a_live_not_a_whole_number_of_hours(db):
    c = run(db, "live-curve", live="L2")
    assert len(c) == 2 + 72 and list(c["live_sales"][:2]) == [500, 0]
    assert c.set_index("hours_since_end")["tail_sales"][12] == 250  # end + 11.5 h falls in (11 h, 12 h]
    assert c["hour_end"].iloc[1] == pd.Timestamp("2026-03-02 20:30")


def test_curve_of_an_in_progress_live_marks_what_has_elapsed(db):
    c = run(db, "live-curve", live="L3").set_index("hours_since_end")
    assert c["elapsed"][27] == "true" and c["elapsed"][28] == "false"  # 03-10 00:00 = end + 27 h
    assert run(db, "live-curve").empty  # no --live: no rows


def test_median_curve_over_complete_lives_of_the_period(db):
    m = run(db, "live-median-curve").set_index("hours_since_end")
    # complete lives started in the period: L1 (live 300, total 1200), L2 (500, 750)
    assert m["median_lives"][0] == 2
    assert m["median_cumulative"][0] == 400 and m["median_cumulative"][72] == 975
    assert m["median_tail_multiple"][72] == pytest.approx((3.0 + 0.5) / 2)
    # at hour 12: L1 300 + 150 = 450 (o5 is at 13 h), L2 500 + 250 = 750 → 600
    assert m["median_cumulative"][12] == 600


def test_tail_by_brand(db):
    b = run(db, "live-tail-brands", live="L1")
    assert list(b["brand"]) == ["B1", "B2"]
    assert list(b["tail_sales"]) == [750, 150] and list(b["orders"]) == [3, 1]
    assert b["share_of_tail"].tolist() == pytest.approx([750 / 900, 150 / 900])


def test_guides_and_stores_by_invited_members_who_watched(db):
    g = run(db, "live-guides", live="L1").set_index("guide_id")
    # G1 invited m1 (watched, bought o3 300 + o4 outside the window) and m2 (did not watch)
    assert (g.loc["G1", "invited"], g.loc["G1", "invited_watched"]) == (2, 1)
    assert g.loc["G1", "watched_sales"] == 300 and g.loc["G1", "watched_buyers"] == 1
    # G2 invited m1 and m3, both watched: o3 300 (tail) + o1 100 (live)
    assert (g.loc["G2", "invited"], g.loc["G2", "invited_watched"]) == (2, 2)
    assert (g.loc["G2", "watched_live_sales"], g.loc["G2", "watched_tail_sales"]) == (100, 300)
    assert g.loc["G2", "invite_watch_rate"] == 1.0 and g.loc["G1", "invite_watch_rate"] == 0.5
    assert (g.loc["G2", "rank"], g.loc["G1", "rank"]) == (1, 2)
    s = run(db, "live-stores", live="L1").set_index("store_id")
    assert (s.loc["S2", "invited_watched"], s.loc["S1", "invited_watched"]) == (2, 1)
    assert s.loc["S2", "rank"] == 1 and s.loc["S1", "watched_sales"] == 300


def test_compare_by_brand_and_host_keeps_in_progress_apart(db):
    c = run(db, "live-compare").set_index(["compare_by", "compare_value"])
    b1 = c.loc[("brand", "B1")]  # L1 complete, L3 in progress
    assert (b1["lives"], b1["in_progress"], b1["live_sales"], b1["tail_sales"]) == (1, 1, 300, 900)
    assert b1["tail_multiple"] == pytest.approx(3.0) and b1["roi"] == pytest.approx(1.2)
    store = c.loc[("host", "store")]  # L2 complete (cost 0), L3 in progress
    assert (store["lives"], store["in_progress"]) == (1, 1) and pd.isna(store["roi"])
    assert c.loc[("host", "hq"), "tail_multiple"] == pytest.approx(3.0)


def test_morning_lives_tail_so_far_against_the_median_at_the_same_hour(db):
    m = run(db, "morning-lives")
    assert list(m["live_id"]) == ["L3"]  # ended in (03-07 00:00, 03-10 00:00]
    r = m.iloc[0]
    assert r["hours_since_end"] == 27 and r["hours_remaining"] == pytest.approx(45.0)
    assert r["tail_so_far"] == 100  # q3 is after the as-of day
    assert r["tail_multiple_so_far"] == pytest.approx(0.25)
    # reference: complete lives started in the 30 days to the as-of day, tail within 27 h of their end:
    # L1 150 + 300 + 0 = 450 (×1.5), L2 250 (×0.5), L4 50 (×0.5)
    assert r["reference_lives"] == 3
    assert r["median_tail_so_far"] == 250 and r["median_tail_multiple"] == pytest.approx(0.5)


def test_region_sees_its_stores_lives_and_their_orders_only(db):
    east = run(db, "live-tail", Scope.of(regions=["华东"]))
    assert list(east["live_id"]) == ["L2"]  # L1 is HQ-hosted, L3 hosted by S2
    r = east.iloc[0]
    assert (r["live_sales"], r["tail_sales"]) == (500, 0)  # p3 was credited to S2, another region
    south = run(db, "live-tail", Scope.of(regions=["华南"]))
    assert list(south["live_id"]) == ["L3"]
    assert run(db, "live-curve", Scope.of(regions=["华东"]), live="L1").empty
    assert run(db, "live-guides", Scope.of(regions=["华东"]), live="L1").empty
    assert run(db, "live-tail-brands", Scope.of(regions=["华南"]), live="L2").empty


def test_hq_with_a_store_filter_sees_no_hq_hosted_live(db):
    df = run(db, "live-tail", filters=Filters.of(stores=["S1"]))
    assert list(df["live_id"]) == ["L2"]
    assert run(db, "live-tail", Scope.nothing()).empty
