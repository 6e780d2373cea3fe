"""Drawing the WeMall sharing page (分享率) and its morning-check additions.
Every number comes from a registered metric (share-rate, share-trend,
share-heatmap, share-diagnosis, share-funnel, wemall-sources, wemall-by-hour,
morning-share, share-attention) through app_context.run_metric; here only
layout, labels and charts. Data values (names) reach HTML and Plotly escaped
(plain.html_text) and markdown escaped (plain.md)."""
from __future__ import annotations

import html
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..app_context import View, run_metric
from .downloads import download_buttons
from ..metrics.share_common import DIAGNOSES, DIAGNOSIS_KEYS
from . import format as fmt
from . import drill as drill_state
from . import leaderboard_view as lv
from ..runtime.cache import VIEW_VALUES
from .components import money_axis, page_style, ready_figure, set_layout, show_chart, style_figure
from .i18n import language, t
from .plain import html_text, md

NONCE = "_sh_nonce"
PICK = "sh_quadrant_pick"  # the quadrant radio's key, see quadrant_key
FIGURES = ["roster_days", "target_days", "share_rate", "shares", "wemall_sales", "sales_per_share"]
REGION_COLS = ["region", *FIGURES]
STORE_COLS = ["store_name", "store_id", "region", *FIGURES]
GUIDE_COLS = ["guide_name", "guide_id", "store_name", "store_id", *FIGURES, "diagnosis"]
QUADRANT_COLOURS = {"benchmark": "#d62728", "method": "#f58518", "motivation_high": "#4c78a8",
                    "motivation_low": "#7f7f7f"}
MAX_POINTS = 10000


def diagnosis_label(value) -> str:
    key = DIAGNOSIS_KEYS.get(value)
    return t(f"sh.diag.{key}") if key else "—"


