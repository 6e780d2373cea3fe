"""Sales rollups (the daily sums and the buyer days).

The business definitions are those of the scoped `orders` (SPEC.md): net =
amount - refund_amount, counted on the order's own date; an order counts as an
order only while net > 0, and so does its member as a buyer. Sales stay
DECIMAL: a sum of rollup sums is exactly the sum of the orders.

Distinct buyers over any period stay exact: `buyer_days` keeps one row per
(day, store, guide, member) with a buying order, and on the one row that
represents a (store, member, day) the member's previous buying day at that
store (likewise per guide, per region of the store, and overall). A member
bought at a store in [start, end] exactly when one representing row of that
(store, member) lies in the period with its previous buying day before
`start`; so the distinct count is a plain count: `count(*) ... WHERE
prev_store_day < start`.
That holds while the scope keeps or drops each (store, member) history whole:
see `buyers_mode` for when it does, and the exact `count(DISTINCT member_key)`
used otherwise.
"""
from __future__ import annotations

from .model import SLICE_MARKER, Gate, Refresh, Rollup

# Before any real day: "no earlier buying day".
NEVER = "DATE '1900-01-01'"

# Orders of stores the stores table does not know are in no scope (the scoped
# `orders` drops them), so no sales rollup holds them: with nothing narrowing
# the stores, the gate need not check the rollups against `stores`
# (Gate.known_stores). A new store row rebuilds these whole.
DAILY_SALES = Rollup(
    "daily_sales",
    "one row per (day, store_id, guide_id, channel) with orders of known stores; guide_id NULL for uncredited orders",
    """
SELECT CAST(ordered_at AS DATE) AS day, store_id, guide_id, channel,
       CAST(sum(amount - refund_amount) AS DECIMAL(18,2)) AS sales,
       count(*) FILTER (WHERE amount - refund_amount > 0) AS orders
FROM orders
WHERE store_id IN (SELECT store_id FROM stores)
GROUP BY CAST(ordered_at AS DATE), store_id, guide_id, channel""",
    "day, store_id, guide_id, channel",
    Gate(store="store_id", guide="guide_id", known_stores=True),
    refresh=Refresh((("orders", "CAST(ordered_at AS DATE)"),), "day IN {values}"),
)

def _store_sums(name: str, period: str, source: str) -> Rollup:
    """`source` (a per-guide sales rollup by `period`: day or month) summed over guides."""
    sql = f"""
SELECT {period}, store_id, channel, CAST(sum(sales) AS DECIMAL(18,2)) AS sales, CAST(sum(orders) AS BIGINT) AS orders
FROM {source}
GROUP BY {period}, store_id, channel"""
    return Rollup(
        name,
        f"one row per ({period}, store_id, channel) with orders ({source} summed over guides)",
        sql,
        f"{period}, store_id, channel",
        # Under a guide filter the per-store rollup is re-derived from the
        # per-guide one, which still knows the guide.
        Gate(store="store_id", when_guides_filtered=sql, known_stores=True),
        refresh=Refresh(((source, period),), f"{period} IN {{values}}"),
    )


DAILY_STORE_SALES = _store_sums("daily_store_sales", "day", "daily_sales")

def _guide_sums(period: str, of_day: str) -> Rollup:
    """daily_sales summed per `period` (month or week: `of_day` is its first day)."""
    return Rollup(
        f"{period}ly_sales",
        f"one row per ({period}, store_id, guide_id, channel) with orders (daily_sales summed over the {period}'s days)",
        f"""
SELECT {of_day} AS {period}, store_id, guide_id, channel,
       CAST(sum(sales) AS DECIMAL(18,2)) AS sales, CAST(sum(orders) AS BIGINT) AS orders
FROM daily_sales
GROUP BY {of_day}, store_id, guide_id, channel""",
        f"{period}, store_id, guide_id, channel",
        Gate(store="store_id", guide="guide_id", known_stores=True),
        refresh=Refresh((("daily_sales", of_day),), f"{period} IN {{values}}"),
    )


