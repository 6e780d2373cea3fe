"""Sales and buyers over several periods at once, read from the rollups
(dashboard/rollups/) instead of the raw orders.

SPEC.md's definitions are those of the scoped `orders` (net = amount -
refund_amount on the order's own date; orders and buyers count only net > 0);
the rollups hold them summed per day, per week (Monday to Sunday) and per
calendar month, so a period's figures are sums of its whole months (calendar
months lying wholly inside it), of its whole weeks outside them and of the days
left over: exactly the raw figures, in DECIMAL. A year reads about 11 monthly
rows, 3 weekly and 8 daily ones per store, guide and channel instead of 365
daily ones; 30 days read 4 weekly and 2 daily ones instead of 30.

A metric asking for a period, the one before it (环比) and the same dates a
year earlier (同比) gets them from one grouped scan: each window's sums are
FILTERs of one aggregate whose WHERE is the union of the windows. DuckDB prunes
row groups (zone maps on the day- and month-sorted rollups) with that union, so
a 30-day view reads about 90 days, not the 13 months between its windows.
"""
from __future__ import annotations

from ..period import Period
from ..rollups import EXACT, FAST, REGION, REGION_PREV, buyers_mode, prev_column

# Whitelisted grouping keys (identifiers cannot be bound) -> the rollups with
# that grain, per day, per week and per month.
ROLLUP_FOR = {"store_id": "daily_store_sales", "guide_id": "daily_sales", None: "daily_store_sales"}
MONTHLY_FOR = {"store_id": "monthly_store_sales", "guide_id": "monthly_sales", None: "monthly_store_sales"}
WEEKLY_FOR = {"store_id": "weekly_store_sales", "guide_id": "weekly_sales", None: "weekly_store_sales"}

# _sales_rows' tiers: which rollup a row comes from.
DAY, WEEK, MONTH = 0, 1, 2


def window_params(windows: dict[str, Period]) -> dict:
    """Bound days of each window: ${w}start_day, ${w}end_day (inclusive) and
    its whole months [${w}months_start, ${w}months_end) (Period.whole_months)
    and its whole weeks outside them, before and after them:
    [${w}weeks_a_start, ${w}weeks_a_end), [${w}weeks_b_start, ${w}weeks_b_end)
    (Period.whole_weeks)."""
    out = {}
    for w, p in windows.items():
        out[f"{w}start_day"] = p.start
        out[f"{w}end_day"] = p.end
        out[f"{w}months_start"], out[f"{w}months_end"] = p.whole_months()
        (out[f"{w}weeks_a_start"], out[f"{w}weeks_a_end"]), (out[f"{w}weeks_b_start"], out[f"{w}weeks_b_end"]) = \
            p.whole_weeks()
    return out


def _in(w: str) -> str:
    return f"day >= ${w}start_day AND day <= ${w}end_day"


def _days_of(w: str) -> str:
    """Window `w`'s days outside its whole months and weeks (the daily rows it reads)."""
    # The window's own range outside the ORs, so zone maps prune by it.
    return (f"day >= ${w}start_day AND day <= ${w}end_day AND "
            f"(day < ${w}months_start OR day >= ${w}months_end) AND "
            f"(day < ${w}weeks_a_start OR day >= ${w}weeks_a_end) AND "
            f"(day < ${w}weeks_b_start OR day >= ${w}weeks_b_end)")


def _weeks_of(w: str, column: str = "week") -> str:
    """Window `w`'s whole weeks outside its whole months (the weekly rows it
    reads; `column` holds a week's Monday)."""
    c = column
    return (f"{c} >= ${w}start_day AND {c} <= ${w}end_day AND "
            f"(({c} >= ${w}weeks_a_start AND {c} < ${w}weeks_a_end) OR "
            f"({c} >= ${w}weeks_b_start AND {c} < ${w}weeks_b_end))")


def _months_of(w: str) -> str:
    """Window `w`'s whole months (the monthly rows it reads)."""
    return f"month >= ${w}months_start AND month < ${w}months_end"


def _has_weeks(p: Period) -> bool:
    return any(a < b for a, b in p.whole_weeks())


def _has_months(p: Period) -> bool:
    first, after = p.whole_months()
    return first < after


