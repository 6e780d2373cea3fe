"""target-attainment — month-to-date 达成率 against 时间进度, per store or guide.

Grain: one row per in-scope target of the as-of date's month at the level asked
(`--level store|guide`): every `targets` row with that month and level whose
store / guide the user may see. A store or guide without a target row has no
attainment (it is not listed); a target row whose store or guide had no sale
has sales_mtd 0.

SPEC.md "Targets": "Month-to-date attainment = sales from the 1st of the month
to the as-of date / the month's sales target; time progress (时间进度) = days
elapsed including the as-of date / days in the month; behind pace when
attainment < time progress. Gap = target × time progress − sales so far; needed
per day = (target − sales so far) / days left after the as-of date. A target of
0 leaves ratios empty."

Readings:
- Store sales = net of the store's orders (all channels); guide sales = net of
  the orders credited to the guide (orders.guide_id), whatever store they are in
  (within the user's scope). Orders from the 1st 00:00 to the end of the as-of day.
- Time progress is the calendar's, the same for every row: a store opened
  mid-month or a guide who left is measured against the whole month's target
  like everyone else (the plan sets what such a target should be).
- gap and needed_per_day follow the formulas literally: negative when a row is
  ahead (gap) or has already passed its target (needed_per_day). needed_per_day
  is empty on the month's last day (no days left). With a target of 0,
  attainment (the ratio to the target) is empty and the row is never behind;
  gap and needed_per_day are still the formulas' values (−sales, −sales/days).
- behind: attainment < time_progress (false when attainment is empty).
- wemall_attainment = WeMall sales so far / wemall_target (empty without one).
Rows ordered by id.
"""
from __future__ import annotations

import calendar
from datetime import date

import pandas as pd

from ..period import Period
from ..reader import Reader
from ..columns import cols
from .base import Memo, MetricArgs, Option, metric, ratios

LEVELS = ("store", "guide")

DECLARED = ("id", "month", "sales_mtd:money", "target:money", "attainment:rate", "time_progress:rate",
            "gap:money", "needed_per_day:money", "behind:flag", "level", "name", "store_id", "store_name",
            "region", "days_left:count", "wemall_sales_mtd:money", "wemall_target:money",
            "wemall_attainment:rate")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

# The month's sales per level's key (store_id / guide_id: whitelisted constants,
# chosen by the level asked, never input), then joined to the targets.
# Read from the daily rollup (dashboard/rollups/: exact DECIMAL sums of net
# per day, store, guide and channel, scoped like orders), not the raw orders.
LEVEL_SALES = """
  SELECT '{level}' AS level, {key} AS target_id, sum(sales) AS sales_mtd,
         coalesce(sum(sales) FILTER (WHERE channel = 'wemall'), 0) AS wemall_sales_mtd
  FROM daily_sales
  WHERE day >= CAST($start AS DATE) AND day < CAST($end AS DATE) AND {key} IS NOT NULL
  GROUP BY {key}"""
KEYS = {"store": "store_id", "guide": "guide_id"}

SQL = """
WITH t AS (
  SELECT level, target_id, sales_target, wemall_target FROM targets WHERE month = $month AND (level = $level_a OR level = $level_b)
),
s AS ({sales})
SELECT t.level, t.target_id AS id,
       CASE WHEN t.level = 'store' THEN st.store_name ELSE g.guide_name END AS name,
       CASE WHEN t.level = 'store' THEN t.target_id ELSE g.store_id END AS store_id,
       st.store_name, st.region,
       coalesce(s.sales_mtd, 0) AS sales_mtd, t.sales_target AS target,
       coalesce(s.wemall_sales_mtd, 0) AS wemall_sales_mtd, t.wemall_target
FROM t
LEFT JOIN s ON s.level = t.level AND s.target_id = t.target_id
-- A plain equality (a hash join); the level picks the guide's columns above.
LEFT JOIN guides g ON g.guide_id = t.target_id
LEFT JOIN stores st ON st.store_id = CASE WHEN t.level = 'store' THEN t.target_id ELSE g.store_id END
ORDER BY t.level DESC, t.target_id
"""


def level_sql(levels: tuple) -> str:
    return SQL.format(sales="\n  UNION ALL".join(LEVEL_SALES.format(level=lv, key=KEYS[lv]) for lv in levels))


def month_clock(as_of: date) -> tuple[str, Period, float, int]:
    """(YYYY-MM, the month so far, time progress, days left after as_of)."""
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    first = as_of.replace(day=1)
    return first.strftime("%Y-%m"), Period(first, as_of), as_of.day / days, days - as_of.day


# target-attainment, target-summary, target-by-region and the morning check's
# behind-pace read the same month so far: one query for both levels per as-of
# day (the guide level costs little more than the store level alone, and the
# morning check needs both: its digest asks for the stores' summary first),
# each level then served from those rows.
_ROWS = Memo()


def attainment_rows(reader: Reader, as_of: date, level: str | tuple = "store") -> pd.DataFrame:
    """The metric's table for one level, or for several (a tuple; stores first):
    the morning check and the digest reuse it."""
    levels = (level,) if isinstance(level, str) else tuple(level)
    bad = [lv for lv in levels if lv not in LEVELS]
    if bad:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {bad[0]!r}")
    both = _ROWS.get(reader, (as_of, LEVELS), lambda: _attainment_rows(reader, as_of, LEVELS))
    if set(levels) == set(LEVELS):
        return both
    return both[both["level"].isin(levels)].reset_index(drop=True)


def _attainment_rows(reader: Reader, as_of: date, levels: tuple) -> pd.DataFrame:
    month, so_far, progress, days_left = month_clock(as_of)
    df = reader.query(level_sql(levels), {"month": month, "level_a": levels[0], "level_b": levels[-1], "start": so_far.start_ts, "end": so_far.end_ts})
    for c in ("sales_mtd", "target", "wemall_sales_mtd", "wemall_target"):
        df[c] = df[c].astype(float)
    df["month"] = month
    df["time_progress"] = progress
    df["days_left"] = days_left
    df["attainment"] = ratios(df["sales_mtd"], df["target"])
    df["gap"] = df["target"] * progress - df["sales_mtd"]
    df["needed_per_day"] = (df["target"] - df["sales_mtd"]) / days_left if days_left else float("nan")
    df["behind"] = (df["attainment"] < progress).fillna(False).astype(bool)
    df["wemall_attainment"] = ratios(df["wemall_sales_mtd"], df["wemall_target"])
    df["days_left"] = df["days_left"].astype("Int64")
    return df[COLUMNS].reset_index(drop=True)


# The leaderboards' extra columns: the as-of month's target and attainment so far.
WITH_TARGETS = cols("target:money", "attainment:rate")


@metric("target-attainment", DECLARED, grain="one row per in-scope target (store or guide) of the as-of month",
        options={"level": Option(str, "store", "whose targets: store or guide")}, as_of_only=True)
def target_attainment(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """Month-to-date sales against the month's target, with time progress, gap
    and the daily sales needed to close it (reads args.as_of, not the period)."""
    return attainment_rows(reader, args.as_of, str(args.opt("level", "store") or "store"))
