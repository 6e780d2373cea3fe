"""channel-roi, channel-roi-windows and channel-cohorts on hand-built fans, every
expected number worked out by hand from SPEC.md "Acquisition-channel ROI" in
the comments next to the data.

Period 2026-03-01..2026-03-10 (new fans: joined_at in [03-01 00:00, 03-11 00:00)),
as-of 2026-05-31 (a window has elapsed when it ends by 06-01 00:00).
Stores: S1 in 华东, S2 in 华南.
"""
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from builders import build_db, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters, Scope

ROOT = Path(__file__).resolve().parents[2]
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10))
AS_OF = date(2026, 5, 31)


def member(member_id, joined_at, channel, store_id=None, unfollowed_at=None):
    return {"member_id": member_id, "joined_at": pd.Timestamp(joined_at), "acquisition_channel": channel,
            "store_id": store_id, "unfollowed_at": None if unfollowed_at is None else pd.Timestamp(unfollowed_at)}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_db(
        tmp_path_factory.mktemp("channels") / "ch.duckdb",
        stores=[store_row("S1", region="华东"), store_row("S2", region="华南")],
        channels=[{"channel_id": "paid", "channel_name": "信息流<b>广告</b>", "kind": "paid_ad"},
                  {"channel_id": "free", "channel_name": "导购添加", "kind": "guide"},
                  {"channel_id": "empty", "channel_name": "无人渠道", "kind": "other"}],
        channel_spend=[
            {"spend_date": date(2026, 2, 28), "channel_id": "paid", "spend": 999},  # before the period
            {"spend_date": date(2026, 3, 1), "channel_id": "paid", "spend": 100},
            {"spend_date": date(2026, 3, 10), "channel_id": "paid", "spend": 50},   # last day: counts
            {"spend_date": date(2026, 3, 11), "channel_id": "paid", "spend": 777},  # after the period
        ],
        members=[
            # paid: 4 new fans (M1, M2, M3, M8).
            member("M1", "2026-03-01 10:00:00", "paid", "S1", "2026-03-08 10:00:00"),  # unfollowed after exactly 7 days: retained
            member("M2", "2026-03-02 12:00:00", "paid", "S1", "2026-03-08 12:00:00"),  # after 6 days: not retained
            member("M3", "2026-03-03 09:00:00", "paid", "S2"),                         # never unfollowed: retained
            member("M8", "2026-03-04 08:00:00", "paid", None, "2026-03-11 07:59:59"),  # 7 days less a second: not retained; bound to no store
            # free (no spend rows): 1 new fan.
            member("M4", "2026-03-05 00:00:00", "free", "S1"),
            # not new fans of the period:
            member("M5", "2026-02-28 23:59:59", "free", "S1"),    # joined the second before the period
            member("M6", "2026-03-11 00:00:00", "paid", "S1"),    # joined at the period's exclusive end
            member("M7", "2026-03-02 10:00:00", None, "S1"),      # no channel: in no row
            # a channel id the channels table does not know: its own row, no name.
            member("M9", "2026-03-06 10:00:00", "lost", "S1"),
        ],
        orders=[
            # M1 (joined 03-01 10:00; 7-day window ends 03-08 10:00, 30-day 03-31 10:00).
            order_row("o0", "2026-03-01 09:59:59", "S1", 5, member_id="M1"),     # before joining: never
            order_row("o1", "2026-03-01 10:00:00", "S1", 100, member_id="M1"),   # at joined_at: counts
            order_row("o2", "2026-03-31 09:59:59", "S1", 50, member_id="M1"),    # the 30-day window's last second: counts
            order_row("o3", "2026-03-31 10:00:00", "S1", 70, member_id="M1"),    # at joined_at + 30 days: not in 30, in 90
            # M2: a fully refunded order (GMV 0, no order) and a partly refunded one (net 50).
            order_row("o4", "2026-03-05 10:00:00", "S1", 200, refund_amount=200, member_id="M2"),
            order_row("o5", "2026-03-06 10:00:00", "S1", 80, refund_amount=30, member_id="M2"),
            # M3 (joined 03-03 09:00, bound to S2): two orders in S2, one in S1 (another region).
            order_row("o6", "2026-03-04 10:00:00", "S2", 40, member_id="M3"),
            order_row("o7", "2026-03-05 10:00:00", "S1", 5, member_id="M3"),
            order_row("o8", "2026-03-20 10:00:00", "S2", 60, member_id="M3"),
            # after the as-of date, inside M3's 90-day window (ends 06-01 09:00): counted, window incomplete.
            order_row("o9", "2026-06-01 08:00:00", "S2", 1000, member_id="M3"),
            # M8 (joined 03-04 08:00).
            order_row("o10", "2026-03-04 09:00:00", "S1", 20, member_id="M8"),
            # M4 (free, joined 03-05 00:00:00): at joined_at, and 29 days 23:59:59 later.
            order_row("o11", "2026-03-05 00:00:00", "S1", 300, member_id="M4"),
            order_row("o12", "2026-04-03 23:59:59", "S1", 10, member_id="M4"),
            # M5 joined before the period: its order is nobody's in this period.
            order_row("o13", "2026-03-02 10:00:00", "S1", 1000, member_id="M5"),
            # an order with no member, and one by a member who is no fan of the period.
            order_row("o14", "2026-03-02 10:00:00", "S1", 400),
            order_row("o15", "2026-03-02 10:00:00", "S1", 400, member_id="M6"),
        ],
    )