# The same sums per calendar month (month = its first day): a period's whole
# months are read from these (30× fewer rows than their days) and only its
# partial months at its ends from the daily ones (metrics/windows.py).
_MONTH_OF_DAY = "CAST(date_trunc('month', day) AS DATE)"
MONTHLY_SALES = _guide_sums("month", _MONTH_OF_DAY)
MONTHLY_STORE_SALES = _store_sums("monthly_store_sales", "month", "monthly_sales")

# And per week (Monday to Sunday; week = its Monday): the whole weeks of a
# period outside its whole months (a 30-day view holds four) are read from
# these, about a fifth of their days' rows.
_WEEK_OF_DAY = "CAST(date_trunc('week', day) AS DATE)"
WEEKLY_SALES = _guide_sums("week", _WEEK_OF_DAY)
WEEKLY_STORE_SALES = _store_sums("weekly_store_sales", "week", "weekly_sales")

# Only orders of a store the stores table knows: the scoped `orders` never
# shows others, so the previous-day chains are built over exactly what any
# scope can see, cut only by the narrowing itself.
_BUYING = ("o.amount - o.refund_amount > 0 AND o.member_id IS NOT NULL "
           "AND o.store_id IN (SELECT store_id FROM stores)")


_KNOWN = "o.member_id IS NOT NULL AND o.store_id IN (SELECT store_id FROM stores)"


def _append_buyer_keys(con, rows_of) -> str:
    """Refresh buyer_keys for the members in _refresh_values (those of changed
    orders), whose orders are all in rows_of('orders', 'member_id'): unchanged
    when every numbered one keeps its first order time; members seen for the
    first time whose (first_at, member_id) all sort after the last numbered
    member (a new day's new members) get the next keys, exactly the full
    numbering; anything else (an older first order, a member gone from its
    orders) renumbers: "whole"."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _refresh_firsts AS
        SELECT o.member_id, min(o.ordered_at) AS first_at FROM {rows_of('orders', 'member_id')} o
        WHERE {_KNOWN.replace('FROM stores', 'FROM main.stores')}
        GROUP BY o.member_id""")
    moved, = con.execute("""SELECT count(*) FROM main.buyer_keys k
        WHERE k.member_id IN (SELECT v FROM _refresh_values)
          AND NOT EXISTS (SELECT 1 FROM _refresh_firsts f WHERE f.member_id = k.member_id AND f.first_at = k.first_at)
        """).fetchone()
    if moved:
        return "whole"
    con.execute("""CREATE OR REPLACE TEMP TABLE _refresh_new_keys AS
        SELECT member_id, first_at FROM _refresh_firsts
        WHERE member_id NOT IN (SELECT member_id FROM main.buyer_keys)""")
    if not con.execute("SELECT EXISTS (SELECT 1 FROM _refresh_new_keys)").fetchone()[0]:
        return "unchanged"
    last = con.execute("SELECT first_at, member_id, member_key FROM main.buyer_keys "
                       "ORDER BY member_key DESC LIMIT 1").fetchone()
    top = 0
    if last is not None:
        first_at, member_id, top = last
        before, = con.execute("SELECT count(*) FROM _refresh_new_keys WHERE first_at < $f "
                              "OR (first_at = $f AND member_id <= $m)", {"f": first_at, "m": member_id}).fetchone()
        if before:
            return "whole"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _changed_buyer_keys AS
        SELECT member_id, first_at,
               CAST({int(top)} + row_number() OVER (ORDER BY first_at, member_id) AS INTEGER) AS member_key,
               FALSE AS _old
        FROM _refresh_new_keys""")
    con.execute("INSERT INTO main.buyer_keys SELECT member_id, first_at, member_key FROM _changed_buyer_keys "
                "ORDER BY member_key")
    return "rows"


# Every member with an order at a known store numbered once (member_key), for
# buyer_days' slices to share: in the order of their first such order (then
# member_id), so the members a new day's load brings are numbered after all
# the others and a publish appends their keys instead of renumbering. A member
# keeps its key while it does not buy (a refund to net 0): buyer_days counts
# distinct keys of buying rows, never the keys themselves.
BUYER_KEYS = Rollup(
    "buyer_keys",
    "one row per member with an order at a known store: its first such order (first_at) and its integer "
    "member_key, numbered by (first_at, member_id)",
    f"""