def _display(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """lv.display_frame of a table, in the user's language. Not an
    st.cache_data: its key would be the frame itself, hashed on every rerun
    for about as long as formatting it now takes (format.shown is vectorised)."""
    shown = df[list(columns)].copy()
    if "diagnosis" in columns:
        shown["diagnosis"] = [diagnosis_label(v) for v in shown["diagnosis"]]
    return lv.display_frame(shown, list(columns))


def _table(df: pd.DataFrame, columns: list[str], key: str, select: bool = False):
    """lv.table (a read-only table; with `select`, single-row selection that reruns the page)."""
    kwargs = dict(on_select="rerun", selection_mode="single-row") if select else {}
    return st.dataframe(_display(df, tuple(columns)), hide_index=True, key=key, height="auto",
                        **kwargs)


def _export(view: View, df: pd.DataFrame, columns: list[str], name: str) -> None:
    shown = df[columns].copy()
    if "diagnosis" in columns:
        shown["diagnosis"] = [diagnosis_label(v) for v in shown["diagnosis"]]
    download_buttons(shown, lv.headers(columns), name, view.username,
                     {"period": view.period, "filters": view.filters.key()}, key=name,
                     labels=(t("sh.export_xlsx"), t("sh.export_csv")), language=language())


# --- drill-down: region → store → guide, kept in the URL (sh_region / sh_store) --------

@dataclass(frozen=True)
class Drill:
    view: View            # the view narrowed to the drill path (the scope never widens)
    region: str | None
    store: str | None
    store_name: str | None


def _narrowed(view: View, **kw) -> View:
    return replace(view, filters=replace(view.filters, **kw))


def _set_path(region=None, store=None) -> None:
    for k, v in (("sh_region", region), ("sh_store", store), ("sh_q", None)):
        drill_state.set_param(k, v)
    drill_state.bump_nonce(NONCE)


def drill(view: View) -> Drill:
    """Region and store tables (pick a row to go down), the path and the way back.
    A value from the URL counts only if it is among the rows the user may see."""
    qp = st.query_params
    n = drill_state.nonce(NONCE)
    regions = run_metric("share-rate", view, level="region")
    region = qp.get("sh_region") if qp.get("sh_region") in set(regions["region"]) else None
    with st.expander(t("sh.regions"), expanded=region is None):
        st.caption(t("sh.regions_hint"))
        key = f"sh_regions_{n}"
        changed, value = drill_state.picked(_table(regions, REGION_COLS, key, select=True), regions, "region", key)
        if changed and value and value != region:
            _set_path(region=value)
            st.rerun()
    store_view = _narrowed(view, regions=(region,)) if region else view
    stores = run_metric("share-rate", store_view, level="store")
    store = qp.get("sh_store") if qp.get("sh_store") in set(stores["store_id"]) else None
    names = dict(zip(stores["store_id"], stores["store_name"]))
    crumbs = st.columns([3, 1, 1])
    path = [t("sh.path_all")] + ([region] if region else []) + ([names[store]] if store else [])
    crumbs[0].markdown(f"**{md(t('sh.path'))}**: " + " › ".join(md(p) for p in path))
    if (region or store) and crumbs[1].button(t("sh.back_all"), key="sh_back_all", width="stretch"):
        _set_path()
        st.rerun()
    if store and region and crumbs[2].button(t("sh.back_region"), key="sh_back_region", width="stretch"):
        _set_path(region=region)
        st.rerun()
    st.subheader(md(t("sh.stores")) + (f" · {md(region)}" if region else ""), anchor=False)
    st.caption(t("sh.stores_hint"))
    key = f"sh_stores_{region}_{n}"
    changed, value = drill_state.picked(_table(stores, STORE_COLS, key, select=True), stores, "store_id", key)
    if changed and value and value != store:
        _set_path(region=region, store=value)
        st.rerun()
    _export(view, stores, STORE_COLS, "share_rate_stores")
    guide_view = _narrowed(store_view, stores=(store,)) if store else store_view
    return Drill(guide_view, region, store, names.get(store))


# --- summary cards and tables ------------------------------------------------------------

def _card(label: str, value: str, detail: str = "", test_id: str = "") -> None:
    st.markdown(
        f'<div class="kpi-card" data-sh="{html.escape(test_id)}"><div class="kpi-label">{html.escape(label)}</div>'
        f'<div class="kpi-value">{html.escape(value)}</div>'
        f'<div class="kpi-deltas">{html.escape(detail)}</div></div>', unsafe_allow_html=True)


def summary(view: View) -> None:
    page_style()
    total = run_metric("share-rate", view, level="total").iloc[0]
    cells = st.columns(4)
    with cells[0]:
        _card(t("sh.rate"), fmt.pct(total["share_rate"]),
              t("sh.rate_detail", target=fmt.count(total["target_days"]), roster=fmt.count(total["roster_days"])),
              "share_rate")
    with cells[1]:
        _card(t("sh.shares"), fmt.count(total["shares"]), "\u00a0", test_id="shares")
    with cells[2]:
        _card(t("sh.wemall"), fmt.money(total["wemall_sales"]), "\u00a0", test_id="wemall_sales")
    with cells[3]:
        _card(t("sh.per_share"), fmt.money(total["sales_per_share"]), "\u00a0", test_id="sales_per_share")


def guides_table(d: Drill) -> pd.DataFrame:
    guides = run_metric("share-rate", d.view, level="guide")
    where = d.store_name or d.region
    st.subheader(md(t("sh.guides")) + (f" · {md(where)}" if where else ""), anchor=False)
    _table(guides, GUIDE_COLS, key=f"sh_guides_{drill_state.nonce(NONCE)}")
    _export(d.view, guides, GUIDE_COLS, "share_rate_guides")
    return guides


# --- daily trend against the target -------------------------------------------------------

def trend(view: View) -> None:
    st.subheader(t("sh.trend"), anchor=False)
    df = run_metric("share-trend", view)
    target = float(df["target_rate"].iloc[0]) if len(df) else None
    fig = go.Figure()
    fig.add_scatter(x=df["day"], y=df["share_rate"], mode="lines+markers", name=t("sh.trend_rate"),
                    line=dict(color="#f58518", width=2), marker=dict(size=5),
                    customdata=[[fmt.pct(r), int(g), int(n)] for r, g, n in
                                zip(df["share_rate"], df["target_guides"], df["roster_guides"])],
                    hovertemplate="%{x|%Y-%m-%d}<br>%{customdata[0]} (%{customdata[1]}/%{customdata[2]})<extra></extra>")
    # The target line and its label set with the axis in one go (add_hline re-validates the layout).
    line = [] if target is None else [dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=target, y1=target,
                                           line=dict(color="#d62728", dash="dash", width=1.5))]
    label = [] if target is None else [dict(xref="x domain", yref="y", x=0, y=target, xanchor="left",
                                            yanchor="bottom", showarrow=False,
                                            text=html_text(t("sh.trend_target", rate=fmt.pct(target))))]
    set_layout(fig, shapes=line, annotations=label, showlegend=False, yaxis=dict(tickformat=".0%", range=[0, 1.05]))
    show_chart(style_figure(fig, height=280), key="sh_trend")


