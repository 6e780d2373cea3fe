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


@pytest.mark.parametrize("start, end, weeks", [
    # no whole month: the weeks of the whole period (2026-02-09 and 02-16 are Mondays)
    (date(2026, 2, 4), date(2026, 2, 25), ((date(2026, 2, 4), date(2026, 2, 4)), (date(2026, 2, 9), date(2026, 2, 23)))),
    (date(2026, 2, 9), date(2026, 2, 22), ((date(2026, 2, 9), date(2026, 2, 9)), (date(2026, 2, 9), date(2026, 2, 23)))),
    # a week short of a Sunday, and one day: none
    (date(2026, 2, 9), date(2026, 2, 21), ((date(2026, 2, 9), date(2026, 2, 9)), (date(2026, 2, 9), date(2026, 2, 16)))),
    (date(2026, 2, 10), date(2026, 2, 10), ((date(2026, 2, 10),) * 2, (date(2026, 2, 10),) * 2)),
    # around whole months: before February (01-26..02-01 straddles it: not read weekly) and after it
    (date(2026, 1, 12), date(2026, 3, 15), ((date(2026, 1, 12), date(2026, 1, 26)), (date(2026, 3, 2), date(2026, 3, 16)))),
])
def test_whole_weeks_lie_inside_the_period_and_outside_its_whole_months(start, end, weeks):
    assert Period(start, end).whole_weeks() == weeks


def test_months_weeks_and_days_cover_every_period_once():
    """Every day of any period is read from exactly one tier: its whole month,
    its whole week (Monday to Sunday, outside the months) or itself."""
    from datetime import timedelta
    for offset in range(0, 400, 3):
        for length in (1, 6, 7, 8, 13, 14, 15, 29, 30, 31, 45, 62, 100, 365):
            p = Period(date(2025, 12, 1) + timedelta(days=offset), date(2025, 12, 1) + timedelta(days=offset + length - 1))
            months = p.whole_months()
            weeks = p.whole_weeks()
            for a, b in weeks:
                assert a == b or (a.weekday() == 0 and (b - a).days % 7 == 0 and p.start <= a and b <= p.end + timedelta(days=1))
                assert a == b or b <= months[0] or a >= months[1]
            for i in range(p.days):
                d = p.start + timedelta(days=i)
                in_week = any(a <= d < b for a, b in weeks)
                assert not (months[0] <= d < months[1] and in_week)
                monday = d - timedelta(days=d.weekday())
                whole_week_free = (monday >= p.start and monday + timedelta(days=6) <= p.end
                                   and not any(months[0] <= monday + timedelta(days=k) < months[1] for k in range(7)))
                assert in_week == whole_week_free, (p, d)