SELECT member_id, first_at, CAST(row_number() OVER (ORDER BY first_at, member_id) AS INTEGER) AS member_key
FROM (SELECT o.member_id, min(o.ordered_at) AS first_at FROM orders o WHERE {_KNOWN} GROUP BY o.member_id) m""",
    "member_key",
    # Read by no metric (buyer_days carries the key): a member's key is seen
    # when the member is.
    Gate(parent=("member_id", "members", "member_id")),
    refresh=Refresh((("orders", "member_id"),), "member_id IN {values}", custom=_append_buyer_keys),
)

# buyer_days' SQL in three parts: the append path below reuses the last two.
_BOUGHT_FROM_ORDERS = f"""
WITH bought AS (
  SELECT CAST(o.ordered_at AS DATE) AS day, o.store_id, o.guide_id, o.member_id
  FROM orders o
  WHERE {_BUYING} {SLICE_MARKER}
  GROUP BY CAST(o.ordered_at AS DATE), o.store_id, o.guide_id, o.member_id
), numbered AS ("""
_NUMBERED = """
  SELECT day, store_id, guide_id, member_id, member_key, region,
         row_number() OVER (PARTITION BY member_id, day ORDER BY store_id, guide_id NULLS FIRST) AS rep_any,
         row_number() OVER (PARTITION BY store_id, member_id, day ORDER BY guide_id NULLS FIRST) AS rep_store,
         row_number() OVER (PARTITION BY guide_id, member_id, day ORDER BY store_id) AS rep_guide,
         row_number() OVER (PARTITION BY region, member_id, day ORDER BY store_id, guide_id NULLS FIRST)
           AS rep_region"""
_CHAINS = f"""
SELECT day, store_id, guide_id, CAST(member_key AS INTEGER) AS member_key,
       CASE WHEN rep_any = 1 THEN coalesce(
         lag(day) OVER (PARTITION BY member_id, rep_any = 1 ORDER BY day), {NEVER}) END AS prev_any_day,
       CASE WHEN rep_store = 1 THEN coalesce(
         lag(day) OVER (PARTITION BY store_id, member_id, rep_store = 1 ORDER BY day), {NEVER}) END
         AS prev_store_day,
       CASE WHEN rep_guide = 1 AND guide_id IS NOT NULL THEN coalesce(
         lag(day) OVER (PARTITION BY guide_id, member_id, rep_guide = 1 ORDER BY day), {NEVER}) END
         AS prev_guide_day,
       CASE WHEN rep_region = 1 THEN coalesce(
         lag(day) OVER (PARTITION BY region, member_id, rep_region = 1 ORDER BY day), {NEVER}) END
         AS prev_region_day
FROM numbered"""

_BUYER_DAYS_ORDER = "day, store_id, guide_id, member_key"

# A load that only adds orders, all on days after every day buyer_days holds
# (the next day's export), changes no existing row: each chain's new rows
# follow its old ones. So only the new days' rows are computed, from the new
# orders and the old rows of their members (the same windows over the same
# (day, store, guide, member) rows; member_key stands in for member_id, one to
# one), instead of every row of those members from all their orders.
_APPEND_BUYER_DAYS = f"""
WITH new_orders AS MATERIALIZED (  -- read by both sides below: the member keys looked up once
  SELECT CAST(o.ordered_at AS DATE) AS day, o.store_id, o.guide_id, k.member_key,
         o.amount - o.refund_amount > 0 AS buying
  FROM _changed_orders o JOIN main.buyer_keys k ON k.member_id = o.member_id
), numbered AS ({_NUMBERED}
  FROM (SELECT n.day, n.store_id, n.guide_id, n.member_key AS member_id, n.member_key, st.region
        FROM new_orders n JOIN main.stores st ON st.store_id = n.store_id
        WHERE n.buying
        GROUP BY n.day, n.store_id, n.guide_id, n.member_key, st.region
        UNION ALL
        SELECT b.day, b.store_id, b.guide_id, b.member_key AS member_id, b.member_key, st.region
        FROM main.buyer_days b JOIN main.stores st ON st.store_id = b.store_id
        WHERE b.member_key IN (SELECT member_key FROM new_orders)) j
)
SELECT * FROM ({_CHAINS}) c WHERE day > $last_day"""


# A refresh outcome: like "rows", by a custom refresh that only added a new day's rows.
APPENDED = "appended"


def _append_buyer_days(con, rows_of) -> str | None:
    """buyer_days' refresh when the load only added orders after its last day
    (see _APPEND_BUYER_DAYS): APPENDED, or None for the ordinary refresh (some
    order replaced, or one on a day buyer_days already reaches)."""
    if not con.execute("SELECT EXISTS (SELECT 1 FROM duckdb_tables() "
                       "WHERE temporary AND table_name = '_changed_orders')").fetchone()[0]:
        return None
    rows, orders, first_day = con.execute(
        "SELECT count(*), count(DISTINCT order_id), min(CAST(ordered_at AS DATE)) FROM _changed_orders").fetchone()
    last_day = con.execute("SELECT max(day) FROM main.buyer_days").fetchone()[0]
    if rows != orders or last_day is None or first_day is None or first_day <= last_day:
        return None  # an order replaced (its old version is here too), or an earlier day touched
    con.execute(f"CREATE OR REPLACE TEMP TABLE _refresh_new AS {_APPEND_BUYER_DAYS}", {"last_day": last_day})
    con.execute(f"INSERT INTO main.buyer_days SELECT * FROM _refresh_new ORDER BY {_BUYER_DAYS_ORDER}")
    # every row is new: what the later rollups refresh by (buyer_days is read by no custom refresh)
    con.execute("CREATE OR REPLACE TEMP TABLE _changed_buyer_days AS SELECT *, FALSE AS _old FROM _refresh_new")
    con.execute("DROP TABLE _refresh_new")
    return APPENDED


BUYER_DAYS = Rollup(
    "buyer_days",
    "one row per (day, store_id, guide_id, member_id) with an order of net > 0 (member known)",
    f"""{_BOUGHT_FROM_ORDERS}{_NUMBERED}
  FROM (SELECT b.day, b.store_id, b.guide_id, b.member_id, k.member_key, st.region
        FROM bought b JOIN buyer_keys k ON k.member_id = b.member_id
        JOIN stores st ON st.store_id = b.store_id) j
){_CHAINS}""",
    _BUYER_DAYS_ORDER,
    Gate(store="store_id", guide="guide_id", known_stores=True),
    slice_by="o.member_id",  # every window partitions by member: built a slice of members at a time
    # Every window partitions by member: a changed order's member gets all its
    # rows recomputed; a new day alone, only its own rows (_append_buyer_days).
    refresh=Refresh((("orders", "member_id"), ("buyer_keys", "member_id")),
                    "member_key IN (SELECT member_key FROM buyer_keys WHERE member_id IN {values})",
                    custom=_append_buyer_days),
)

# Guides whose buying rows lie in more than one store: for every other guide a
# store narrowing keeps or drops each (guide, member) history whole.
MULTI_STORE_GUIDES = Rollup(
    "multi_store_guides",
    "one row per guide credited on buyer_days rows of more than one store",
    """