# --- guides × days heatmap ----------------------------------------------------------------

def heatmap(view: View, guides_total: int) -> None:
    st.subheader(t("sh.heatmap"), anchor=False)
    df = run_metric("share-heatmap", view)
    if df.empty:
        st.info(t("sh.heatmap_none"))
        return
    bounded = (df["heat_band"] != "all").any()
    listed = list(dict.fromkeys(df["guide_id"]))
    st.caption(t("sh.heatmap_bounded", n=len(listed) // 2, total=guides_total) if bounded
               else t("sh.heatmap_all", n=len(listed)))
    names = dict(zip(df["guide_id"], df["guide_name"]))
    days = sorted(set(df["day"]))
    z = pd.DataFrame(index=listed, columns=days, dtype=float)
    n = pd.DataFrame(index=listed, columns=days, dtype=object)
    for r in df.itertuples(index=False):
        z.at[r.guide_id, r.day] = 1.0 if str(r.met_target) == "true" else 0.0
        n.at[r.guide_id, r.day] = int(r.shares)
    labels = [html_text(f"{names[g]}（{g}）") for g in listed]
    fig = go.Figure(go.Heatmap(
        z=z.values, x=days, y=labels, zmin=0, zmax=1, showscale=False, xgap=1, ygap=1,
        colorscale=[[0, "#e6e6e6"], [0.5, "#e6e6e6"], [0.5, "#f58518"], [1, "#f58518"]],
        customdata=[["" if pd.isna(v) else v for v in row] for row in n.values.tolist()],
        hovertemplate="%{y}<br>%{x|%Y-%m-%d}: %{customdata}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(title=dict(text=html_text(f"■ {t('sh.heatmap_met')}  □ {t('sh.heatmap_missed')}"),
                                 font=dict(size=12)))
    show_chart(style_figure(fig, height=min(900, 90 + 22 * len(listed))), key="sh_heatmap")


# --- the diagnosis quadrant -----------------------------------------------------------------

def _quadrant_from_click(event, traces: list[str]) -> str | None:
    """The quadrant of a clicked dot, only when the selection changed."""
    if event is None:
        return None
    points = tuple((p.get("curve_number"), p.get("point_index", p.get("point_number")))
                   for p in event.selection.points)
    seen = st.session_state.get("_seen_sh_quadrant", ())
    st.session_state["_seen_sh_quadrant"] = points
    if points == seen or not points:
        return None
    curve = points[0][0]
    return traces[curve] if curve is not None and 0 <= curve < len(traces) else None


def quadrant_key(current: str | None) -> str:
    """The quadrant radio's key, named after the quadrant the URL holds (sh_q):
    its value comes from `index` alone, so a browser reporting an earlier
    value after a reload has no stale state to clear a shared link with."""
    return f"{PICK}_{current or ''}"


def _quadrant_figure(guides: pd.DataFrame, diag: pd.DataFrame) -> tuple[go.Figure, list[str]]:
    """The quadrant chart of the guides (up to MAX_POINTS, most WeMall sales
    first) and the quadrant key of each trace, ready to show (never changed
    afterwards: it is shared between reruns and sessions)."""
    counts = dict(zip(diag["diagnosis"], diag["guides"]))
    median = float(diag["median_wemall_sales"].iloc[0])
    target = float(diag["target_rate"].iloc[0])
    points = guides.sort_values("wemall_sales", ascending=False).head(MAX_POINTS)
    divisor, axis_title = money_axis(points["wemall_sales"])
    fig, traces = go.Figure(), []
    for value in DIAGNOSES:
        key = DIAGNOSIS_KEYS[value]
        mine = points[points["diagnosis"] == value]
        traces.append(key)
        fig.add_scatter(
            x=mine["share_rate"], y=mine["wemall_sales"] / divisor, mode="markers",
            name=html_text(t("sh.quadrant_count", name=diagnosis_label(value), n=counts.get(value, 0))),
            marker=dict(color=QUADRANT_COLOURS[key], size=8, opacity=0.75),
            # An object array, not a list of lists: Plotly validates it whole, not point by point.
            customdata=np.array(list(zip([html_text(f"{a}（{b}）") for a, b in zip(mine["guide_name"], mine["guide_id"])],
                                         fmt.shown("rate", mine["share_rate"]),
                                         fmt.shown("money", mine["wemall_sales"]))),
                                dtype=object).reshape(-1, 3),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} · %{customdata[2]}<extra></extra>")
    # The target and median lines, their label and the corner counts set in
    # one go (add_vline / add_hline / add_annotation re-validate the layout each).
    shapes = [dict(type="line", xref="x", yref="y domain", x0=target, x1=target, y0=0, y1=1,
                   line=dict(color="#d62728", dash="dash", width=1)),
              dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=median / divisor, y1=median / divisor,
                   line=dict(color="#555", dash="dot", width=1))]
    notes = [dict(xref="x domain", yref="y", x=0, y=median / divisor, xanchor="left", yanchor="top", showarrow=False,
                  text=html_text(t("sh.quadrant_median", value=fmt.money(median))))]
    corners = {"benchmark": (1, 1, "right", "top"), "method": (1, 0, "right", "bottom"),
               "motivation_high": (0, 1, "left", "top"), "motivation_low": (0, 0, "left", "bottom")}
    for value in DIAGNOSES:
        key = DIAGNOSIS_KEYS[value]
        x, y, xa, ya = corners[key]
        notes.append(dict(xref="paper", yref="paper", x=x, y=y, xanchor=xa, yanchor=ya, showarrow=False,
                          text=html_text(t("sh.quadrant_count", name=diagnosis_label(value), n=counts.get(value, 0))),
                          font=dict(color=QUADRANT_COLOURS[key], size=12), bgcolor="rgba(255,255,255,.7)"))
    y_title = (f"{t('sh.quadrant_y')}（{axis_title}）" if language() == "zh" else f"{t('sh.quadrant_y')} ({axis_title})")
    set_layout(fig, shapes=shapes, annotations=notes, showlegend=False,
               xaxis=dict(tickformat=".0%", range=[-0.03, 1.03], title=dict(text=t("sh.quadrant_x"))),
               yaxis=dict(title=dict(text=y_title)))
    return ready_figure(style_figure(fig, height=380)), traces