def _sales_rows(key: str | None, windows: dict[str, Period]) -> str:
    """The rows `windows` read: daily rows of their leftover days, weekly rows of
    their whole weeks and monthly rows of their whole months, each with `day`
    (a week's Monday, a month's first day) and `tier` (DAY, WEEK, MONTH). A
    tier no window needs is left out of the SQL: planning a reference costs
    more than reading a day's rows (a one-day window reads one tier)."""
    k = f"{key}, " if key else ""
    not_null = f" AND {key} IS NOT NULL" if key else ""
    days = " OR ".join(f"({_days_of(w)})" for w in windows)
    parts = [f"SELECT day, {DAY} AS tier, {k}channel, sales, orders FROM {ROLLUP_FOR[key]} WHERE ({days}){not_null}"]
    weekly = [w for w, p in windows.items() if _has_weeks(p)]
    if weekly:
        weeks = " OR ".join(f"({_weeks_of(w)})" for w in weekly)
        parts.append(f"SELECT week AS day, {WEEK} AS tier, {k}channel, sales, orders FROM {WEEKLY_FOR[key]} "
                     f"WHERE ({weeks}){not_null}")
    monthly = [w for w, p in windows.items() if _has_months(p)]
    if monthly:
        months = " OR ".join(f"({_months_of(w)})" for w in monthly)
        parts.append(f"SELECT month AS day, {MONTH} AS tier, {k}channel, sales, orders FROM {MONTHLY_FOR[key]} "
                     f"WHERE ({months}){not_null}")
    return "(" + "\n   UNION ALL\n   ".join(parts) + ") r"


def _row_in(w: str, p: Period) -> str:
    """A row of _sales_rows belongs to window `w` (period `p`)."""
    tiers = [f"(tier = {DAY} AND ({_days_of(w)}))"]
    if _has_weeks(p):
        tiers.append(f"(tier = {WEEK} AND {_weeks_of(w, 'day')})")
    if _has_months(p):
        tiers.append(f"(tier = {MONTH} AND day >= ${w}months_start AND day < ${w}months_end)")
    return "(" + " OR ".join(tiers) + ")"


def one_pass(windows: dict[str, Period]) -> bool:
    """One scan over the span of all the windows, or one scan per window?
    Zone maps prune to the span of an OR of ranges, so one pass pays when the
    windows lie close (a year, its previous year and the year before overlap),
    and separate scans when they lie apart (30 days and the same 30 days a
    year ago)."""
    start = min(p.start for p in windows.values())
    end = max(p.end for p in windows.values())
    return (end - start).days + 1 <= sum(p.days for p in windows.values())


def _measures(w: str, brief, in_window: str | None) -> list[tuple[str, str]]:
    """(SQL, name) of window `w`'s measures, FILTERed to the window unless the
    scan reads that window alone (in_window None)."""
    def f(extra: str = "") -> str:
        conds = [c for c in (in_window, extra) if c]
        return f" FILTER (WHERE {' AND '.join(conds)})" if conds else ""
    every, wemall, pos = f(), f("channel = 'wemall'"), f("channel = 'pos'")
    out = [(f"count(*){every}", f"{w}lines"),
           (f"coalesce(sum(sales){every}, 0)", f"{w}sales"),
           (f"coalesce(sum(sales){wemall}, 0)", f"{w}wemall_sales")]
    if w not in brief:
        out += [(f"coalesce(sum(sales){pos}, 0)", f"{w}pos_sales"),
                (f"CAST(coalesce(sum(orders){every}, 0) AS BIGINT)", f"{w}orders")]
    return out


def sales_sql(key: str | None, windows: dict[str, Period], brief=(), single_scan: bool = True) -> str:
    """SELECT [key,] and per window `w` (a prefix: "" for the period, "prev_",
    "ly_"..., to its period): {w}lines (rollup rows read, daily, weekly or
    monthly: > 0 when the key had orders in `w`), {w}sales, {w}wemall_sales, and unless `w` is in `brief`
    {w}pos_sales and {w}orders (0 when none). Sums stay DECIMAL; `key` is
    whitelisted. `single_scan`: see one_pass()."""
    if key not in ROLLUP_FOR:
        raise ValueError(f"no rollup grouped by {key!r}")
    keys = [key] if key else []
    group = f"\n  GROUP BY {key}" if key else ""
    if single_scan:
        cols = [f"{sql} AS {name}" for w, p in windows.items() for sql, name in _measures(w, brief, _row_in(w, p))]
        return f"""
  SELECT {", ".join(keys + cols)}
  FROM {_sales_rows(key, windows)}{group}"""
    # One grouped scan per window, joined on the key (a full join of a few
    # thousand rows each: cheaper than re-grouping their union).
    parts, outer, on = [], [], []
    for i, (w, p) in enumerate(windows.items()):
        own = _measures(w, brief, None)
        parts.append(f"(SELECT {', '.join(keys + [f'{sql} AS {name}' for sql, name in own])} "
                     f"FROM {_sales_rows(key, {w: p})}{group}) w{i}")
        outer += [f"coalesce(w{i}.{name}, 0) AS {name}" for _, name in own]
        on.append(f"w{i}.{key}" if key else "")
    if key:
        joined = parts[0] + "".join(
            f"\n    FULL JOIN {part} ON w{i}.{key} = coalesce({', '.join(on[:i])})" if i > 1 else
            f"\n    FULL JOIN {part} ON w{i}.{key} = {on[0]}"
            for i, part in enumerate(parts) if i)
        select = [f"coalesce({', '.join(on)}) AS {key}"] + outer
    else:  # one row per window: no key to join on
        joined = "\n    CROSS JOIN ".join(parts)
        select = outer
    return f"""
  SELECT {", ".join(select)}
  FROM {joined}"""


