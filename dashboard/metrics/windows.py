"""Sales and buyers over several periods at once, read from the rollups
(dashboard/rollups/) instead of the raw orders.

SPEC.md's definitions are those of the scoped `orders` (net = amount -
refund_amount on the order's own date; orders and buyers count only net > 0);
the rollups hold them summed per day and per calendar month, so a period's
figures are sums of whole months (its calendar months lying wholly inside it)
and of the days at its ends: exactly the raw figures, in DECIMAL. A year reads
about 11 monthly rows and 30 daily ones per store, guide and channel instead of
365 daily ones.

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
# that grain, per day and per month.
ROLLUP_FOR = {"store_id": "daily_store_sales", "guide_id": "daily_sales", None: "daily_store_sales"}
MONTHLY_FOR = {"store_id": "monthly_store_sales", "guide_id": "monthly_sales", None: "monthly_store_sales"}


def window_params(windows: dict[str, Period]) -> dict:
    """Bound days of each window: ${w}start_day, ${w}end_day (inclusive) and
    its whole months [${w}months_start, ${w}months_end) (Period.whole_months)."""
    out = {}
    for w, p in windows.items():
        out[f"{w}start_day"] = p.start
        out[f"{w}end_day"] = p.end
        out[f"{w}months_start"], out[f"{w}months_end"] = p.whole_months()
    return out


def _in(w: str) -> str:
    return f"day >= ${w}start_day AND day <= ${w}end_day"


def _days_of(w: str) -> str:
    """Window `w`'s days outside its whole months (the daily rows it reads)."""
    # The window's own range outside the OR, so zone maps prune by it.
    return (f"day >= ${w}start_day AND day <= ${w}end_day AND "
            f"(day < ${w}months_start OR day >= ${w}months_end)")


def _months_of(w: str) -> str:
    """Window `w`'s whole months (the monthly rows it reads)."""
    return f"month >= ${w}months_start AND month < ${w}months_end"


def _sales_rows(key: str | None, windows) -> str:
    """The rows `windows` read: daily rows of their end days and monthly rows of
    their whole months, each with `day` (a month's first day) and `whole_month`."""
    k = f"{key}, " if key else ""
    not_null = f" AND {key} IS NOT NULL" if key else ""
    days = " OR ".join(f"({_days_of(w)})" for w in windows)
    months = " OR ".join(f"({_months_of(w)})" for w in windows)
    return (f"(SELECT day, FALSE AS whole_month, {k}channel, sales, orders FROM {ROLLUP_FOR[key]} "
            f"WHERE ({days}){not_null}\n   UNION ALL\n"
            f"   SELECT month AS day, TRUE AS whole_month, {k}channel, sales, orders FROM {MONTHLY_FOR[key]} "
            f"WHERE ({months}){not_null}) r")


def _row_in(w: str) -> str:
    """A row of _sales_rows belongs to window `w`."""
    return (f"((whole_month AND day >= ${w}months_start AND day < ${w}months_end) OR "
            f"(NOT whole_month AND ({_days_of(w)})))")


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


def sales_sql(key: str | None, windows, brief=(), single_scan: bool = True) -> str:
    """SELECT [key,] and per window `w` (a prefix: "" for the period, "prev_",
    "ly_"...): {w}lines (rollup rows read, daily or monthly: > 0 when the key
    had orders in `w`), {w}sales, {w}wemall_sales, and unless `w` is in `brief`
    {w}pos_sales and {w}orders (0 when none). Sums stay DECIMAL; `key` is
    whitelisted. `single_scan`: see one_pass()."""
    if key not in ROLLUP_FOR:
        raise ValueError(f"no rollup grouped by {key!r}")
    keys = [key] if key else []
    group = f"\n  GROUP BY {key}" if key else ""
    if single_scan:
        cols = [f"{sql} AS {name}" for w in windows for sql, name in _measures(w, brief, _row_in(w))]
        return f"""
  SELECT {", ".join(keys + cols)}
  FROM {_sales_rows(key, windows)}{group}"""
    # One grouped scan per window, joined on the key (a full join of a few
    # thousand rows each: cheaper than re-grouping their union).
    parts, outer, on = [], [], []
    for i, w in enumerate(windows):
        own = _measures(w, brief, None)
        parts.append(f"(SELECT {', '.join(keys + [f'{sql} AS {name}' for sql, name in own])} "
                     f"FROM {_sales_rows(key, [w])}{group}) w{i}")
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


def _guide_buyers(w: str, only: str = "") -> str:
    """Per guide, FAST over window `w` (see rollups.buyers_mode): the
    representing rows whose previous buying day with the guide lies before the
    window, counted from buyer_days on its end days and from guide_buyer_months
    (the same rows counted per month and previous day) on its whole months."""
    fast = f"prev_guide_day < ${w}start_day{only}"
    return f"""
  SELECT guide_id, CAST(sum(n) AS BIGINT) AS members FROM (
    SELECT guide_id, count(*) AS n FROM buyer_days
    WHERE ({_days_of(w)}) AND guide_id IS NOT NULL AND {fast} GROUP BY guide_id
    UNION ALL
    SELECT guide_id, sum(buyers) AS n FROM guide_buyer_months
    WHERE {_months_of(w)} AND {fast} GROUP BY guide_id) u
  GROUP BY guide_id"""


def buyers_sql(reader, key: str | None, w: str = "") -> str:
    """SELECT [key,] members: distinct members with an order of net > 0 in
    window `w`, exact (see rollups.buyers_mode). A key with no buyer has no row."""
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
            return _guide_buyers(w)
        return f"""
  SELECT {key}, count(*) AS members {base} AND {fast} GROUP BY {key}"""
    if mode == EXACT:
        return f"""
  SELECT {key}, count(DISTINCT member_key) AS members {base} GROUP BY {key}"""
    # SPLIT (by guide under a store narrowing): FAST for the guides of one store
    return f"""{_guide_buyers(w, " AND guide_id NOT IN (SELECT guide_id FROM multi_store_guides)")}
  UNION ALL
  SELECT {key}, count(DISTINCT member_key) AS members {base}
    AND {key} IN (SELECT guide_id FROM multi_store_guides) GROUP BY {key}"""


TOTAL_COLUMNS = ("sales", "wemall_sales", "pos_sales", "orders", "members")


def totals(reader, windows: dict[str, Period]) -> dict[str, dict]:
    """For each window name: sales, wemall_sales, pos_sales (float), orders and
    members (int), in one query over the rollups."""
    prefixes = {name: f"w{i}_" for i, name in enumerate(windows)}
    by_prefix = {prefixes[n]: p for n, p in windows.items()}
    buyers = ",\n".join(f"b{i} AS ({buyers_sql(reader, None, pre)})" for i, pre in enumerate(by_prefix))
    cols = []
    for i, pre in enumerate(by_prefix):
        cols += [f"CAST(s.{pre}sales AS DOUBLE) AS {pre}sales",
                 f"CAST(s.{pre}wemall_sales AS DOUBLE) AS {pre}wemall_sales",
                 f"CAST(s.{pre}pos_sales AS DOUBLE) AS {pre}pos_sales",
                 f"s.{pre}orders AS {pre}orders", f"b{i}.members AS {pre}members"]
    joins = " ".join(f"CROSS JOIN b{i}" for i in range(len(by_prefix)))
    sql = f"""
WITH s AS ({sales_sql(None, list(by_prefix), single_scan=one_pass(windows))}),
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
