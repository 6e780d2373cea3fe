"""Drawing the live-streams page (直播) and its morning-check panel. Every
number comes from a registered metric (live-tail, live-curve,
live-median-curve, live-tail-brands, live-guides, live-stores, live-compare,
morning-lives); nothing here computes one. Titles, names and brands are data:
plain text in tables and widgets, escaped in our HTML and in Plotly labels.

A session's detail is kept in the URL as `live=<live_id>`; only a live among
the sessions on screen (in the user's scope and the period) opens."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..app_context import run_metric
from .downloads import download_buttons
from . import format as fmt
from . import drill as drill_state
from . import leaderboard_view as lv
from .components import money_axis, show_chart, style_figure
from .i18n import language, t
from .plain import html_text, md

URL_KEY = "live"
BAND = (2.0, 3.0)
LIVE_COLOUR, TAIL_COLOUR, MEDIAN_COLOUR = "#4c78a8", "#f58518", "#7f7f7f"
SESSION_COLS = ["title", "started_at", "host_store_name", "live_sales", "tail_sales", "tail_multiple", "viewers",
                "invite_watch_rate", "return_rate", "cost", "roi", "live_id", "brand", "host_store_id"]
SORTABLE = ["started_at", "live_sales", "tail_sales", "tail_multiple", "viewers", "invite_watch_rate",
            "return_rate", "cost", "roi"]
RUNNING_COLS = ["title", "ended_at", "hours_remaining", "live_sales", "tail_sales", "tail_multiple", "viewers",
                "live_id"]
INVITER_COLS = {"guide": ["rank", "guide_name", "store_name", "invited", "invited_watched", "invite_watch_rate",
                          "watched_sales", "watched_tail_sales", "watched_buyers", "guide_id"],
                "store": ["rank", "store_name", "invited", "invited_watched", "invite_watch_rate", "watched_sales",
                          "watched_tail_sales", "watched_buyers", "store_id"]}


def sessions_period(view):
    """The page's sessions: the period, or the 30 days ending on its last day
    when it is shorter (a day rarely holds a complete live)."""
    return view.period.at_least(30)


def split(facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(complete, in progress): never ranked or averaged together."""
    done = facts["complete"].astype(str) == "true"
    return facts[done].reset_index(drop=True), facts[~done].reset_index(drop=True)


def _label(row) -> str:
    return f"{pd.Timestamp(row['started_at']):%m-%d} {row['title']}"


def _export(df, columns, name, view):
    download_buttons(df[columns], lv.headers(columns), name, view.username,
                     {"period": sessions_period(view), "filters": view.filters.key()}, key=name,
                     labels=(t("live.export_xlsx"), t("live.export_csv")), language=language())


# --- sessions ------------------------------------------------------------------------------

def sessions_panel(view, facts: pd.DataFrame):
    """Complete sessions, sortable and exportable, with the 2–3× band chart.
    Returns the live_id picked in the table (None when no new pick)."""
    st.subheader(t("live.sessions"))
    if facts.empty:
        st.info(t("live.none"))
        return None
    done, _ = split(facts)
    if done.empty:
        st.info(t("live.none_complete"))
        return None
    st.caption(t("live.sessions_hint"))
    left, right = st.columns([3, 1])
    by = left.selectbox(t("live.sort_by"), SORTABLE, index=SORTABLE.index("tail_multiple"),
                        format_func=lv.header, key="live_sort")
    desc = right.toggle(t("live.descending"), value=True, key="live_desc")
    ordered = done.sort_values([by, "live_id"], ascending=[not desc, True], na_position="last",
                               kind="stable").reset_index(drop=True)
    key = f"live_sessions_{by}_{desc}"
    event = lv.table(ordered, SESSION_COLS, key=key, select=True)
    changed, value = drill_state.picked(event, ordered, "live_id", key)
    _export(ordered, SESSION_COLS, "live_sessions", view)
    st.markdown("**" + md(t("live.band_chart")) + "**")
    show_chart(band_figure(done), key="live_band")
    return value if changed else None


def band_figure(done: pd.DataFrame) -> go.Figure:
    """Each complete session's tail multiple at its start time, over the 2–3× band."""
    values = done["tail_multiple"]
    colours = [TAIL_COLOUR if pd.notna(v) and BAND[0] <= v <= BAND[1] else
               (fmt.down_colour() if pd.notna(v) and v < BAND[0] else fmt.up_colour()) for v in values]
    fig = go.Figure()
    fig.add_hrect(y0=BAND[0], y1=BAND[1], fillcolor=TAIL_COLOUR, opacity=0.15, line_width=0,
                  annotation_text=html_text(t("live.band")), annotation_position="top left")
    fig.add_scatter(x=done["started_at"], y=values, mode="markers", marker=dict(size=11, color=colours),
                    customdata=[[html_text(_label(r)), fmt.number(r["tail_multiple"]), fmt.money(r["live_sales"])]
                                for _, r in done.iterrows()],
                    hovertemplate="%{customdata[0]}<br>" + html_text(t("col.tail_multiple"))
                    + ": %{customdata[1]}×<br>" + html_text(t("col.live_sales")) + ": %{customdata[2]}<extra></extra>")
    fig.update_xaxes(tickformat="%m-%d", nticks=8)
    fig.update_yaxes(title=html_text(t("col.tail_multiple")), rangemode="tozero")
    fig.update_layout(showlegend=False)
    return style_figure(fig, height=280)


