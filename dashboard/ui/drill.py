"""A drill-down path any page can use: levels such as region → store (→ the
guides of that store), kept in the URL under the page's own keys, so a copied
link reopens the same path and the browser's back button works.

    drill = Drill("lb", [Level("drill_region", "regions", "region"),
                         Level("drill_store", "stores", "store_id", "store_name")])
    regions = run_metric("sales-by-region", view)
    region = drill.read(0, regions)                  # the URL's value, if it is on screen
    drill.follow(0, chart_event, regions, key, kind="points")   # a pick moves the path
    stores = run_metric("store-leaderboard", drill.view(view, 1))   # narrowed by level 0
    store = drill.read(1, stores)
    drill.breadcrumb()                               # 全部 › 华南 › 南二店 + back buttons
    drill.follow(1, table_event, stores, key)
    guides = run_metric("guide-leaderboard", drill.view(view, 2))

Rules, the same for every page:
- a level's value from the URL counts only if it is among the rows that level
  shows (`read`), which are computed in the user's scope: a crafted link can
  never widen what a user sees; a drill only narrows the view's filters;
- picking a row (table) or a point (chart) sets that level, keeps the levels
  above and clears those below; un-picking clears that level and below;
- after any move, widgets get fresh keys (`key(...)`), so an old selection of
  a table does not fire again;
- names in the breadcrumb are data: rendered literally (ui/plain.md).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from .i18n import t
from .plain import md


@dataclass(frozen=True)
class Level:
    url_key: str            # the page's own URL parameter, e.g. "drill_region"
    dimension: str          # the Filters field it narrows (dashboard/scope.DIMENSIONS), e.g. "regions"
    id_column: str          # the column of that level's rows holding the value
    name_column: str | None = None   # a shown name for the breadcrumb (default: the id)


def picked(event, df: pd.DataFrame, id_column: str, key: str, kind: str = "rows"):
    """What a selection event picked, only when the selection changed since the
    last run (a page loaded from a URL starts with no widget selection and must
    keep the URL's path). Returns (changed, value or None)."""
    if event is None:
        return False, None
    if kind == "rows":
        rows = list(event.selection.rows)
    else:  # plotly points
        rows = [p.get("point_index", p.get("point_number")) for p in event.selection.points]
    rows = tuple(r for r in rows if r is not None and 0 <= r < len(df))
    seen_key = f"_seen_{key}"
    changed = st.session_state.get(seen_key, ()) != rows
    st.session_state[seen_key] = rows
    if not changed:
        return False, None
    return True, (df.iloc[rows[0]][id_column] if rows else None)


def set_param(key: str, value) -> None:
    """One URL parameter set to `value`, or removed when it is empty."""
    if value:
        st.query_params[key] = str(value)
    elif key in st.query_params:
        del st.query_params[key]


def url_from_widget(widget_key: str, url_key: str) -> None:
    """A picker's on_change: the URL parameter takes the widget's new value."""
    set_param(url_key, st.session_state.get(widget_key))


def nonce(name: str) -> int:
    return st.session_state.get(name, 0)


def bump_nonce(name: str) -> None:
    """New widget keys: forget the tables' selections after a move along the path."""
    st.session_state[name] = nonce(name) + 1


class Drill:
    """One page's drill path. `name` prefixes its session and widget keys."""

    def __init__(self, name: str, levels: list[Level]):
        self.name, self.levels = name, list(levels)
        self._values: list[str | None] = [None] * len(self.levels)
        self._names: list[str | None] = [None] * len(self.levels)

    @property
    def _nonce_key(self) -> str:
        return f"_{self.name}_nonce"

    def key(self, widget: str) -> str:
        """A widget key that changes whenever the path moves."""
        return f"{self.name}_{widget}_{nonce(self._nonce_key)}"

    def read(self, i: int, rows: pd.DataFrame) -> str | None:
        """Level i's value from the URL if it is among `rows` (what the level shows), else None."""
        level = self.levels[i]
        wanted = st.query_params.get(level.url_key)
        ids = list(rows[level.id_column]) if level.id_column in rows else []
        value = wanted if wanted in set(map(str, ids)) else None
        self._values[i] = value
        if value is not None and level.name_column and level.name_column in rows:
            self._names[i] = str(rows.loc[rows[level.id_column].astype(str) == value, level.name_column].iloc[0])
        else:
            self._names[i] = value
        return value

    @property
    def values(self) -> list[str | None]:
        return list(self._values)

    def view(self, view, depth: int):
        """`view` with its filters narrowed by the levels above `depth` that are set
        (filters only narrow; the scope stays)."""
        narrowing = {self.levels[i].dimension: (v,) for i, v in enumerate(self._values[:depth]) if v}
        return replace(view, filters=replace(view.filters, **narrowing)) if narrowing else view

    def go(self, *values) -> None:
        """Set the path to `values` (level 0 first; missing or None levels cleared)."""
        for i, level in enumerate(self.levels):
            set_param(level.url_key, values[i] if i < len(values) else None)
        bump_nonce(self._nonce_key)

    def follow(self, i: int, event, rows: pd.DataFrame, widget_key: str, kind: str = "rows") -> None:
        """If `event` (from the widget `widget_key` showing `rows`) picked another
        value for level i, move the path there and rerun."""
        changed, value = picked(event, rows, self.levels[i].id_column, widget_key, kind=kind)
        if changed and (value is None or str(value) != self._values[i]):
            self.go(*self._values[:i], value)
            st.rerun()

    def crumbs(self) -> list[str]:
        """The path's shown names, from "all" down, as plain data (not markup)."""
        return [t("drill.all")] + [n for v, n in zip(self._values, self._names) if v]

    def title(self, text: str, depth: int | None = None) -> str:
        """`text · <deepest name set above depth>`, with the name rendered literally
        (for st.subheader and other markdown)."""
        names = [n for v, n in zip(self._values[:depth], self._names[:depth]) if v]
        return md(text) + (f" · {md(names[-1])}" if names else "")

    def breadcrumb(self) -> None:
        """The path (全部 › 华南 › 南二店) with "back to all" and, two or more levels
        deep, "back one level"."""
        cols = st.columns([3, 1, 1])
        cols[0].markdown(f"**{md(t('drill.path'))}**: " + " › ".join(md(c) for c in self.crumbs()))
        depth = sum(1 for v in self._values if v)
        if depth and cols[1].button(t("drill.back_all"), key=f"{self.name}_back_all", width="stretch"):
            self.go()
            st.rerun()
        set_values = [v for v in self._values if v]
        if depth >= 2 and cols[2].button(t("drill.back_up"), key=f"{self.name}_back_up", width="stretch"):
            self.go(*set_values[:-1])
            st.rerun()
