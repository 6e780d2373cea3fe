"""Drawing helpers for the leaderboards and morning-check pages: display tables
(SPEC display conventions: ¥ 万/亿, % with one decimal, ↑3 / ↓2 / 新), export
headers, the drill-down selection state, the Pareto chart and the phone-width
lists of the morning check. Values come computed from the metrics; nothing
here computes a number."""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..columns import kind_of, label_key
from . import format as fmt
from .components import style_figure
from .i18n import t
from .plain import html_labels


def header(column: str) -> str:
    """A column's label in the user's language, from its declaration (dashboard/columns.py)."""
    return t(label_key(column))


def headers(columns) -> dict[str, str]:
    """Column → label in the user's language (tables and exports alike)."""
    return {c: header(c) for c in columns}


def _show(column: str, value):
    if column == "role":
        return t(f"lb.role.{value}") if isinstance(value, str) else "—"
    return fmt.show(kind_of(column), value)


def display_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns, formatted for reading and labelled in the user's language."""
    out = pd.DataFrame({header(c): [_show(c, v) for v in df[c]] for c in columns})
    return out


def table(df: pd.DataFrame, columns: list[str], key: str, select: bool = False, height="auto"):
    """A read-only table; with `select`, single-row selection that reruns the page."""
    kwargs = dict(on_select="rerun", selection_mode="single-row") if select else {}
    return st.dataframe(display_frame(df, columns), hide_index=True, key=key, height=height, **kwargs)


# --- drill-down state -------------------------------------------------------------------

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


def nonce(name: str = "_lb_nonce") -> int:
    return st.session_state.get(name, 0)


def bump_nonce(name: str = "_lb_nonce") -> None:
    """New widget keys: forget the tables' selections after a jump up the path."""
    st.session_state[name] = nonce(name) + 1


# --- charts -----------------------------------------------------------------------------

def pareto_figure(curve: pd.DataFrame, top_share: float | None = None) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=curve["guide_share"], y=curve["wemall_share"], mode="lines", name=t("lb.pareto"),
                    line=dict(color="#f58518", width=3), customdata=html_labels(curve["guide_name"].fillna("")),
                    hovertemplate="%{x:.1%} → %{y:.1%}<br>%{customdata}<extra></extra>")
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#999", dash="dot"),
                    hoverinfo="skip", showlegend=False)
    fig.add_vline(x=0.1, line=dict(color="#d62728", dash="dash", width=1))
    fig.update_layout(showlegend=False, xaxis_title=t("lb.pareto_x"), yaxis_title=t("lb.pareto_y"))
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return style_figure(fig, height=300)


# --- phone-width pieces of the morning check -------------------------------------------

PHONE_CSS = """
<style>
.mc-list {width:100%; table-layout:fixed; border-collapse:collapse; font-size:.92rem;}
.mc-list td {padding:4px 2px; border-bottom:1px solid rgba(128,128,128,.18);
             overflow:hidden; text-overflow:ellipsis; white-space:nowrap;}
.mc-list td.rk {width:2.2em; color:#666;}
.mc-list td.val {width:6.2em; text-align:right;}
.mc-list td.chg {width:3.4em; text-align:right; font-weight:600;}
.mc-card {border:1px solid rgba(128,128,128,.25); border-radius:8px; padding:8px 12px; margin-bottom:8px;}
.mc-card .lbl {font-size:.85rem; color:#666;}
.mc-card .val {font-size:1.5rem; font-weight:700;}
.mc-card .dl {font-size:.82rem;}
.mc-att {margin:0 0 6px 0; padding:6px 10px; border-left:3px solid #f58518; background:rgba(245,133,24,.06);
         overflow-wrap:anywhere;}
</style>
"""


def phone_style() -> None:
    st.markdown(PHONE_CSS, unsafe_allow_html=True)


def _delta(label: str, value) -> str:
    return (f'<span style="color:#666">{html.escape(label)}</span> '
            f'<span style="color:{fmt.delta_colour(value)};font-weight:600">{html.escape(fmt.arrow(value))}</span>')


def summary_card(label: str, value_text: str, vs_prev_day, vs_last_week, test_id: str = "") -> None:
    st.markdown(
        f'<div class="mc-card" data-mc="{html.escape(test_id)}"><div class="lbl">{html.escape(label)}</div>'
        f'<div class="val">{html.escape(value_text)}</div>'
        f'<div class="dl">{_delta(t("mc.vs_prev_day"), vs_prev_day)}<br>'
        f'{_delta(t("mc.vs_last_week"), vs_last_week)}</div></div>',
        unsafe_allow_html=True)


def ranked_list(df: pd.DataFrame, rank_col: str, value_col: str, change_col: str, test_id: str = "") -> None:
    """A narrow ranked list (rank, store, value, change) that fits 390 px: four
    fixed columns, long names cut with an ellipsis, no horizontal scroll."""
    rows = []
    for r in df.itertuples(index=False):
        change = getattr(r, change_col)
        colour = fmt.delta_colour(None if pd.isna(change) else change)
        rows.append(
            f'<tr><td class="rk">{html.escape(str(getattr(r, rank_col)))}</td>'
            f'<td>{html.escape(str(r.store_name))}</td>'
            f'<td class="val">{html.escape(fmt.money(getattr(r, value_col)))}</td>'
            f'<td class="chg" style="color:{colour}">{html.escape(fmt.rank_change(change))}</td></tr>')
    st.markdown(f'<table class="mc-list" data-mc="{html.escape(test_id)}">{"".join(rows)}</table>',
                unsafe_allow_html=True)


def attention_item(text: str) -> None:
    st.markdown(f'<div class="mc-att">{html.escape(text)}</div>', unsafe_allow_html=True)


def by_rank(df: pd.DataFrame, rank_col: str, id_col: str = "store_id") -> pd.DataFrame:
    """Rows in the order of another rank column (ties by id, as SPEC ranks)."""
    return df.sort_values([rank_col, id_col], kind="stable")


def movers(df: pd.DataFrame, change_col: str, n: int, up: bool) -> pd.DataFrame:
    """The n biggest risers (up) or fallers by a rank-change column; new entries
    (no previous rank) are neither."""
    moved = df[df[change_col].notna() & ((df[change_col] > 0) if up else (df[change_col] < 0))]
    return moved.sort_values([change_col, "rank", "store_id"], ascending=[not up, True, True], kind="stable").head(n)
