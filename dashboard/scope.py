"""The one gate between a user and the data.

A `Scope` is what a role may see (SPEC.md: hq all, region its regions, store its
stores); `Filters` are what the user chose to look at. Both only ever narrow.
`scoped_sql` wraps a metric's SQL in CTEs named like the contract's tables
(`orders`, `stores`, ...) that read `main.<table>` through the scope's and the
filters' predicates, with every value bound as a parameter. Metric SQL is
written against the plain table names and so cannot forget the scope; a test
checks that no metric names `main.` itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


def _clean(values) -> tuple[str, ...]:
    """Filter values as a sorted tuple of non-empty strings (hashable, stable cache keys)."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({str(v).strip() for v in values if v is not None and str(v).strip()}))


@dataclass(frozen=True)
class Scope:
    """What a role may see. `None` means unrestricted on that axis; an empty
    tuple means nothing. Both axes apply (intersection)."""
    regions: tuple[str, ...] | None = None
    stores: tuple[str, ...] | None = None

    @classmethod
    def everything(cls) -> "Scope":
        return cls(None, None)

    @classmethod
    def nothing(cls) -> "Scope":
        return cls((), ())

    @classmethod
    def of(cls, regions=None, stores=None) -> "Scope":
        return cls(None if regions is None else _clean(regions), None if stores is None else _clean(stores))

    @property
    def unrestricted(self) -> bool:
        return self.regions is None and self.stores is None

    @property
    def denies_all(self) -> bool:
        return self.regions == () or self.stores == ()

    def key(self) -> str:
        return repr((self.regions, self.stores))


@dataclass(frozen=True)
class Filters:
    """The user's narrowing choices (filter bar, URL, CLI). Empty = no filter."""
    brands: tuple[str, ...] = field(default=())
    regions: tuple[str, ...] = field(default=())
    cities: tuple[str, ...] = field(default=())
    stores: tuple[str, ...] = field(default=())
    guides: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, brands=None, regions=None, cities=None, stores=None, guides=None) -> "Filters":
        return cls(_clean(brands), _clean(regions), _clean(cities), _clean(stores), _clean(guides))

    @property
    def narrows_stores(self) -> bool:
        return bool(self.brands or self.regions or self.cities or self.stores)

    def key(self) -> str:
        return repr((self.brands, self.regions, self.cities, self.stores, self.guides))


def _store_predicate(scope: Scope, filters: Filters, params: dict) -> str:
    if scope.denies_all:
        return "FALSE"
    conds = []
    for name, values, column in (
        ("_scope_regions", scope.regions, "region"),
        ("_scope_stores", scope.stores, "store_id"),
        ("_f_brands", filters.brands or None, "brand"),
        ("_f_regions", filters.regions or None, "region"),
        ("_f_cities", filters.cities or None, "city"),
        ("_f_stores", filters.stores or None, "store_id"),
    ):
        if values is not None:
            params[name] = list(values)
            conds.append(f"list_contains(${name}, {column})")
    return " AND ".join(conds) or "TRUE"


