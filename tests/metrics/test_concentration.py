"""guide-concentration and guide-pareto, worked out by hand from SPEC.md:
"among guides employed at any time in the period (hired_on ≤ end and (left_on
is null or left_on ≥ start)), take the top ceil(10% × N) by WeMall sales;
concentration = their WeMall sales / all WeMall sales credited to guides."
"""
from datetime import date

import pandas as pd
import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard.metrics import METRICS, MetricArgs
from dashboard.metrics.guide_concentration import pareto_curve, top_count
from dashboard.period import Period
from dashboard.scope import Filters, Scope

DAY = date(2026, 3, 2)


def run(name, db, scope=None, filters=None, start=DAY, end=DAY):
    return METRICS[name](reader_for(db, scope, filters), MetricArgs(Period(start, end), end))


def one(db, **kw):
    df = run("guide-concentration", db, **kw)
    assert len(df) == 1
    return df.iloc[0]


def guides_with_sales(tmp_path, amounts, name="c.duckdb"):
    """Guides G01.. at store S1 (华东), each credited one WeMall order of the given amount on DAY."""
    ids = [f"G{i:02d}" for i in range(1, len(amounts) + 1)]
    return build_db(
        tmp_path / name,
        stores=[store_row("S1", region="华东"), store_row("S2", region="华南")],
        guides=[guide_row(g, "S1") for g in ids],
        orders=[order_row(f"o{g}", "2026-03-02 12:00", "S1", a, channel="wemall", guide_id=g)
                for g, a in zip(ids, amounts) if a],
    )


def test_top_count_is_ceil_of_ten_percent():
    assert [top_count(n) for n in (0, 1, 9, 10, 11, 20, 21, 30, 99, 100, 101)] == [0, 1, 1, 1, 2, 2, 3, 3, 10, 10, 11]


def test_one_guide(tmp_path):
    c = one(guides_with_sales(tmp_path, [50]))
    # N = 1 -> ceil(0.1) = 1 guide holding all 50.
    assert (c.guides, c.top_guides, c.concentration) == (1, 1, 1.0)


def test_ten_guides(tmp_path):
    c = one(guides_with_sales(tmp_path, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]))
    # N = 10 -> top 1: 100 of 550.
    assert (c.guides, c.top_guides) == (10, 1)
    assert c.top_wemall_sales == 100 and c.wemall_sales == 550
    assert c.concentration == pytest.approx(100 / 550)


def test_eleven_guides(tmp_path):
    c = one(guides_with_sales(tmp_path, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]))
    # N = 11 -> ceil(1.1) = 2: 110 + 100 = 210 of 660.
    assert (c.guides, c.top_guides) == (11, 2)
    assert c.concentration == pytest.approx(210 / 660)


def test_no_wemall_sales_is_undefined(tmp_path):
    c = one(guides_with_sales(tmp_path, [0, 0, 0]))
    assert (c.guides, c.top_guides, c.wemall_sales) == (3, 1, 0)
    assert pd.isna(c.concentration)


def test_empty_database(tmp_path):
    db = build_db(tmp_path / "e.duckdb", stores=[store_row("S1")])
    c = one(db)
    assert (c.guides, c.top_guides) == (0, 0) and pd.isna(c.concentration)
    assert pareto_curve(reader_for(db), MetricArgs(Period(DAY, DAY), DAY)).empty


@pytest.fixture
def mixed(tmp_path):
    """Employment and refunds. Period 2026-03-02..2026-03-04."""
    return build_db(
        tmp_path / "m.duckdb",
        stores=[store_row("S1", region="华东"), store_row("S2", region="华南")],
        guides=[
            guide_row("G1", "S1"),                                   # employed
            guide_row("G2", "S1", left_on=date(2026, 3, 3)),         # left mid-period: counts
            guide_row("G3", "S1", left_on=date(2026, 3, 1)),         # left the day before: not in N
            guide_row("G4", "S2", role="store_manager"),             # any role counts in N
            guide_row("G5", "S2", hired_on=date(2026, 3, 4)),        # hired on the last day: counts
            guide_row("G6", "S2", hired_on=date(2026, 3, 5)),        # hired after: not in N
        ],
        orders=[
            order_row("a", "2026-03-02 10:00", "S1", 300, channel="wemall", guide_id="G1"),
            order_row("b", "2026-03-03 10:00", "S1", 500, channel="wemall", refund_amount=200, guide_id="G2"),  # 300
            order_row("c", "2026-03-02 10:00", "S1", 100, channel="wemall", guide_id="G3"),  # credited, not in N
            order_row("d", "2026-03-04 10:00", "S2", 200, channel="wemall", guide_id="G4"),
            order_row("e", "2026-03-04 10:00", "S2", 999, guide_id="G5"),                    # POS: not WeMall
            order_row("f", "2026-03-04 10:00", "S2", 400, channel="wemall"),                 # no guide credited
            order_row("g", "2026-03-04 10:00", "S2", 70, channel="wemall", refund_amount=70, guide_id="G5"),  # 0
            order_row("h", "2026-03-05 00:00", "S1", 5000, channel="wemall", guide_id="G1"),  # after the period
        ],
    )


def test_employment_refunds_and_credit(mixed):
    c = one(mixed, start=date(2026, 3, 2), end=date(2026, 3, 4))
    # N: G1, G2, G4, G5 = 4 -> top ceil(0.4) = 1. WeMall by guide: G1 300, G2 300, G4 200, G5 0;
    # the tie G1/G2 at 300 is broken by id: G1. Credited to guides: 300 + 300 + 100 (G3) + 200 + 0 = 900
    # (order f has no guide and is not counted). Concentration = 300 / 900.
    assert (c.guides, c.top_guides) == (4, 1)
    assert c.top_wemall_sales == 300 and c.wemall_sales == 900
    assert c.concentration == pytest.approx(300 / 900)


def test_pareto_curve(mixed):
    p = run("guide-pareto", mixed, start=date(2026, 3, 2), end=date(2026, 3, 4))
    # Origin, then G1 300, G2 300 (tie by id), G4 200, G5 0 over N = 4 and 900 credited.
    assert list(p["rank"]) == [0, 1, 2, 3, 4]
    assert list(p.guide_id[1:]) == ["G1", "G2", "G4", "G5"]
    assert list(p.guide_share) == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])
    assert list(p.wemall_share) == pytest.approx([0, 300 / 900, 600 / 900, 800 / 900, 800 / 900])


def test_scope_and_filters_narrow(mixed):
    kw = dict(start=date(2026, 3, 2), end=date(2026, 3, 4))
    c = one(mixed, filters=Filters.of(regions=["华南"]), **kw)
    # 华南: G4, G5 employed -> top 1: G4 200 of 200 credited (G5's order refunded).
    assert (c.guides, c.top_guides, c.concentration) == (2, 1, 1.0)
    c = one(mixed, scope=Scope.of(stores=["S1"]), **kw)
    # S1: G1, G2 -> top 1: 300 of 300 + 300 + 100 (G3) = 700.
    assert (c.guides, c.top_guides) == (2, 1) and c.concentration == pytest.approx(300 / 700)
    c = one(mixed, scope=Scope.nothing(), **kw)
    assert c.guides == 0 and pd.isna(c.concentration)