def roi(db, window=30, scope=None, filters=None, period=PERIOD, as_of=AS_OF):
    df = METRICS["channel-roi"](reader_for(db, scope, filters), MetricArgs(period, as_of, (("window", window),)))
    return df.set_index("channel_id")


def test_columns_are_the_cli_contract(db):
    df = METRICS["channel-roi"](reader_for(db), MetricArgs(PERIOD, AS_OF, (("window", 30),)))
    assert list(df.columns) == ["channel_id", "channel_name", "spend", "new_fans", "retained_fans", "cost_per_fan",
                                "cost_per_retained_fan", "gmv", "revenue_per_fan", "roi", "repeat_rate", "complete"]
    # every channel of the channels table (even with no fans), plus the unknown id members name
    assert list(df.channel_id) == ["empty", "free", "lost", "paid"]
    cohorts = METRICS["channel-cohorts"](reader_for(db), MetricArgs(PERIOD, AS_OF))
    assert list(cohorts.columns) == ["channel_id", "cohort_month", "fans", "day", "revenue_per_fan", "complete"]


def test_paid_channel_30_days(db):
    r = roi(db).loc["paid"]
    assert r.channel_name == "信息流<b>广告</b>"  # data as it is; pages escape it
    assert r.new_fans == 4                # M1, M2, M3, M8 (not M5: a second early; not M6: at the end)
    assert r.retained_fans == 2           # M1 (exactly 7 days) and M3; not M2 (6 days), not M8 (7 days - 1 s)
    assert r.spend == pytest.approx(150)  # 100 + 50; not 02-28 or 03-11
    assert r.cost_per_fan == pytest.approx(37.5)            # 150 / 4
    assert r.cost_per_retained_fan == pytest.approx(75)     # 150 / 2
    # GMV 30: M1 100 + 50 (o2 on the last second; not o0 before joining, not o3 at +30 days)
    #   + M2 0 + 50 (o4 fully refunded, o5 net 50) + M3 40 + 5 + 60 + M8 20 = 325
    assert r.gmv == pytest.approx(325)
    assert r.revenue_per_fan == pytest.approx(81.25)        # 325 / 4
    assert r.roi == pytest.approx(325 / 150)
    # orders with net > 0 in the window: M1 2, M2 1 (o4 is no order), M3 3, M8 1 -> 2 of 4 buyers
    assert r.repeat_rate == pytest.approx(0.5)
    # latest fan M8 03-04 08:00 + 30 days = 04-03 08:00 <= 06-01 00:00
    assert bool(r.complete) is True


def test_paid_channel_7_and_90_days(db):
    r7 = roi(db, 7).loc["paid"]
    # M1 100 (o2, o3 later) + M2 50 + M3 40 + 5 (o8 on 03-20 is past 03-10 09:00) + M8 20 = 215
    assert r7.gmv == pytest.approx(215)
    assert r7.revenue_per_fan == pytest.approx(215 / 4)
    assert r7.repeat_rate == pytest.approx(0.25)  # only M3 has 2 orders within 7 days
    assert bool(r7.complete) is True
    r90 = roi(db, 90).loc["paid"]
    # 325 + o3 70 (M1 at +30 days) + o9 1000 (M3, after the as-of date but inside the window) = 1395
    assert r90.gmv == pytest.approx(1395)
    assert r90.roi == pytest.approx(1395 / 150)
    # M8 03-04 08:00 + 90 days = 06-02 08:00 > 06-01 00:00: the window runs past the as-of date
    assert bool(r90.complete) is False
    # the fan counts and spend do not depend on the window
    assert (r7.new_fans, r7.retained_fans, r7.spend) == (r90.new_fans, r90.retained_fans, r90.spend) == (4, 2, 150)