def in_progress_panel(facts: pd.DataFrame) -> None:
    _, running = split(facts)
    if running.empty:
        return
    st.subheader(t("live.in_progress"))
    st.caption(t("live.in_progress_hint"))
    lv.table(running, RUNNING_COLS, key="live_running")


# --- the chosen session ----------------------------------------------------------------------

def pick_key(wanted: str | None) -> str:
    """The selector's key, named after the session the URL holds. Its value
    comes from `index` alone, never from session state: after a reload a
    browser may report a widget's earlier value for a key it already knows
    (seen as a run with "" that cleared a shared link's live=), and a fresh
    key per URL value leaves it nothing stale to report."""
    return f"live_pick_{wanted or ''}"


def chosen_live(facts: pd.DataFrame, picked=None):
    """The session in the URL (live=ID, the one truth) if it is on screen; a
    pick in the table or the selector writes the URL. Returns its live-tail
    row or None."""
    qp = st.query_params
    ids = list(facts["live_id"])
    if picked is not None and picked in ids:
        qp[URL_KEY] = picked
    wanted = qp.get(URL_KEY)
    if wanted and wanted not in ids:
        st.warning(t("live.not_found"))
        del qp[URL_KEY]
        wanted = None
    labels = {r["live_id"]: _label(r) for _, r in facts.iterrows()}
    options = [""] + ids
    key = pick_key(wanted)
    st.selectbox(t("live.pick"), options, index=options.index(wanted or ""), key=key,
                 on_change=drill_state.url_from_widget, args=(key, URL_KEY), format_func=lambda v: labels.get(v, t("live.pick_none")))
    return facts[facts["live_id"] == wanted].iloc[0] if wanted else None


def _stats(pairs) -> None:
    """Label/value cards in a grid: four a row on a desktop, two on a phone."""
    cards = "".join(f'<div class="kpi-card"><div class="kpi-label">{html_text(label)}</div>'
                    f'<div class="kpi-value">{html_text(value)}</div></div>' for label, value in pairs)
    st.markdown('<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));'
                f'column-gap:12px">{cards}</div>', unsafe_allow_html=True)


def detail_panel(view, row) -> None:
    """Curve (live and tail apart, the median session as reference), the
    tail by brand, guides and stores by invited members who watched."""
    st.subheader(t("live.detail") + " · " + md(row["title"]))
    host = t("live.host_hq") if pd.isna(row["host_store_id"]) else f"{t('live.host_store')} · {row['host_store_name']}"
    st.caption(md(f"{row['live_id']} · {row['brand']} · {host} · {pd.Timestamp(row['started_at']):%Y-%m-%d %H:%M}"
                  f"–{pd.Timestamp(row['ended_at']):%H:%M}"))
    if row["complete"] != "true":
        st.warning(t("live.hours_left", hours=fmt.number(row["hours_remaining"], 1)) + " · " + t("live.in_progress_hint"))
    stats = [("live_sales", fmt.money), ("tail_sales", fmt.money), ("tail_multiple", fmt.number),
             ("roi", fmt.number), ("viewers", fmt.count), ("invite_watch_rate", fmt.pct), ("return_rate", fmt.pct),
             ("cost", fmt.money)]
    _stats([(t(f"col.{name}"), show(row[name])) for name, show in stats])
    period = sessions_period(view)
    curve = run_metric("live-curve", view, period=period, live=row["live_id"])
    median = run_metric("live-median-curve", view, period=period)
    st.markdown("**" + md(t("live.curve")) + "**")
    st.caption(t("live.curve_hint"))
    show_chart(curve_figure(curve, median), key="live_curve")

    st.markdown("**" + md(t("live.tail_brands")) + "**")
    brands = run_metric("live-tail-brands", view, period=period, live=row["live_id"])
    if brands.empty:
        st.caption(t("live.tail_none"))
    else:
        lv.table(brands, ["brand", "tail_sales", "orders", "share_of_tail"], key="live_brands")

    st.markdown("**" + md(t("live.inviters")) + "**")
    st.caption(t("live.inviters_hint"))
    for tab, level in zip(st.tabs([t("live.by_guide"), t("live.by_store")]), ("guide", "store")):
        with tab:
            board = run_metric(f"live-{level}s", view, period=period, live=row["live_id"])
            if board.empty:
                st.caption(t("live.no_invites"))
                continue
            lv.table(board, INVITER_COLS[level], key=f"live_{level}s")
            _export(board, INVITER_COLS[level], f"live_{row['live_id']}_{level}s", view)


