"""Anomalies on a hand-built series: Wednesdays of autumn 2026 with Double 11
(2026-11-11, a Wednesday) as a past spike. The day judged is Wed 2026-11-25;
its eight reference Wednesdays are 11-18 … 09-30. Numbers worked out by hand."""
from datetime import date

import pandas as pd
import pytest

from builders import build_db, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Scope

DAY = date(2026, 11, 25)
# Wednesday -> sales, the same for S1 and S2 (S1 and S2 differ only on DAY)
HISTORY = {"2026-11-18": 1000, "2026-11-11": 20000, "2026-11-04": 1100, "2026-10-28": 900, "2026-10-21": 1000,
           "2026-10-14": 1050, "2026-10-07": 950, "2026-09-30": 1000, "2026-09-23": 1000, "2026-09-16": 1000}
REFS = ["2026-11-18", "2026-11-11", "2026-11-04", "2026-10-28", "2026-10-21", "2026-10-14", "2026-10-07",
        "2026-09-30"]


def series(store, values: dict):
    return [order_row(f"{store}-{d}", f"{d} 12:00", store, v) for d, v in values.items()]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    mostly_500 = {d: 500 for d in REFS}
    mostly_500["2026-10-07"] = 800
    return build_db(
        tmp_path_factory.mktemp("an") / "an.duckdb",
        stores=[store_row("S1"), store_row("S2"), store_row("S3", region="华南"), store_row("S4"),
                store_row("S5", opened_on=date(2026, 11, 1)), store_row("S6", closed_on=date(2026, 11, 24))],
        orders=series("S1", {**HISTORY, "2026-11-25": 400})
        + series("S2", {**HISTORY, "2026-11-25": 1080})
        + series("S3", {**mostly_500, "2026-11-25": 700})
        + series("S4", {**{d: 500 for d in REFS}, "2026-11-25": 900})
        + series("S5", {"2026-11-04": 100, "2026-11-11": 100, "2026-11-18": 100, "2026-11-25": 50000})
        + series("S6", HISTORY),
    )


def run(db, start, end=None, scope=None, **options):
    args = MetricArgs(Period(start, end or start), end or start, tuple(sorted(options.items())))
    return METRICS["anomalies"](reader_for(db, scope), args)


def test_a_drop_against_a_baseline_robust_to_double_11(db):
    df = run(db, DAY).set_index("store_id")
    # S1 references sorted: 900 950 1000 1000 1000 1050 1100 20000 -> median 1000 (a mean would be 3375);
    # |x - 1000| sorted: 0 0 0 50 50 100 100 19000 -> MAD 50; z = (400 - 1000) / (1.4826 * 50) = -8.094
    s1 = df.loc["S1"]
    assert s1["baseline"] == 1000 and s1["mad"] == 50 and s1["sales"] == 400
    assert s1["deviation"] == pytest.approx(-600 / (1.4826 * 50)) and s1["direction"] == "down"
    assert s1["above_baseline"] == -600 and s1["reference_days"] == 8 and s1["day"] == DAY
    # S2: z = 80 / 74.13 = 1.08, not an anomaly
    assert "S2" not in df.index


def test_mad_zero_falls_back_to_the_mean_absolute_deviation(db):
    df = run(db, DAY).set_index("store_id")
    # S3: seven 500s and one 800 -> median 500, MAD 0; mean |x - 500| = 300/8 = 37.5;
    # scale 1.253314 * 37.5 = 47.0; z = 200 / 47.0 = 4.26 -> up
    assert df.loc["S3", "deviation"] == pytest.approx(200 / (1.253314 * 37.5)) and df.loc["S3", "direction"] == "up"
    # S4: every reference day 500 -> no spread at all: not judged
    assert "S4" not in df.index


def test_new_and_closed_stores_are_not_judged(db):
    df = run(db, DAY)
    assert "S5" not in set(df["store_id"])   # open on 3 of 8 reference days (< 4)
    assert "S6" not in set(df["store_id"])   # closed on 11-24


def test_the_spike_itself_is_an_anomaly(db):
    df = run(db, date(2026, 11, 11)).set_index("store_id")
    # references 11-04 … 09-16: 1100 900 1000 1050 950 1000 1000 1000 -> median 1000,
    # |x - 1000| sorted 0 0 0 0 50 50 100 100 -> MAD 25; z = 19000 / 37.065
    assert df.loc["S1", "direction"] == "up"
    assert df.loc["S1", "deviation"] == pytest.approx(19000 / (1.4826 * 25))


def test_weeks_and_threshold_options(db):
    # 4 weeks: 1000 20000 1100 900 -> median 1050; |x - 1050|: 50 18950 50 150 -> MAD 100; z = -650/148.26 = -4.38
    s1 = run(db, DAY, weeks=4, threshold=3.5).set_index("store_id").loc["S1"]
    assert s1["baseline"] == 1050 and s1["deviation"] == pytest.approx(-650 / 148.26)
    assert "S1" not in set(run(db, DAY, weeks=4, threshold=5.0)["store_id"])


def test_a_period_lists_days_in_order_and_scope_applies(db):
    df = run(db, date(2026, 11, 11), DAY)
    assert df["day"].tolist() == sorted(df["day"].tolist())
    assert {(r.store_id, r.day) for r in df.itertuples()} >= {("S1", date(2026, 11, 11)), ("S1", DAY)}
    south = run(db, DAY, scope=Scope.of(regions=["华南"]))
    assert south["store_id"].tolist() == ["S3"]
    assert list(df.columns[:6]) == ["store_id", "day", "sales", "baseline", "deviation", "direction"]
    assert pd.api.types.is_float_dtype(df["deviation"])


def test_a_day_alone_reads_only_its_weekdays_and_agrees_with_a_longer_period(db):
    from dashboard.metrics.anomalies import needed_ranges
    ranges = needed_ranges(DAY, DAY, 8)
    assert len(ranges) == 9 and all((b - a).days == 1 for a, b in ranges)   # DAY and 8 Wednesdays
    assert needed_ranges(date(2026, 11, 1), date(2026, 11, 30), 8) == [(date(2026, 9, 6), date(2026, 12, 1))]
    alone = run(db, DAY)
    within = run(db, date(2026, 11, 20), DAY)
    pd.testing.assert_frame_equal(alone, within[within["day"] == DAY].reset_index(drop=True))


def test_the_median_is_numpys_nanmedian_exactly():
    """nan_median (one sort) gives np.nanmedian's values bit for bit: odd and
    even counts, ties, rows with some or all values missing."""
    import numpy as np
    from dashboard.metrics.anomalies import nan_median
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 1000.0, size=(40, 30, 8))
    x[..., 2] = np.round(x[..., 2], -3)           # ties
    x[rng.random(x.shape) < 0.2] = np.nan          # missing reference days, odd and even counts
    x[0, 0, :] = np.nan                            # no reference day at all
    x[1, 1, :] = 5.0                               # all equal
    with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(x, axis=-1)
    assert np.array_equal(nan_median(x), expected, equal_nan=True)
    assert np.isnan(nan_median(x)[0, 0]) and nan_median(x)[1, 1] == 5.0