def quadrant(view: View, guides: pd.DataFrame) -> None:
    st.subheader(t("sh.quadrant"), anchor=False)
    diag = run_metric("share-diagnosis", view)
    if guides.empty:
        st.info(t("sh.quadrant_none"))
        return
    st.caption(t("sh.quadrant_hint"))
    counts = dict(zip(diag["diagnosis"], diag["guides"]))
    # Built once per view, period, settings and language (HQ's 6,900 dots take
    # about 40 ms to build), then shown as it is on every rerun that follows.
    fig, traces = VIEW_VALUES.get(f"sh_quadrant:{language()}", view, lambda: _quadrant_figure(guides, diag),
                                  by_period=True)
    event = show_chart(fig, key="sh_quadrant", on_select="rerun",
                       selection_mode="points")
    clicked = _quadrant_from_click(event, traces)
    qp = st.query_params
    keys = [DIAGNOSIS_KEYS[v] for v in DIAGNOSES]
    by_key = {DIAGNOSIS_KEYS[v]: v for v in DIAGNOSES}
    current = qp.get("sh_q") if qp.get("sh_q") in keys else None
    if clicked and clicked != current:
        qp["sh_q"] = current = clicked
    key = quadrant_key(current)
    pick = st.radio(t("sh.quadrant_pick"), keys, index=keys.index(current) if current else None, key=key,
                    horizontal=True, on_change=drill_state.url_from_widget, args=(key, "sh_q"),
                    format_func=lambda k: t("sh.quadrant_count", name=diagnosis_label(by_key[k]),
                                            n=counts.get(by_key[k], 0)))
    if pick:
        value = by_key[pick]
        mine = guides[guides["diagnosis"] == value]
        st.markdown("**" + md(t("sh.quadrant_list", name=diagnosis_label(value), n=len(mine))) + "**")
        _table(mine, GUIDE_COLS, key=f"sh_quadrant_list_{pick}")
        _export(view, mine, GUIDE_COLS, f"share_diagnosis_{pick}")