SELECT guide_id
FROM buyer_days
WHERE guide_id IS NOT NULL
GROUP BY guide_id
HAVING count(DISTINCT store_id) > 1""",
    "guide_id",
    Gate(guide="guide_id", store_free=True),
    refresh=Refresh((("buyer_days", "guide_id"),), "guide_id IN {values}"),
)

def _guide_buyer_periods(period: str, of_day: str) -> Rollup:
    """buyer_days' per-guide representing rows counted per (`period` of the
    row, its previous buying day with the guide)."""
    return Rollup(
        f"guide_buyer_{period}s",
        f"one row per ({period}, store_id, guide_id, prev_guide_day) over buyer_days' rows representing a "
        "(guide, member, day): buyers = how many",
        f"""
SELECT {of_day} AS {period}, store_id, guide_id, prev_guide_day, count(*) AS buyers
FROM buyer_days
WHERE prev_guide_day IS NOT NULL
GROUP BY {of_day}, store_id, guide_id, prev_guide_day""",
        f"{period}, store_id, guide_id, prev_guide_day",
        Gate(store="store_id", guide="guide_id", known_stores=True),
        refresh=Refresh((("buyer_days", of_day),), f"{period} IN {{values}}"),
    )


# A guide's distinct buyers over a period's whole months are sum(buyers) WHERE
# prev_guide_day < start, exactly the count of those rows (the previous day is
# kept to the day, so any start works); about a sixth of the rows they count.
GUIDE_BUYER_MONTHS = _guide_buyer_periods("month", _MONTH_OF_DAY)
# The same per week (week = its Monday): a period's whole weeks outside its
# whole months.
GUIDE_BUYER_WEEKS = _guide_buyer_periods("week", _WEEK_OF_DAY)

ROLLUPS: tuple[Rollup, ...] = (DAILY_SALES, DAILY_STORE_SALES, MONTHLY_SALES, MONTHLY_STORE_SALES, WEEKLY_SALES,
                               WEEKLY_STORE_SALES, BUYER_KEYS, BUYER_DAYS, MULTI_STORE_GUIDES, GUIDE_BUYER_MONTHS,
                               GUIDE_BUYER_WEEKS)


# -- distinct buyers ---------------------------------------------------------

# key -> the representing-row column of buyer_days
_PREV = {"store_id": "prev_store_day", "guide_id": "prev_guide_day", None: "prev_any_day"}
REGION_PREV = "prev_region_day"


FAST, EXACT, SPLIT, REGION = "fast", "exact", "split", "region"


def buyers_mode(scope, filters, key: str | None) -> str:
    """How to count distinct buying members over buyer_days rows of a period,
    grouped by `key` (store_id, guide_id, or None for the whole scope).

    FAST — count the representing rows whose previous buying day lies before
    the period — is exact when the narrowing keeps or drops every (key,
    member) history whole: by store, unless a guide filter applies (it removes
    some guides' rows of a store); overall, only with no narrowing at all; by
    guide, with no store narrowing, and under one for every guide that sells
    in one store only (SPLIT: FAST for those, EXACT for multi_store_guides).
    Overall for a view of exactly one whole region, REGION: FAST over the
    per-region chain (prev_region_day), every (region, member) history kept.
    EXACT is count(DISTINCT member_key)."""
    if scope.denies_all:
        return EXACT
    stores_narrowed = not scope.unrestricted or filters.narrows_stores
    if key == "store_id":
        return EXACT if filters.guides else FAST
    if key == "guide_id":
        return SPLIT if stores_narrowed else FAST
    if not stores_narrowed and not filters.guides:
        return FAST
    from ..scope import one_whole_region  # scope.py reads the rollups' gates: imported here, not at the top
    return REGION if one_whole_region(scope, filters) else EXACT


def prev_column(key: str | None) -> str:
    return _PREV[key]