def _guide_buyers(w: str, p: Period, only: str = "") -> str:
    """Per guide, FAST over window `w` (see rollups.buyers_mode): the
    representing rows whose previous buying day with the guide lies before the
    window, counted from buyer_days on its leftover days and from
    guide_buyer_weeks and guide_buyer_months (the same rows counted per week or
    month and previous day) on its whole weeks and months."""
    fast = f"prev_guide_day < ${w}start_day{only}"
    parts = [f"""
    SELECT guide_id, count(*) AS n FROM buyer_days
    WHERE ({_days_of(w)}) AND guide_id IS NOT NULL AND {fast} GROUP BY guide_id"""]
    if _has_weeks(p):
        parts.append(f"""
    SELECT guide_id, sum(buyers) AS n FROM guide_buyer_weeks
    WHERE {_weeks_of(w)} AND {fast} GROUP BY guide_id""")
    if _has_months(p):
        parts.append(f"""
    SELECT guide_id, sum(buyers) AS n FROM guide_buyer_months
    WHERE {_months_of(w)} AND {fast} GROUP BY guide_id""")
    union = "\n    UNION ALL".join(parts)
    return f"""
  SELECT guide_id, CAST(sum(n) AS BIGINT) AS members FROM ({union}) u
  GROUP BY guide_id"""


def buyers_sql(reader, key: str | None, p: Period, w: str = "") -> str:
    """SELECT [key,] members: distinct members with an order of net > 0 in
    window `w` (period `p`), exact (see rollups.buyers_mode). A key with no
    buyer has no row."""
    mode = buyers_mode(reader.scope, reader.filters, key)
    fast = f"{prev_column(key)} < ${w}start_day"
    if key is None:
        if mode in (FAST, REGION):
            chain = fast if mode == FAST else f"{REGION_PREV} < ${w}start_day"
            return f"""
  SELECT count(*) AS members FROM buyer_days WHERE {_in(w)} AND {chain}"""
        return f"""
  SELECT count(DISTINCT member_key) AS members FROM buyer_days WHERE {_in(w)}"""
    base = f"FROM buyer_days WHERE {_in(w)} AND {key} IS NOT NULL"
    if mode == FAST:
        if key == "guide_id":
            return _guide_buyers(w, p)
        return f"""
  SELECT {key}, count(*) AS members {base} AND {fast} GROUP BY {key}"""
    if mode == EXACT:
        return f"""
  SELECT {key}, count(DISTINCT member_key) AS members {base} GROUP BY {key}"""
    # SPLIT (by guide under a store narrowing): FAST for the guides of one store
    return f"""{_guide_buyers(w, p, " AND guide_id NOT IN (SELECT guide_id FROM multi_store_guides)")}
  UNION ALL
  SELECT {key}, count(DISTINCT member_key) AS members {base}
    AND {key} IN (SELECT guide_id FROM multi_store_guides) GROUP BY {key}"""


TOTAL_COLUMNS = ("sales", "wemall_sales", "pos_sales", "orders", "members")


def totals(reader, windows: dict[str, Period]) -> dict[str, dict]:
    """For each window name: sales, wemall_sales, pos_sales (float), orders and
    members (int), in one query over the rollups."""
    prefixes = {name: f"w{i}_" for i, name in enumerate(windows)}
    by_prefix = {prefixes[n]: p for n, p in windows.items()}
    buyers = ",\n".join(f"b{i} AS ({buyers_sql(reader, None, p, pre)})" for i, (pre, p) in enumerate(by_prefix.items()))
    cols = []
    for i, pre in enumerate(by_prefix):
        cols += [f"CAST(s.{pre}sales AS DOUBLE) AS {pre}sales",
                 f"CAST(s.{pre}wemall_sales AS DOUBLE) AS {pre}wemall_sales",
                 f"CAST(s.{pre}pos_sales AS DOUBLE) AS {pre}pos_sales",
                 f"s.{pre}orders AS {pre}orders", f"b{i}.members AS {pre}members"]
    joins = " ".join(f"CROSS JOIN b{i}" for i in range(len(by_prefix)))
    sql = f"""
WITH s AS ({sales_sql(None, by_prefix, single_scan=one_pass(windows))}),
{buyers}
SELECT {', '.join(cols)} FROM s {joins}"""
    row = reader.query(sql, window_params(by_prefix)).iloc[0].to_dict()
    out = {}
    for name, pre in prefixes.items():
        vals = {c: row[f"{pre}{c}"] for c in TOTAL_COLUMNS}
        vals["orders"] = int(vals["orders"] or 0)
        vals["members"] = int(vals["members"] or 0)
        for c in ("sales", "wemall_sales", "pos_sales"):
            vals[c] = float(vals[c] or 0.0)
        out[name] = vals
    return out
