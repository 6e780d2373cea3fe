from datetime import date

import pytest

from dashboard.period import Period, preset_period


def test_previous_period_is_same_length_immediately_before():
    p = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert p.days == 31
    assert p.previous() == Period(date(2026, 1, 29), date(2026, 2, 28))


def test_year_ago_keeps_dates_and_folds_leap_day():
    assert Period(date(2026, 11, 11), date(2026, 11, 11)).year_ago() == Period(date(2025, 11, 11), date(2025, 11, 11))
    assert Period(date(2024, 2, 29), date(2024, 2, 29)).year_ago() == Period(date(2023, 2, 28), date(2023, 2, 28))


@pytest.mark.parametrize("preset,start,end", [
    ("yesterday", date(2026, 11, 18), date(2026, 11, 18)),
    ("last7", date(2026, 11, 12), date(2026, 11, 18)),
    ("last30", date(2026, 10, 20), date(2026, 11, 18)),
    ("this_week", date(2026, 11, 16), date(2026, 11, 18)),  # 2026-11-16 is a Monday
    ("this_month", date(2026, 11, 1), date(2026, 11, 18)),
    ("last_month", date(2026, 10, 1), date(2026, 10, 31)),
    ("this_quarter", date(2026, 10, 1), date(2026, 11, 18)),
    ("this_year", date(2026, 1, 1), date(2026, 11, 18)),
])
def test_presets_relative_to_as_of(preset, start, end):
    assert preset_period(preset, date(2026, 11, 18)) == Period(start, end)


def test_period_bounds_are_midnights_and_reject_reversed():
    p = Period(date(2026, 1, 1), date(2026, 1, 2))
    assert str(p.start_ts) == "2026-01-01 00:00:00" and str(p.end_ts) == "2026-01-03 00:00:00"
    with pytest.raises(ValueError):
        Period(date(2026, 1, 2), date(2026, 1, 1))
