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
from dataclasses import dataclass, field, fields

from .rollups import ROLLUPS, Gate


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
class Dimension:
    """One filter dimension, declared once. Everything that narrows by it reads
    this: the scope predicate (`table`.`column`, bound as `$_f_<name>`), the
    filter bar's widget (label `label_key`, a multiselect when `multi`, else a
    single select with `all_key` as its "all" choice), its options (distinct
    `column` with `label_column` as the shown name), the URL parameter
    `url_key` (repeated when multi), the CLI flag `--<url_key>` (repeatable)
    and, through `Filters.values()`, every cache key."""
    name: str                    # the Filters field (plural)
    url_key: str                 # URL parameter and CLI flag
    table: str                   # "stores" or "guides": where the column lives
    column: str
    label_key: str
    multi: bool = True
    label_column: str | None = None   # a name to show next to the id
    all_key: str = "filter.all"


# In cascade order: each level's options are narrowed by the choices above it.
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("brands", "brand", "stores", "brand", "filter.brand"),
    Dimension("regions", "region", "stores", "region", "filter.region"),
    Dimension("cities", "city", "stores", "city", "filter.city"),
    Dimension("stores", "store", "stores", "store_id", "filter.store", label_column="store_name"),
    Dimension("guides", "guide", "guides", "guide_id", "filter.guide", multi=False,
              label_column="guide_name", all_key="filter.all_guides"),
)
DIMENSION = {d.name: d for d in DIMENSIONS}


@dataclass(frozen=True)
class Filters:
    """The user's narrowing choices (filter bar, URL, CLI). Empty = no filter.
    One field per declared dimension, in DIMENSIONS order (checked at import)."""
    brands: tuple[str, ...] = field(default=())
    regions: tuple[str, ...] = field(default=())
    cities: tuple[str, ...] = field(default=())
    stores: tuple[str, ...] = field(default=())
    guides: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, *positional, **by_name) -> "Filters":
        """From values by position (DIMENSIONS order) or by dimension name; each
        a value, a list of values or None."""
        values = dict(zip((d.name for d in DIMENSIONS), positional))
        unknown = set(by_name) - set(DIMENSION)
        if unknown:
            raise TypeError(f"no filter dimension {', '.join(sorted(unknown))}")
        values.update(by_name)
        return cls(*(_clean(values.get(d.name)) for d in DIMENSIONS))

    def values(self) -> tuple[tuple[str, ...], ...]:
        """Every dimension's choice, in DIMENSIONS order: plain and hashable (the
        cache key; `Filters(*f.values()) == f`)."""
        return tuple(getattr(self, d.name) for d in DIMENSIONS)

    def on(self, table: str) -> dict[str, tuple[str, ...]]:
        """The non-empty choices of the dimensions that live on `table`."""
        return {d.name: getattr(self, d.name) for d in DIMENSIONS if d.table == table and getattr(self, d.name)}

    @property
    def narrows_stores(self) -> bool:
        return bool(self.on("stores"))

    @property
    def narrows(self) -> bool:
        return any(self.values())

    def key(self) -> str:
        return repr(self.values())


if tuple(f.name for f in fields(Filters)) != tuple(d.name for d in DIMENSIONS):
    raise TypeError("Filters' fields and DIMENSIONS disagree: declare every filter dimension once, in order")


def nothing_narrows(scope: Scope, filters: Filters) -> bool:
    """An unrestricted scope with no filter: every row of every table is in view."""
    return scope.unrestricted and not filters.narrows


def one_whole_region(scope: Scope, filters: Filters) -> bool:
    """The view is exactly one region's stores, each kept whole: the scope's and
    the filter's regions leave one region, and nothing else narrows (no store
    list, no other filter). A distinct count may then follow a chain kept per
    region (share_visitor_days' prev_region_day, buyer_days')."""
    others = [v for d, v in zip(DIMENSIONS, filters.values()) if d.name != "regions"]
    if scope.denies_all or scope.stores is not None or any(others):
        return False
    chosen = [set(r) for r in (scope.regions, filters.regions or None) if r is not None]
    return bool(chosen) and len(set.intersection(*chosen)) == 1