def scoped_ctes(scope: Scope, filters: Filters) -> tuple[dict[str, str], dict]:
    """CTE bodies (by table name) shadowing every contract table, and their bound values."""
    params: dict = {}
    store_pred = _store_predicate(scope, filters, params)
    stores_narrowed = not scope.unrestricted or filters.narrows_stores
    in_stores = "store_id IN (SELECT store_id FROM stores)"
    # Rows with no store (brand groups, members bound to no store, lives with no
    # host) belong to the whole group: visible only when no store narrowing applies.
    nullable_in_stores = lambda col: (  # noqa: E731
        f"{col} IN (SELECT store_id FROM stores)" if stores_narrowed else "TRUE")
    guide = "TRUE"
    if filters.guides:
        params["_f_guides"] = list(filters.guides)
        guide = "list_contains($_f_guides, {col})"
    g = lambda col: guide.format(col=col)  # noqa: E731
    # Spend is bought centrally (SPEC.md): it belongs to no region, store or
    # guide, so any narrowing, by scope or by filter, hides it.
    no_spend = "TRUE" if scope.unrestricted and not filters.narrows_stores and not filters.guides else "FALSE"
    ctes = {
        "stores": f"SELECT * FROM main.stores WHERE {store_pred}",
        "guides": f"SELECT * FROM main.guides WHERE {in_stores} AND {g('guide_id')}",
        # Staging (dbt-style): the business definitions of SPEC.md, once. net =
        # amount - refund_amount; an order counts as an order only while net > 0.
        "orders": ("SELECT *, amount - refund_amount AS net, amount - refund_amount > 0 AS is_order "
                   f"FROM main.orders WHERE {in_stores} AND {g('guide_id')}"),
        "shares": f"SELECT * FROM main.shares WHERE {in_stores} AND {g('guide_id')}",
        "share_visits": "SELECT * FROM main.share_visits WHERE share_id IN (SELECT share_id FROM shares)",
        "members": f"SELECT * FROM main.members WHERE {nullable_in_stores('store_id')} AND {g('guide_id')}",
        "member_tags": "SELECT * FROM main.member_tags WHERE member_id IN (SELECT member_id FROM members)",
        "groups": f"SELECT * FROM main.groups WHERE {nullable_in_stores('store_id')} AND {g('owner_guide_id')}",
        "group_members": "SELECT * FROM main.group_members WHERE group_id IN (SELECT group_id FROM groups)",
        "group_messages": "SELECT * FROM main.group_messages WHERE group_id IN (SELECT group_id FROM groups)",
        "live_sessions": f"SELECT * FROM main.live_sessions WHERE {nullable_in_stores('host_store_id')}",
        "live_invites": "SELECT * FROM main.live_invites WHERE guide_id IN (SELECT guide_id FROM guides)",
        "live_views": "SELECT * FROM main.live_views WHERE member_id IN (SELECT member_id FROM members)",
        "channels": "SELECT * FROM main.channels",
        "channel_spend": f"SELECT * FROM main.channel_spend WHERE {no_spend}",
        # Rollups (dashboard/rollups.py): the same store and guide predicates
        # as orders. Under a guide filter the per-store rollup is re-derived
        # from the per-guide one, which still knows the guide.
        "daily_sales": f"SELECT * FROM main.daily_sales WHERE {in_stores} AND {g('guide_id')}",
        "daily_store_sales": (
            "SELECT day, store_id, channel, CAST(sum(sales) AS DECIMAL(18,2)) AS sales, "
            "CAST(sum(orders) AS BIGINT) AS orders FROM daily_sales "
            "GROUP BY day, store_id, channel" if filters.guides else
            f"SELECT * FROM main.daily_store_sales WHERE {in_stores}"),
        "buyer_days": f"SELECT * FROM main.buyer_days WHERE {in_stores} AND {g('guide_id')}",
        "multi_store_guides": f"SELECT * FROM main.multi_store_guides WHERE {g('guide_id')}",
    }
    return ctes, params


def _used(ctes: dict[str, str], sql: str) -> list[str]:
    """The CTEs `sql` names, with those they read in turn, in definition order.
    A name anywhere in the text counts (a column of the same name too): the
    only cost of a false match is a CTE the planner drops, while a table the
    metric reads always gets its CTE. Binding all of them costs ~10 ms a query."""
    words = lambda text: set(re.findall(r"[a-z_]+", text.lower()))  # noqa: E731
    needed, todo = set(), (words(sql) & set(ctes)) | {"stores"}  # stores: cheap, and always gated
    while todo:
        name = todo.pop()
        needed.add(name)
        todo |= (words(ctes[name]) & set(ctes)) - needed - {name}
    return [n for n in ctes if n in needed]


_LEADING_WITH = re.compile(r"^\s*WITH\s+", re.IGNORECASE)


def scoped_sql(sql: str, params: dict | None, scope: Scope, filters: Filters) -> tuple[str, dict]:
    """`sql` (our own constant text, never user input) with the scoped CTEs in front."""
    bodies, scope_params = scoped_ctes(scope, filters)
    names = _used(bodies, sql)
    scope_params = {k: v for k, v in scope_params.items()
                    if any(f"${k}" in bodies[n] for n in names)}  # DuckDB refuses unused parameters
    ctes = ",\n".join(f"{name} AS NOT MATERIALIZED ({bodies[name]})" for name in names)
    merged = dict(params or {})
    clash = set(merged) & set(scope_params)
    if clash:
        raise ValueError(f"metric parameters clash with scope parameters: {sorted(clash)}")
    merged.update(scope_params)
    if _LEADING_WITH.match(sql):
        return _LEADING_WITH.sub(lambda _: f"WITH {ctes},\n", sql, count=1), merged
    return f"WITH {ctes}\n{sql}", merged
