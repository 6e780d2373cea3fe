"""Options for the global filter bar, computed in scope: each dimension's list
(dashboard/scope.DIMENSIONS, in cascade order: brand → region → city → store →
guide) is narrowed by the choices made above it, so a user only ever sees, and
can only ever pick, what their role allows.

Pure functions over a Reader; the app calls them through a cached function
(dashboard/runtime/cache.filter_options) that hands the bar plain values."""
from __future__ import annotations

from dataclasses import dataclass

from .reader import Reader
from .scope import DIMENSIONS, Dimension, Filters


@dataclass(frozen=True)
class FilterOptions:
    """Per dimension name, its options as (value, shown name) pairs, in order."""
    by_dimension: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

    def __getitem__(self, name: str) -> tuple[tuple[str, str], ...]:
        return dict(self.by_dimension)[name]

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(v for v, _ in self[name])

    def labels(self, name: str) -> dict[str, str]:
        return dict(self[name])

    # The old attribute names (plain tuples), kept for readers of FilterOptions.
    @property
    def brands(self):
        return self.values("brands")

    @property
    def regions(self):
        return self.values("regions")

    @property
    def cities(self):
        return self.values("cities")

    @property
    def stores(self):
        return self["stores"]


def _options_sql(d: Dimension) -> str:
    # Identifiers come from the declaration (our constants), never from input.
    label = d.label_column or d.column
    return (f"SELECT DISTINCT CAST({d.column} AS VARCHAR) AS v, CAST({label} AS VARCHAR) AS label "
            f"FROM {d.table} WHERE {d.column} IS NOT NULL ORDER BY 1")


def stores_in_scope(reader: Reader) -> int:
    """How many stores a user's scope holds (0: an unknown region or store, or no scope)."""
    return int(reader.scalar("SELECT count(*) FROM stores") or 0)


def resolve(reader: Reader, chosen: Filters) -> tuple[FilterOptions, Filters]:
    """Each level's options given the (valid) levels above it, and the choices
    with anything not among those options dropped (a stale session, a crafted
    URL, another region's store id). Lower levels never narrow higher ones, so a
    user can always widen a lower choice again."""
    options: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    kept: dict[str, list[str]] = {}
    for d in DIMENSIONS:
        above = Filters.of(**kept)
        rows = reader.with_filters(above).query(_options_sql(d))
        pairs = tuple(zip(rows["v"], rows["label"].fillna(rows["v"])))
        valid = {v for v, _ in pairs}
        options.append((d.name, pairs))
        kept[d.name] = [v for v in getattr(chosen, d.name) if v in valid]
    return FilterOptions(tuple(options)), Filters.of(**kept)
