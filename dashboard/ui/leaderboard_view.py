"""Drawing helpers for the leaderboards and morning-check pages: display tables
(SPEC display conventions: ¥ 万/亿, % with one decimal, ↑3 / ↓2 / 新), export
headers, the Pareto chart and the phone-width lists of the morning check (the
drill-down state is dashboard/ui/drill.py). Values come computed from the metrics; nothing
here computes a number."""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..columns import kind_of, label_key
from ..runtime.cache import DISPLAYS
from . import format as fmt
from .components import style_figure
from .i18n import language, t
from .plain import html_labels


def header(column: str) -> str:
    """A column's label in the user's language, from its declaration (dashboard/columns.py)."""
    return t(label_key(column))


def headers(columns) -> dict[str, str]:
    """Column → label in the user's language (tables and exports alike)."""
    return {c: header(c) for c in columns}


def _shown(column: str, values) -> list:
    if column == "role":
        return [t(f"lb.role.{v}") if isinstance(v, str) else "—" for v in values]
    return fmt.shown(kind_of(column), values)


def display_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns, formatted for reading and labelled in the user's
    language; formatted once per content and language (runtime.cache.DISPLAYS),
    since a rerun that changed nothing in a table shows the same text."""
    source = df[list(columns)]
    return DISPLAYS.get(source, language(), lambda: pd.DataFrame({header(c): _shown(c, source[c]) for c in columns}))


# A ranking shows its top: HQ's thousands of guides are one export (or one
# drill-down) away, and formatting and sending all of them cost every rerun.
TOP_ROWS = 500


def top_table(df: pd.DataFrame, columns: list[str], key: str, rows: int = TOP_ROWS):
    """The first `rows` rows of a ranked table, saying how many there are in all."""
    if len(df) > rows:
        st.caption(t("lb.guides_top", shown=rows, total=len(df)))
    return table(df.head(rows), columns, key=key)


def table(df: pd.DataFrame, columns: list[str], key: str, select: bool = False, height="auto"):
    """A read-only table; with `select`, single-row selection that reruns the page."""
    kwargs = dict(on_select="rerun", selection_mode="single-row") if select else {}
    return st.dataframe(display_frame(df, columns), hide_index=True, key=key, height=height, **kwargs)


# --- what the leaderboards page shows -----------------------------------------------------

REGION_COLUMNS = ["region", "sales", "wemall_sales", "pos_sales", "orders", "share"]
STORE_COLUMNS = ["rank", "rank_change", "store_name", "store_id", "region", "sales", "sales_pop", "sales_yoy",
                 "wemall_sales", "wemall_rank", "wemall_rank_change", "pos_sales", "orders", "aov", "attainment"]
GUIDE_COLUMNS = ["rank", "rank_change", "guide_name", "guide_id", "store_name", "store_id", "role", "left_on",
                 "sales", "sales_pop", "sales_yoy", "wemall_sales", "orders", "aov", "attainment"]


def exports(df: pd.DataFrame, columns: list[str], name: str, view, audit: dict | None = None, key: str | None = None):
    """Excel and CSV download buttons for `columns` of `df`, audited for `view`'s user."""
    from .downloads import download_buttons
    download_buttons(df[columns], headers(columns), name, view.username,
                     audit or {"period": view.period, "filters": view.filters.key()}, key=key or name,
                     labels=(t("lb.export_xlsx"), t("lb.export_csv")), language=language())


def concentration_text(c) -> str:
    """The concentration sentence from one guide-concentration row (numbers are
    ours, not data: safe as markdown)."""
    return t("lb.concentration_text", top_pct=fmt.pct(c["top_share"]), top=int(c["top_guides"]),
             n=int(c["guides"]), share=fmt.pct(c["concentration"]))


# --- charts -----------------------------------------------------------------------------

CURVE_POINTS = 600  # a line of thousands of guides looks the same drawn through 600 of them


def thinned(curve: pd.DataFrame, points: int = CURVE_POINTS) -> pd.DataFrame:
    """At most `points` rows of a monotone curve, evenly spaced, always keeping
    its first and last: what the browser receives (and what hover names)."""
    if len(curve) <= points:
        return curve
    step = (len(curve) - 1) / (points - 1)
    return curve.iloc[sorted({round(i * step) for i in range(points)})]


def pareto_figure(curve: pd.DataFrame, top_share: float | None = None) -> go.Figure:
    """The Pareto curve of guide-pareto, with a line at `top_share` (the
    guide-concentration metric's top_share column: SPEC's 10%)."""
    curve = thinned(curve)
    fig = go.Figure()
    fig.add_scatter(x=curve["guide_share"], y=curve["wemall_share"], mode="lines", name=t("lb.pareto"),
                    line=dict(color="#f58518", width=3), customdata=html_labels(curve["guide_name"].fillna("")),
                    hovertemplate="%{x:.1%} → %{y:.1%}<br>%{customdata}<extra></extra>")
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#999", dash="dot"),
                    hoverinfo="skip", showlegend=False)
    if top_share is not None and not pd.isna(top_share):
        fig.add_vline(x=float(top_share), line=dict(color="#d62728", dash="dash", width=1))
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


def attention_html(text: str) -> str:
    return f'<div class="mc-att">{html.escape(text)}</div>'


def attention_block(texts) -> None:
    """Several attention items in one element: a region's morning check lists
    hundreds, and each element of its own costs the rerun ~0.5 ms."""
    if texts:
        st.markdown("".join(attention_html(x) for x in texts), unsafe_allow_html=True)


def attention_items(rows: pd.DataFrame) -> None:
    """The rows of morning-attention, each reason code in the user's words."""
    texts = []
    for r in rows.itertuples(index=False):
        if r.reason == "fell_5_places":  # fell by ≥ the threshold in force (r.fall_places)
            why = t("mc.reason.fell_5_places", places=-int(r.rank_change), detail=r.detail, threshold=r.fall_places)
        else:
            why = t("mc.reason.no_sales") + " · " + (t("mc.last_sale", day=r.detail) if r.detail else t("mc.never_sold"))
        texts.append(f"{r.store_name}（{r.store_id}）：{why}")
    attention_block(texts)


def movers_panel(moved: pd.DataFrame) -> None:
    """Risers and fallers side by side, from the morning-movers metric."""
    for col, direction in zip(st.columns(2), ("riser", "faller")):
        with col:
            st.markdown(f"**{t('mc.risers' if direction == 'riser' else 'mc.fallers')}**")
            rows = moved[moved["direction"] == direction]
            if rows.empty:
                st.caption(t("mc.none"))
            else:
                ranked_list(rows, "rank", "sales", "rank_change", test_id=direction + "s")


def by_rank(df: pd.DataFrame, rank_col: str, id_col: str = "store_id") -> pd.DataFrame:
    """Rows in the order of another rank column (ties by id, as SPEC ranks)."""
    return df.sort_values([rank_col, id_col], kind="stable")