# --- funnel and sources ----------------------------------------------------------------

def funnel(view: View) -> None:
    st.subheader(t("sh.funnel"), anchor=False)
    f = run_metric("share-funnel", view).iloc[0]
    if str(f["has_visits"]) != "true":
        st.info(t("sh.funnel_none"))
        return
    stages = [t("sh.funnel_shares"), t("sh.funnel_visits"), t("sh.funnel_orders")]
    values = [int(f["shares"]), int(f["share_visits"]), int(f["share_orders"])]
    fig = go.Figure(go.Funnel(y=stages, x=values, text=[fmt.count(v) for v in values], textinfo="text",
                              marker=dict(color=["#4c78a8", "#f58518", "#d62728"]),
                              hovertemplate="%{y}: %{text}<extra></extra>"))
    show_chart(style_figure(fig, height=240), key="sh_funnel")
    st.caption(t("sh.funnel_caption", per=fmt.number(f["visits_per_share"]), conv=fmt.pct(f["visit_conversion"]),
                 sales=fmt.money(f["share_sales"])))


def sources(view: View) -> None:
    st.subheader(t("sh.sources"), anchor=False)
    df = run_metric("wemall-sources", view)
    src = df[df["dimension"] == "source"]
    labels = [t(f"sh.source.{v}") for v in src["value"]]
    left, right = st.columns([3, 2])
    with left:
        fig = go.Figure(go.Bar(x=src["share_of_wemall"].fillna(0), y=labels, orientation="h",
                               marker_color=["#f58518", "#4c78a8", "#54a24b", "#9d9d9d"],
                               text=[fmt.pct(v) for v in src["share_of_wemall"]], textposition="auto",
                               customdata=[fmt.money(v) for v in src["sales"]],
                               hovertemplate="%{y}: %{text} · %{customdata}<extra></extra>"))
        fig.update_xaxes(tickformat=".0%", range=[0, 1])
        fig.update_yaxes(autorange="reversed")
        show_chart(style_figure(fig, height=220), key="sh_sources")
    with right:
        page_style()
        for dim, label in (("cross_city", t("sh.cross_city")), ("off_hours", t("sh.off_hours"))):
            row = df[df["dimension"] == dim].iloc[0]
            _card(label, fmt.pct(row["share_of_wemall"]), fmt.money(row["sales"]), test_id=dim)
    by_hour(view)


