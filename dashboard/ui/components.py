"""Drawing helpers shared by pages: KPI cards, charts with the house style, tables.
They take already-computed values; no SQL, no metric logic."""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from . import format as fmt
from .i18n import language, t
from .plain import html_labels, html_text

POS_COLOUR, WEMALL_COLOUR = "#4c78a8", "#f58518"


def _delta_line(label: str, value) -> str:
    colour = fmt.delta_colour(value)
    return (f'<span style="color:#666">{html.escape(label)}</span> '
            f'<span style="color:{colour};font-weight:600">{html.escape(fmt.arrow(value))}</span>')


def kpi_card(label: str, value_text: str, pop=None, yoy=None, test_id: str = "") -> None:
    """One KPI: big value, 环比 and 同比 arrows in the user's rise/fall colours."""
    deltas = [_delta_line(t("kpi.pop"), pop), _delta_line(t("kpi.yoy"), yoy)]
    st.markdown(
        f'<div class="kpi-card" data-kpi="{html.escape(test_id)}">'
        f'<div class="kpi-label">{html.escape(label)}</div>'
        f'<div class="kpi-value">{html.escape(value_text)}</div>'
        f'<div class="kpi-deltas">{" &nbsp; ".join(deltas)}</div></div>',
        unsafe_allow_html=True)


CARD_CSS = """
<style>
.kpi-card {border:1px solid rgba(128,128,128,.25); border-radius:8px; padding:8px 12px; margin-bottom:8px;}
.kpi-label {font-size:.85rem; color:#666;}
.kpi-value {font-size:1.45rem; font-weight:700; line-height:1.3; white-space:nowrap;}
.kpi-deltas {font-size:.8rem;}
</style>
"""


def page_style() -> None:
    st.markdown(CARD_CSS, unsafe_allow_html=True)


# The house style, set property by property: Figure.update_layout parses every
# nested key as a path and re-dispatches it (2.5-8 ms a call on a figure with
# data, several calls a chart); plain property sets give the same layout (a
# test compares the two) in a tenth of that.
HOUSE_LAYOUT = {
    "margin": {"l": 8, "r": 8, "t": 28, "b": 8},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
    "font": {"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
}
MODEBAR = {"remove": ["lasso2d", "select2d"]}


def set_layout(fig: go.Figure, **properties) -> go.Figure:
    """Top-level layout properties set directly. Each replaces that property
    whole (update_layout would merge into it): set a property here before any
    part of it is set elsewhere."""
    layout = fig.layout
    for name, value in properties.items():
        layout[name] = value
    return fig


def style_figure(fig: go.Figure, height: int = 320) -> go.Figure:
    return set_layout(fig, height=height, **HOUSE_LAYOUT)


def ready_figure(fig: go.Figure) -> go.Figure:
    """The figure as show_chart shows it. A figure kept between reruns is made
    ready once, so that showing it never changes it (sessions share it)."""
    # Streamlit 1.50 takes Plotly's config only through deprecated **kwargs: pass none.
    return set_layout(fig, modebar=MODEBAR)


def show_chart(fig: go.Figure, key: str, on_select="ignore", selection_mode=("points",)):
    if fig.layout.modebar.remove != tuple(MODEBAR["remove"]):  # not made ready yet (ready_figure)
        ready_figure(fig)
    return st.plotly_chart(fig, use_container_width=True, key=key, on_select=on_select,
                           selection_mode=selection_mode)


def money_axis(values: pd.Series) -> tuple[float, str]:
    """Divisor and axis title for money: ¥万 / ¥亿 in Chinese (Plotly knows only
    K/M/B), ¥ with Plotly's own SI suffixes in English."""
    if language() != "zh":
        return 1.0, "¥"
    top = float(values.max()) if len(values) else 0.0
    if top >= 1e8:
        return 1e8, t("chart.yi_yuan")
    if top >= 1e4:
        return 1e4, t("chart.wan_yuan")
    return 1.0, t("chart.yuan")


def _money_bars(fig: go.Figure, x, df: pd.DataFrame, hover_x: str, customdata=None) -> go.Figure:
    """x: days, or category labels already escaped (plain.html_labels); customdata is escaped here."""
    divisor, title = money_axis(df["pos_sales"] + df["wemall_sales"])
    if customdata is not None:
        customdata = html_labels(customdata)
    for col, name, colour in (("pos_sales", t("ov.channel.pos"), POS_COLOUR),
                              ("wemall_sales", t("ov.channel.wemall"), WEMALL_COLOUR)):
        shown = [fmt.money(v) for v in df[col]]
        fig.add_bar(x=x, y=df[col] / divisor, name=name, marker_color=colour,
                    customdata=list(zip(shown, customdata if customdata is not None else shown)),
                    hovertemplate=hover_x + "<br>" + html_text(name) + ": %{customdata[0]}<extra></extra>")
    fig.update_layout(barmode="stack", xaxis_title=None, yaxis_title=title)
    return fig


def trend_chart(df: pd.DataFrame) -> go.Figure:
    return style_figure(_money_bars(go.Figure(), df["day"], df, "%{x|%Y-%m-%d}"))


def bar_by_category(df: pd.DataFrame, category: str, label_col: str | None = None) -> go.Figure:
    """Stacked POS/WeMall bars by a category; ids stay on a category axis (never numeric).
    The names are data: escaped, since Plotly renders <a>, <b>, <br> in tick and hover text."""
    labels = html_labels(df[label_col or category].astype(str))
    fig = _money_bars(go.Figure(), labels, df, "%{x}", customdata=list(df[category].astype(str)))
    fig.update_xaxes(type="category")
    return style_figure(fig)
