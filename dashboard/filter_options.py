"""Options for the global filter bar, computed in scope: each list is narrowed by
the choices made before it (brand → region → city → store → guide), so a user
only ever sees, and can only ever pick, what their role allows."""
from __future__ import annotations

from dataclasses import dataclass

from .reader import Reader
from .scope import Filters


@dataclass(frozen=True)
class FilterOptions:
    brands: tuple[str, ...]
    regions: tuple[str, ...]
    cities: tuple[str, ...]
    stores: tuple[tuple[str, str], ...]   # (store_id, store_name)
    guides: tuple[tuple[str, str, str], ...]  # (guide_id, guide_name, store_id)


DISTINCT_SQL = {
    "brand": "SELECT DISTINCT brand AS v FROM stores ORDER BY 1",
    "region": "SELECT DISTINCT region AS v FROM stores ORDER BY 1",
    "city": "SELECT DISTINCT city AS v FROM stores ORDER BY 1",
}


def stores_in_scope(reader: Reader) -> int:
    """How many stores a user's scope holds (0: an unknown region or store, or no scope)."""
    return int(reader.scalar("SELECT count(*) FROM stores") or 0)


def resolve(reader: Reader, chosen: Filters) -> tuple[FilterOptions, Filters]:
    """Each level's options given the (valid) levels above it, and the choices
    with anything not among those options dropped (a stale session, a crafted
    URL, another region's store id). Lower levels never narrow higher ones, so a
    user can always widen a lower choice again."""
    def distinct(level: str, narrowed: Filters) -> tuple[str, ...]:
        return tuple(reader.with_filters(narrowed).query(DISTINCT_SQL[level])["v"])

    brands = distinct("brand", Filters())
    pick_brands = [b for b in chosen.brands if b in brands]
    regions = distinct("region", Filters.of(brands=pick_brands))
    pick_regions = [r for r in chosen.regions if r in regions]
    cities = distinct("city", Filters.of(brands=pick_brands, regions=pick_regions))
    pick_cities = [c for c in chosen.cities if c in cities]
    above_store = Filters.of(brands=pick_brands, regions=pick_regions, cities=pick_cities)
    stores = tuple(map(tuple, reader.with_filters(above_store).query(
        "SELECT store_id, store_name FROM stores ORDER BY store_id").itertuples(index=False)))
    store_ids = {s for s, _ in stores}
    pick_stores = [s for s in chosen.stores if s in store_ids]
    above_guide = Filters.of(brands=pick_brands, regions=pick_regions, cities=pick_cities, stores=pick_stores)
    guides = tuple(map(tuple, reader.with_filters(above_guide).query(
        "SELECT guide_id, guide_name, store_id FROM guides ORDER BY guide_id").itertuples(index=False)))
    guide_ids = {g for g, _, _ in guides}
    pick_guides = [g for g in chosen.guides if g in guide_ids]
    options = FilterOptions(brands, regions, cities, stores, guides)
    return options, Filters.of(pick_brands, pick_regions, pick_cities, pick_stores, pick_guides)