def test_channel_without_spend_shows_fans_and_gmv_with_roi_empty(db):
    r = roi(db).loc["free"]
    assert (r.new_fans, r.retained_fans) == (1, 1)
    assert r.spend == 0 and r.cost_per_fan == 0 and r.cost_per_retained_fan == 0
    assert r.gmv == pytest.approx(310)     # o11 at joined_at 300 + o12 29 days 23:59:59 later 10
    assert r.revenue_per_fan == pytest.approx(310)
    assert pd.isna(r.roi)                  # GMV / 0 spend: undefined
    assert r.repeat_rate == 1.0
    assert bool(r.complete) is True        # 03-05 + 30 days <= 06-01
    assert bool(roi(db, 90).loc["free"].complete) is False  # 03-05 00:00 + 90 days = 06-03


def test_channel_with_no_fans_and_unknown_channel(db):
    r = roi(db).loc["empty"]
    assert (r.new_fans, r.retained_fans, r.spend, r.gmv) == (0, 0, 0, 0)
    for col in ("cost_per_fan", "cost_per_retained_fan", "revenue_per_fan", "roi", "repeat_rate"):
        assert pd.isna(r[col]), col
    assert bool(r.complete) is True        # no fan whose window still runs
    lost = roi(db).loc["lost"]
    assert pd.isna(lost.channel_name) and lost.new_fans == 1 and lost.gmv == 0
    assert pd.isna(lost.repeat_rate)       # no fan ordered: 0 / 0


def test_an_as_of_inside_the_windows_marks_them_incomplete(db):
    df = roi(db, 7, as_of=date(2026, 3, 10))
    # paid: M8 03-04 08:00 + 7 days = 03-11 08:00 > 03-11 00:00; free: 03-05 + 7 = 03-12
    assert not df.loc["paid"].complete and not df.loc["free"].complete
    # as of 03-11 (ends 03-12 00:00): M8's 03-11 08:00 has passed, and M4's window ends exactly at 03-12 00:00
    df = roi(db, 7, as_of=date(2026, 3, 11))
    assert df.loc["paid"].complete and df.loc["free"].complete
    # a period ending after the as-of day is never complete (fans may still join)
    assert not roi(db, 7, period=Period(date(2026, 3, 1), date(2026, 3, 20)), as_of=date(2026, 3, 15)).loc["empty"].complete


def test_windows_metric_equals_channel_roi_per_window(db):
    wide = METRICS["channel-roi-windows"](reader_for(db), MetricArgs(PERIOD, AS_OF))
    assert sorted(set(wide.window_days)) == [7, 30, 90] and len(wide) == 3 * 4
    for w in (7, 30, 90):
        one = wide[wide.window_days == w].drop(columns="window_days").reset_index(drop=True)
        pd.testing.assert_frame_equal(one, roi(db, w).reset_index(), check_dtype=False)


def test_region_manager_sees_their_members_gmv_in_their_region_without_spend(db):
    r = roi(db, scope=Scope.of(regions=["华南"])).loc["paid"]
    # only M3 is bound to a 华南 store; only his orders credited to 华南 stores count: o6 40 + o8 60
    assert (r.new_fans, r.retained_fans) == (1, 1)
    assert r.gmv == pytest.approx(100) and r.revenue_per_fan == pytest.approx(100)
    assert r.repeat_rate == 1.0
    for col in ("spend", "cost_per_fan", "cost_per_retained_fan", "roi"):
        assert pd.isna(r[col]), col         # spend is central: undefined for a narrowed scope, not 0
    assert roi(db, scope=Scope.of(regions=["华南"])).loc["free"].new_fans == 0
    pd.testing.assert_frame_equal(roi(db, scope=Scope.of(regions=["华南"])),
                                  roi(db, filters=Filters.of(regions=["华南"])))


def test_store_scope_and_filters_hide_spend(db):
    r = roi(db, scope=Scope.of(stores=["S1"])).loc["paid"]
    # M1 and M2 (M8 is bound to no store: visible only unrestricted); o1 100 + o2 50 + o5 50
    assert (r.new_fans, r.retained_fans, r.gmv) == (2, 1, 200)
    assert pd.isna(r.spend) and pd.isna(r.roi)
    assert pd.isna(roi(db, filters=Filters.of(guides=["G1"])).loc["paid"].spend)
    assert pd.isna(roi(db, filters=Filters.of(brands=["B1"])).loc["paid"].spend)
    assert roi(db, scope=Scope.nothing()).new_fans.sum() == 0