def by_hour(view: View) -> None:
    st.markdown("**" + md(t("sh.by_hour")) + "**")
    df = run_metric("wemall-by-hour", view)
    divisor, axis_title = money_axis(df["wemall_sales"])
    inside = (df["wemall_sales"] - df["off_hours_sales"]).clip(lower=0)
    fig = go.Figure()
    for values, name, colour in ((inside, t("sh.hour_in"), "#4c78a8"),
                                 (df["off_hours_sales"], t("sh.hour_off"), "#d62728")):
        fig.add_bar(x=df["hour_of_day"], y=values / divisor, name=html_text(name), marker_color=colour,
                    customdata=[fmt.money(v) for v in values],
                    hovertemplate="%{x}:00 · " + html_text(name) + " %{customdata}<extra></extra>")
    fig.add_scatter(x=df["hour_of_day"], y=df["open_stores"], yaxis="y2", mode="lines", line_shape="hv",
                    name=html_text(t("sh.hour_open")), line=dict(color="#555", width=1.5),
                    hovertemplate="%{x}:00 · %{y}<extra></extra>")
    # The hours no store is open, shaded: the shapes add_vrect would add, set with the axes in
    # one go (add_vrect re-validates the layout once per shape).
    set_layout(fig, shapes=[dict(type="rect", xref="x", yref="y domain", x0=h - 0.5, x1=h + 0.5, y0=0, y1=1,
                                 fillcolor="rgba(0,0,0,.05)", line=dict(width=0), layer="below")
                            for h in df.loc[df["open_stores"] == 0, "hour_of_day"]],
               barmode="stack", yaxis=dict(title=dict(text=axis_title)),
               yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero",
                           title=dict(text=t("sh.hour_open"))),
               xaxis=dict(title=dict(text=t("sh.hour_x")), dtick=2, range=[-0.5, 23.5]))
    show_chart(style_figure(fig, height=300), key="sh_by_hour")


# --- the morning check ---------------------------------------------------------------------

TOP = 10


def _rate_rows(df: pd.DataFrame, test_id: str) -> None:
    rows = []
    for r in df.itertuples(index=False):
        below = pd.isna(r.share_rate) or r.share_rate < r.target_rate - 1e-12
        colour = fmt.down_colour() if below else fmt.up_colour()
        rows.append(f'<tr><td class="rk">{html.escape(str(r.rank))}</td><td>{html.escape(str(r.store_name))}</td>'
                    f'<td class="val" style="color:{colour}">{html.escape(fmt.pct(r.share_rate))}</td>'
                    f'<td class="chg">{int(r.target_days)}/{int(r.roster_days)}</td></tr>')
    st.markdown(f'<table class="mc-list" data-mc="{html.escape(test_id)}">{"".join(rows)}</table>',
                unsafe_allow_html=True)


def morning_panel(view: View) -> None:
    """Yesterday's share rate: the scope's total and each store ranked (phone width)."""
    df = run_metric("morning-share", view)
    st.subheader(t("shm.title"), anchor=False)
    total = df[df["row_level"] == "total"].iloc[0]
    stores = df[df["row_level"] == "store"]
    if not total["roster_days"]:
        st.caption(t("shm.none"))
        return
    detail = t("shm.detail", target=int(total["target_days"]), roster=int(total["roster_days"]), k=_k())
    st.markdown(
        f'<div class="mc-card" data-mc="share_rate"><div class="lbl">'
        f'{html.escape(t("shm.total", target=fmt.pct(total["target_rate"])))}</div>'
        f'<div class="val">{html.escape(fmt.pct(total["share_rate"]))}</div>'
        f'<div class="dl">{html.escape(detail)}'
        f'</div></div>', unsafe_allow_html=True)
    st.markdown("**" + md(t("shm.stores")) + "**")
    _rate_rows(stores.head(TOP), "share_top")
    if len(stores) > TOP:
        with st.expander(t("shm.show_all", n=len(stores))):
            _rate_rows(stores.iloc[TOP:], "share_rest")


def _k() -> int:
    from ..app_context import settings_in_force
    return int(settings_in_force()["share_k"])


def morning_attention(view: View) -> None:
    """'Needs attention': guides below the share target on their last 3 roster days."""
    df = run_metric("share-attention", view)
    def texts(rows):
        return [t("shm.attention", guide=r.guide_name, store=r.store_name, shares=int(r.shares))
                for r in rows.itertuples(index=False)]
    lv.attention_block(texts(df.head(TOP)))
    if len(df) > TOP:
        with st.expander(t("shm.attention_more", n=len(df) - TOP)):
            lv.attention_block(texts(df.iloc[TOP:]))
