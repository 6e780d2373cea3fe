"""Periods (SPEC.md conventions): inclusive day ranges, presets relative to the
as-of date, the previous period (环比) and the same dates a year earlier (同比)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

# Days the app and the CLI accept (a far date would overflow the previous
# period's or the exclusive end's arithmetic), and the longest period the app
# computes from a URL or the date picker (issue 20: unbounded work from a URL).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
MAX_PERIOD_DAYS = 3 * 366


def supported_day(d: date | None) -> bool:
    return d is not None and FIRST_DAY <= d <= LAST_DAY


def check_day(d: date | None, what: str) -> None:
    """ValueError with a clear message for a day outside FIRST_DAY..LAST_DAY."""
    if d is not None and not supported_day(d):
        raise ValueError(f"{what} {d} is outside the supported dates {FIRST_DAY}..{LAST_DAY}")


PRESETS = ("yesterday", "last7", "last30", "this_week", "this_month", "last_month",
           "this_quarter", "this_year", "custom")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_ts(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def end_ts(self) -> datetime:
        """Exclusive upper bound: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def whole_months(self) -> tuple[date, date]:
        """The calendar months lying wholly inside the period, as [first, after):
        the first day of the first and the first day after the last; both the
        period's start when none does (so the period is [start, first) + the
        months + [after, end])."""
        first = self.start if self.start.day == 1 else next_month_start(self.start)
        after = (self.end + timedelta(days=1)).replace(day=1)
        return (first, after) if first < after else (self.start, self.start)

    def whole_weeks(self) -> tuple[tuple[date, date], tuple[date, date]]:
        """The weeks (Monday to Sunday) lying wholly inside the period and outside
        its whole months, in its two stretches of days around them (before the
        months, after them; with no whole month the first is empty and the second
        is the whole period), each as [its first Monday, the Monday after its
        last week); (x, x) for a stretch holding none. The period is then read
        as whole months + these weeks + the days left over."""
        first, after = self.whole_months()
        return _weeks(self.start, first), _weeks(after, self.end + timedelta(days=1))

    def previous(self) -> "Period":
        """环比: the same number of days immediately before."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def year_ago(self) -> "Period":
        """同比: the same dates one year earlier (29 Feb becomes 28 Feb)."""
        return Period(_year_ago(self.start), _year_ago(self.end))

    def at_least(self, days: int) -> "Period":
        """This period, or the `days` days ending on its last day if it is shorter
        (a trend needs more than one point)."""
        return self if self.days >= days else Period(self.end - timedelta(days=days - 1), self.end)

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"


def _weeks(first: date, after: date) -> tuple[date, date]:
    """The weeks (Monday to Sunday) lying wholly inside [first, after), as
    [first Monday, the Monday after the last); (first, first) when none does."""
    monday = first + timedelta(days=-first.weekday() % 7)
    end = after - timedelta(days=after.weekday())
    return (monday, end) if monday < end else (first, first)


def next_month_start(d: date) -> date:
    """The first day of the month after d's."""
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def _year_ago(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def preset_period(preset: str, as_of: date) -> Period:
    """A preset relative to the as-of date (the latest complete day the user looks at)."""
    if preset == "yesterday":
        return Period(as_of, as_of)
    if preset == "last7":
        return Period(as_of - timedelta(days=6), as_of)
    if preset == "last30":
        return Period(as_of - timedelta(days=29), as_of)
    if preset == "this_week":
        return Period(as_of - timedelta(days=as_of.weekday()), as_of)
    if preset == "this_month":
        return Period(as_of.replace(day=1), as_of)
    if preset == "last_month":
        first = as_of.replace(day=1)
        last = first - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if preset == "this_quarter":
        q_month = 3 * ((as_of.month - 1) // 3) + 1
        return Period(as_of.replace(month=q_month, day=1), as_of)
    if preset == "this_year":
        return Period(as_of.replace(month=1, day=1), as_of)
    raise ValueError(f"unknown period preset: {preset!r}")