def spend_visible(scope: Scope, filters: Filters) -> bool:
    """Spend is bought centrally (SPEC.md): it belongs to no region, store or
    guide, so it is visible only to an unrestricted scope with no narrowing
    filter. Metrics ask this to leave spend-based ratios empty (undefined)
    rather than 0 where the gate hides `channel_spend`."""
    return nothing_narrows(scope, filters)


def _store_predicate(scope: Scope, filters: Filters, params: dict) -> str:
    if scope.denies_all:
        return "FALSE"
    narrowing = [("_scope_regions", scope.regions, "region"), ("_scope_stores", scope.stores, "store_id")]
    narrowing += [(f"_f_{d.name}", getattr(filters, d.name) or None, d.column)
                  for d in DIMENSIONS if d.table == "stores"]
    conds = []
    for name, values, column in narrowing:
        if values is not None:
            params[name] = list(values)
            conds.append(f"list_contains(${name}, {column})")
    return " AND ".join(conds) or "TRUE"


def _guide_predicate(filters: Filters, params: dict) -> str:
    """A template over `{col}` (the table's guide column) for the guide-level dimensions."""
    conds = []
    for d in DIMENSIONS:
        if d.table == "guides" and getattr(filters, d.name):
            params[f"_f_{d.name}"] = list(getattr(filters, d.name))
            conds.append(f"list_contains($_f_{d.name}, {{col}})" if d.column == "guide_id"
                         else f"{{col}} IN (SELECT guide_id FROM main.guides WHERE list_contains($_f_{d.name}, {d.column}))")
    return " AND ".join(conds) or "TRUE"


# Staging (dbt-style): the business definitions of SPEC.md, once. net =
# amount - refund_amount; an order counts as an order only while net > 0.
STAGED_ORDERS = "SELECT *, amount - refund_amount AS net, amount - refund_amount > 0 AS is_order FROM main.orders"


WHOLE_WHEN_NOTHING_NARROWS = ("share_visits", "member_tags", "live_views")


def _rollup_body(name: str, gate: Gate, filters: Filters, stores_narrowed: bool, g) -> str:
    if filters.guides and gate.when_guides_filtered:
        return gate.when_guides_filtered
    conds = []
    if gate.store:
        in_view = f"{gate.store} IN (SELECT store_id FROM stores)"
        conds.append(in_view if stores_narrowed or not (gate.store_nullable or gate.known_stores) else "TRUE")
    if gate.parent:
        column, table, table_column = gate.parent
        conds.append(f"{column} IN (SELECT {table_column} FROM {table})")
    if gate.guide:
        conds.append(g(gate.guide))
    return f"SELECT * FROM main.{name} WHERE {' AND '.join(conds)}"


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
    guide = _guide_predicate(filters, params)
    g = lambda col: guide.format(col=col)  # noqa: E731
    no_spend = "TRUE" if spend_visible(scope, filters) else "FALSE"
    ctes = {
        "stores": f"SELECT * FROM main.stores WHERE {store_pred}",
        "guides": f"SELECT * FROM main.guides WHERE {in_stores} AND {g('guide_id')}",
        "orders": f"{STAGED_ORDERS} WHERE {in_stores} AND {g('guide_id')}",
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
        # A target belongs to its store or guide: visible when that store/guide is.
        "targets": ("SELECT * FROM main.targets WHERE (level = 'store' AND target_id IN (SELECT store_id FROM stores)) "
                    "OR (level = 'guide' AND target_id IN (SELECT guide_id FROM guides))"),
    }
    # Rollups (dashboard/rollups/): each by its declared gate, the same store
    # and guide predicates as the facts it comes from.
    for r in ROLLUPS:
        ctes[r.name] = _rollup_body(r.name, r.gate, filters, stores_narrowed, g)
    if nothing_narrows(scope, filters):
        # Nothing narrows: these tables are whole. Their semi-joins would carry a
        # narrowing down from a large parent (6M shares, 2M members) at the cost
        # of a scan of it per query, and would only drop rows naming a member or
        # share the data does not hold (CRM exports lag), which an unrestricted
        # view should still count. Store-keyed facts keep their check against
        # the (small) stores table, as before.
        for name in WHOLE_WHEN_NOTHING_NARROWS:
            ctes[name] = f"SELECT * FROM main.{name}"
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