def cohorts(db, period=PERIOD, as_of=AS_OF, window=90, scope=None):
    df = METRICS["channel-cohorts"](reader_for(db, scope), MetricArgs(period, as_of, (("window", window),)))
    return df


def test_cohort_cells_cumulative_and_empty_until_elapsed(db):
    df = cohorts(db)
    paid = df[(df.channel_id == "paid") & (df.cohort_month == "2026-03")].set_index("day")
    assert list(paid.index) == [1, 3, 7, 14, 30, 60, 90]
    assert set(paid.fans) == {4}
    # day 1: M1 o1 100 (o0 is before joining), M8 o10 20; M2, M3 nothing in their first 24 h -> 120 / 4
    assert paid.loc[1, "revenue_per_fan"] == pytest.approx(30)
    # day 3 adds M3's o6 40 and o7 5 (M2's o4 is refunded, o5 on his 4th day): 165 / 4
    assert paid.loc[3, "revenue_per_fan"] == pytest.approx(165 / 4)
    assert paid.loc[7, "revenue_per_fan"] == pytest.approx(215 / 4)    # + M2's o5 50
    assert paid.loc[14, "revenue_per_fan"] == pytest.approx(215 / 4)   # M3's o8 (03-20) is on his 18th day
    assert paid.loc[30, "revenue_per_fan"] == pytest.approx(325 / 4)   # + o2 50
    assert paid.loc[60, "revenue_per_fan"] == pytest.approx(395 / 4)   # + o3 70; M8 + 60 days = 05-03
    assert pd.isna(paid.loc[90, "revenue_per_fan"])                    # M8 + 90 days = 06-02 > 06-01: empty
    assert paid.complete.tolist() == [True] * 6 + [False]


def test_cohorts_by_month_and_window(db):
    df = cohorts(db, period=Period(date(2026, 2, 1), date(2026, 3, 10)), window=30)
    free = df[df.channel_id == "free"]
    assert sorted(set(free.cohort_month)) == ["2026-02", "2026-03"]
    assert set(df.day) == {1, 3, 7, 14, 30}               # checkpoints up to the window
    feb = free[free.cohort_month == "2026-02"].set_index("day")
    # M5 joined 02-28 23:59:59; o13 on 03-02 10:00 is in his day-3 window (ends 03-03 23:59:59), not day 1
    assert feb.loc[1, "revenue_per_fan"] == 0 and feb.loc[3, "revenue_per_fan"] == pytest.approx(1000)
    # a cohort as of a date its days have not passed: empty cells, complete false
    early = cohorts(db, as_of=date(2026, 3, 12), window=7)
    mar = early[(early.channel_id == "free")].set_index("day")   # M4 joined 03-05 00:00
    assert mar.loc[7, "complete"] and mar.loc[7, "revenue_per_fan"] == pytest.approx(300)  # 03-12 00:00 <= 03-13
    paid = early[early.channel_id == "paid"].set_index("day")  # M8 joined 03-04 08:00: day 7 ends 03-11 08:00
    assert paid.loc[7, "complete"] and not early[early.channel_id == "lost"].set_index("day").loc[7, "complete"]
    assert pd.isna(early[early.channel_id == "lost"].set_index("day").loc[7, "revenue_per_fan"])


def test_cohorts_scope(db):
    df = cohorts(db, scope=Scope.of(regions=["华南"]))
    assert set(df.channel_id) == {"paid"} and set(df.fans) == {1}
    assert df.set_index("day").loc[30, "revenue_per_fan"] == pytest.approx(100)  # o6 40 + o8 60
    assert cohorts(db, scope=Scope.nothing()).empty


def test_cli_prints_plain_numbers_empty_cells_and_true_false(db):
    out = subprocess.run([sys.executable, "-m", "dashboard", "metric", "channel-roi", "--db", str(db),
                          "--start", "2026-03-01", "--end", "2026-03-10", "--as-of", "2026-05-31", "--window", "90"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == ("channel_id,channel_name,spend,new_fans,retained_fans,cost_per_fan,cost_per_retained_fan,"
                      "gmv,revenue_per_fan,roi,repeat_rate,complete")
    rows = {line.split(",")[0]: line for line in out[1:]}
    assert rows["free"] == "free,导购添加,0,1,1,0,0,310,310,,1,false"
    assert rows["empty"] == "empty,无人渠道,0,0,0,,,0,,,,true"
    assert rows["paid"].endswith(",150,4,2,37.5,75,1395,348.75,9.3,0.5,false")