def curve_figure(curve: pd.DataFrame, median: pd.DataFrame) -> go.Figure:
    """Cumulative sales on hours since the end: the live part (≤ 0) and the
    tail (1..72) in two colours, the median complete session dashed."""
    shown = curve[curve["elapsed"] == "true"]
    divisor, title = money_axis(pd.concat([curve["cumulative"], median["median_cumulative"]]))
    fig = go.Figure()
    live = shown[shown["part"] == "live"]
    tail = pd.concat([live.tail(1), shown[shown["part"] == "tail"]])  # the tail line starts where the live ends
    for part, name, colour in ((live, t("live.curve_live"), LIVE_COLOUR), (tail, t("live.curve_tail"), TAIL_COLOUR)):
        fig.add_scatter(x=part["hours_since_end"], y=part["cumulative"] / divisor, mode="lines+markers"
                        if part is live else "lines", name=html_text(name), line=dict(color=colour, width=3),
                        customdata=[fmt.money(v) for v in part["cumulative"]],
                        hovertemplate="%{x} h: %{customdata}<extra></extra>")
    if not median.empty:
        fig.add_scatter(x=median["hours_since_end"], y=median["median_cumulative"] / divisor, mode="lines",
                        name=html_text(t("live.curve_median")), line=dict(color=MEDIAN_COLOUR, dash="dash"),
                        customdata=[fmt.money(v) for v in median["median_cumulative"]],
                        hovertemplate="%{x} h: %{customdata}<extra></extra>")
    fig.add_vline(x=0, line=dict(color="#999", dash="dot", width=1))
    fig.update_xaxes(title=html_text(t("live.curve_x")))
    fig.update_yaxes(title=html_text(title), rangemode="tozero")
    return style_figure(fig, height=320)


# --- compare -----------------------------------------------------------------------------------

COMPARE_COLS = ["compare_value", "lives", "live_sales", "tail_sales", "tail_multiple", "median_tail_multiple",
                "roi", "in_progress"]
PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]


def compare_panel(view, facts: pd.DataFrame) -> None:
    st.subheader(t("live.compare"))
    st.caption(t("live.compare_hint"))
    done, _ = split(facts)
    table = run_metric("live-compare", view, period=sessions_period(view))
    if done.empty or table.empty:
        st.info(t("live.none_complete"))
        return
    done = done.assign(host=["hq" if pd.isna(h) else "store" for h in done["host_store_id"]])
    for tab, by in zip(st.tabs([t("live.by_brand"), t("live.by_host")]), ("brand", "host")):
        with tab:
            show_chart(scatter_figure(done, by), key=f"live_compare_{by}")
            rows = table[table["compare_by"] == by].copy()
            if by == "host":
                rows["compare_value"] = [t(f"live.host.{v}") for v in rows["compare_value"]]
            lv.table(rows, COMPARE_COLS, key=f"live_compare_table_{by}")


def scatter_figure(done: pd.DataFrame, by: str) -> go.Figure:
    divisor, title = money_axis(done["live_sales"])
    fig = go.Figure()
    fig.add_hrect(y0=BAND[0], y1=BAND[1], fillcolor=TAIL_COLOUR, opacity=0.10, line_width=0)
    for i, (value, g) in enumerate(done.groupby(by, sort=True)):
        name = t(f"live.host.{value}") if by == "host" else str(value)
        fig.add_scatter(x=g["live_sales"] / divisor, y=g["tail_multiple"], mode="markers", name=html_text(name),
                        marker=dict(size=10, color=PALETTE[i % len(PALETTE)], opacity=0.85),
                        customdata=[[html_text(_label(r)), fmt.money(r["live_sales"]), fmt.number(r["tail_multiple"])]
                                    for _, r in g.iterrows()],
                        hovertemplate="%{customdata[0]}<br>%{customdata[1]} · %{customdata[2]}×<extra></extra>")
    fig.update_xaxes(title=html_text(t("live.compare_x") + " (" + title + ")"), rangemode="tozero")
    fig.update_yaxes(title=html_text(t("live.compare_y")), rangemode="tozero")
    return style_figure(fig, height=320)


# --- morning check -------------------------------------------------------------------------

def morning_panel(view) -> None:
    """Lives that ended in the last 72 hours: tail so far against the median
    complete session at the same hour (metric morning-lives)."""
    lives = run_metric("morning-lives", view)
    st.subheader(t("live.mc_title"))
    if lives.empty:
        st.caption(t("live.mc_none"))
        return
    for r in lives.itertuples(index=False):
        gap = (r.tail_multiple_so_far - r.median_tail_multiple
               if pd.notna(r.tail_multiple_so_far) and pd.notna(r.median_tail_multiple) else None)
        colour = fmt.delta_colour(gap)  # ahead of the median in the rise colour, behind in the fall colour
        text = t("live.mc_item", title=r.title, hours=int(r.hours_since_end), tail=fmt.money(r.tail_so_far),
                 multiple=fmt.number(r.tail_multiple_so_far), median=fmt.number(r.median_tail_multiple))
        st.markdown(f'<div class="mc-att" style="border-left-color:{colour}" data-live="{html_text(r.live_id)}">'
                    f'{html_text(text)}</div>', unsafe_allow_html=True)
