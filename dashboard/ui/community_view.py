"""Drawing the community page (社群) and its morning-check panel. Every number
comes from a registered metric (dashboard/metrics/: community-overview,
community-trend, group-activity, community-changes, group-daily,
group-message-types, group-hours, koc, negative-messages, morning-community);
nothing here computes one.

Data values (group names, member ids, message text) are untrusted: they reach
the screen only as st.dataframe cells (plain text), through html.escape inside
our own HTML, or html-escaped in Plotly labels; never as markdown.
"""
from __future__ import annotations

import html
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..app_context import View, run_metric, settings_in_force
from .downloads import download_buttons
from ..period import Period
from ..runtime.cache import VIEW_VALUES
from . import format as fmt
from . import drill as drill_state
from . import leaderboard_view as lv
from .components import show_chart, style_figure
from .i18n import language, t
from .plain import html_text, md
from .settings_view import in_force_caption

URL_KEY = "grp"
THRESHOLDS = ["alive_members", "silent_days", "koc_window_days", "koc_active_days", "koc_repliers",
              "koc_referred_sales", "reply_window_minutes"]
NEGATIVE_DAYS = 30  # alerts are about recent messages: at most the last 30 days of the period
MEMBER_COLOUR, STAFF_COLOUR, BOT_COLOUR, LINE_COLOUR = "#4c78a8", "#f58518", "#9d9da1", "#d62728"


def _translated(df: pd.DataFrame) -> pd.DataFrame:
    """Our own codes (kind, category, message type, reason) in the user's language."""
    out = df.copy()
    for col, prefix in (("kind", "cm.kind"), ("category", "cm.category"), ("msg_type", "cm.msg_type"),
                        ("reason", "cm.reason")):
        if col in out.columns:
            out[col] = [t(f"{prefix}.{v}") if isinstance(v, str) and v else v for v in out[col]]
    if "members" in out.columns:  # group members here, not buying members
        out = out.rename(columns={"members": "group_members"})
    return out


def _cols(columns: list[str]) -> list[str]:
    return ["group_members" if c == "members" else c for c in columns]


def _table(df: pd.DataFrame, columns: list[str], key: str, select: bool = False):
    return lv.table(_translated(df), _cols(columns), key=key, select=select)


def _exports(df: pd.DataFrame, columns: list[str], name: str, view: View) -> None:
    shown = _translated(df)[_cols(columns)]
    download_buttons(shown, lv.headers(shown.columns), name, view.username,
                     {"period": view.period, "as_of": view.as_of, "filters": view.filters.key()}, key=name,
                     labels=(t("cm.export_xlsx"), t("cm.export_csv")), language=language(),
                     prepare_label=t("cm.prepare_xlsx"))  # workbooks of over 50 rows on a click, as everywhere


def thresholds() -> None:
    in_force_caption(settings_in_force(), THRESHOLDS)


# --- scope overview --------------------------------------------------------------------

GRID = ('<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));'
        'column-gap:12px;margin-bottom:4px">{}</div>')


def _card_html(label: str, value: str, test_id: str) -> str:
    return (f'<div class="kpi-card" data-cm="{html.escape(test_id)}"><div class="kpi-label">{html.escape(label)}'
            f'</div><div class="kpi-value">{html.escape(value)}</div></div>')


def _cards(cards: list[tuple[str, str, str]]) -> None:
    """Cards in a grid: four or more a row on a desktop, two on a phone."""
    st.markdown(GRID.format("".join(_card_html(*c) for c in cards)), unsafe_allow_html=True)


def overview(view: View) -> None:
    st.subheader(t("cm.overview"))
    st.caption(t("cm.as_of", day=view.as_of) + " · " + t("period.label", start=view.period.start, end=view.period.end))
    o = run_metric("community-overview", view).iloc[0]
    cards = [("groups", fmt.count), ("group_members", fmt.count), ("active_members", fmt.count),
             ("speaking_ratio", fmt.pct), ("alive_groups", fmt.count), ("silent_groups", fmt.count),
             ("member_messages", fmt.count), ("wemall_sales", fmt.money)]
    _cards([(t(f"cm.card.{name}"), show(o[name]), name) for name, show in cards])


def trend(view: View) -> None:
    st.subheader(t("cm.trend"))
    period = view.period.at_least(30)
    if period != view.period:
        st.caption(t("cm.trend_window", end=period.end, days=period.days))
    d = run_metric("community-trend", view, period=period)
    fig = go.Figure()
    fig.add_bar(x=d["day"], y=d["member_messages"], name=t("cm.series.member"), marker_color=MEMBER_COLOUR,
                opacity=0.55)
    fig.add_bar(x=d["day"], y=d["staff_messages"], name=t("cm.series.staff"), marker_color=STAFF_COLOUR, opacity=0.55)
    fig.add_scatter(x=d["day"], y=d["group_active_members"], name=t("cm.series.active"), mode="lines",
                    line=dict(color="#2ca02c", width=2))
    fig.add_scatter(x=d["day"], y=d["alive_groups"], name=t("cm.series.alive_groups"), mode="lines",
                    line=dict(color=LINE_COLOUR, width=2, dash="dot"), yaxis="y2")
    fig.update_layout(barmode="stack", yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero"))
    show_chart(style_figure(fig, height=300), key="cm_trend")


# --- groups ranked, and this week's changes --------------------------------------------

RANK_COLUMNS = ["activity_rank", "group_name", "group_id", "store_id", "members", "active_members",
                "speaking_ratio", "alive_days", "avg_active_members", "member_messages", "silent", "wemall_sales"]
SALES_COLUMNS = ["wemall_rank", "group_name", "group_id", "store_id", "wemall_sales", "members", "active_members",
                 "alive_days", "silent"]


def ranked(view: View) -> str | None:
    """Groups ranked by activity and by WeMall sales; a picked row opens its detail
    (kept in the URL). Returns the group picked now (or None)."""
    st.subheader(t("cm.ranked"))
    board = run_metric("group-activity", view)
    board = board[board["existing"] | (board["member_messages"] > 0)]
    if board.empty:
        st.info(t("cm.empty"))
        return None
    st.caption(t("cm.pick_group"))
    n = drill_state.nonce("_cm_nonce")
    by_activity, by_sales = st.tabs([t("cm.by_activity"), t("cm.by_sales")])
    picked = None
    for tab, order, columns, name in ((by_activity, "activity_rank", RANK_COLUMNS, "groups_by_activity"),
                                      (by_sales, "wemall_rank", SALES_COLUMNS, "groups_by_wemall")):
        with tab:
            rows = board.sort_values([order, "group_id"], kind="stable").reset_index(drop=True)
            key = f"cm_{name}_{n}"
            changed, value = drill_state.picked(_table(rows, columns, key=key, select=True), rows, "group_id", key)
            if changed and value:
                picked = value
            _exports(rows, columns, name, view)
    return picked


def changes(view: View) -> None:
    st.subheader(t("cm.changes"))
    week = Period(view.as_of - timedelta(days=view.as_of.weekday()), view.as_of)
    st.caption(t("period.label", start=week.start, end=week.end))
    df = run_metric("community-changes", view, period=week)
    if df.empty:
        st.success(t("cm.changes_none"))
        return
    _table(df, ["day", "reason", "group_name", "group_id", "store_id", "active_members", "prev_active_members",
                "last_member_message_on"], key="cm_changes")


# --- one group's detail ----------------------------------------------------------------

def open_group(view: View) -> str | None:
    """The group in the URL (?grp=ID), only if it is one of the view's groups."""
    wanted = st.query_params.get(URL_KEY)
    if not wanted:
        return None
    board = run_metric("group-activity", view)
    return wanted if wanted in set(board["group_id"]) else None


def set_group(group_id: str | None) -> None:
    drill_state.set_param(URL_KEY, group_id)
    drill_state.bump_nonce("_cm_nonce")


def _daily_figures(d: pd.DataFrame, alive_line: int) -> tuple[go.Figure, go.Figure]:
    flow = go.Figure()
    flow.add_scatter(x=d["day"], y=d["members"], name=t("cm.series.members"), mode="lines",
                     line=dict(color=MEMBER_COLOUR, width=2))
    flow.add_bar(x=d["day"], y=d["members_joined"], name=t("cm.series.joined"), marker_color="#2ca02c", yaxis="y2")
    flow.add_bar(x=d["day"], y=-d["members_left"], name=t("cm.series.left"), marker_color=LINE_COLOUR, yaxis="y2")
    flow.update_layout(barmode="relative", yaxis2=dict(overlaying="y", side="right", showgrid=False))
    active = go.Figure()
    active.add_bar(x=d["day"], y=d["active_members"], name=t("col.active_members"), marker_color=MEMBER_COLOUR)
    active.add_scatter(x=d["day"], y=[alive_line] * len(d), name=t("cm.series.alive_line"), mode="lines",
                       line=dict(color=LINE_COLOUR, dash="dash", width=2))
    return style_figure(flow, height=260), style_figure(active, height=260)


def detail(view: View, group_id: str | None) -> None:
    if not group_id:
        st.caption(t("cm.detail_hint"))
        return
    board = run_metric("group-activity", view)
    g = board[board["group_id"] == group_id].iloc[0]
    head, close = st.columns([4, 1], vertical_alignment="bottom")
    head.subheader(t("cm.detail", name=md(g["group_name"])), anchor=False)  # markdown: the name escaped
    if close.button(t("cm.close_detail"), key="cm_close", width="stretch"):
        set_group(None)
        st.rerun()
    _table(board[board["group_id"] == group_id],
           ["group_name", "group_id", "store_id", "kind", "members", "active_members", "speaking_ratio", "alive_days",
            "silent", "wemall_sales"], key="cm_detail_row")
    d = run_metric("group-daily", view, group=group_id)
    flow, active = _daily_figures(d, int(settings_in_force()["alive_members"]))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{html_text(t('cm.members_flow'))}**")
        show_chart(flow, key="cm_flow")
    with right:
        st.markdown(f"**{html_text(t('cm.daily_active'))}**")
        show_chart(active, key="cm_active")
    types = run_metric("group-message-types", view, group=group_id)
    hours = run_metric("group-hours", view, group=group_id)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{html_text(t('cm.types'))}**")
        fig = go.Figure()
        labels = [t(f"cm.msg_type.{v}") for v in types["msg_type"]]
        for col, name, colour in (("member_messages", "cm.series.member", MEMBER_COLOUR),
                                  ("staff_messages", "cm.series.staff", STAFF_COLOUR),
                                  ("bot_messages", "cm.series.bot", BOT_COLOUR)):
            fig.add_bar(x=labels, y=types[col], name=t(name), marker_color=colour)
        fig.update_layout(barmode="stack")
        fig.update_xaxes(type="category")
        show_chart(style_figure(fig, height=260), key="cm_types")
    with right:
        st.markdown(f"**{html_text(t('cm.hours'))}**")
        fig = go.Figure()
        for col, name, colour in (("member_messages", "cm.series.member", MEMBER_COLOUR),
                                  ("staff_messages", "cm.series.staff", STAFF_COLOUR),
                                  ("bot_messages", "cm.series.bot", BOT_COLOUR)):
            fig.add_bar(x=hours["hour"], y=hours[col], name=t(name), marker_color=colour)
        fig.update_layout(barmode="stack", xaxis_title=t("cm.hour_axis"))
        show_chart(style_figure(fig, height=260), key="cm_hours")
    st.markdown(f"**{html_text(t('cm.staff_vs_member'))}**")
    sums = types[["member_messages", "staff_messages", "bot_messages"]].sum()
    _cards([(t(f"col.{name}"), fmt.count(sums[name]), f"detail_{name}")
            for name in ("member_messages", "staff_messages", "bot_messages")])
    st.markdown(f"**{html_text(t('cm.top_days'))}**")
    top = d[d["member_messages"] > 0].sort_values(["member_messages", "day"], ascending=[False, False]).head(5)
    _table(top, ["day", "member_messages", "active_members", "staff_messages", "alive"], key="cm_top_days")
    st.markdown(f"**{html_text(t('cm.koc_group'))}**")
    k = _koc(view)
    _koc_tables(_koc_frames(k[k["group_id"] == group_id], per_group=True), view, f"koc_{group_id}")


# --- KOCs ------------------------------------------------------------------------------

KOC_COLUMNS = ["group_name", "group_id", "member_id", "why", "active_days", "distinct_repliers", "referred_sales",
               "member_messages", "last_active_on"]
POTENTIAL_COLUMNS = ["potential_rank", "score", "group_name", "group_id", "member_id", "active_days",
                     "distinct_repliers", "referred_sales", "last_active_on"]


def _koc(view: View) -> pd.DataFrame:
    """koc reads the as-of date only (its window ends there), never the period:
    asked for with the as-of day as its period, one result serves every period."""
    return run_metric("koc", view, period=Period(view.as_of, view.as_of))


def _potential(k: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first n non-KOCs by (potential_rank, group_id, member_id): the rows
    ranked at most the n-th smallest rank, sorted (the same n rows, in the same
    order, as sorting them all)."""
    potential = k[~k["is_koc"]]
    ranks = potential["potential_rank"]
    if len(potential) > n:
        potential = potential[ranks <= ranks.nsmallest(n).iloc[-1]]
    return potential.sort_values(["potential_rank", "group_id", "member_id"], kind="stable").head(n)


def _why(r) -> str:
    parts = []
    if "activity" in r.reason:
        parts.append(t("cm.why.activity", days=int(r.active_days), repliers=int(r.distinct_repliers)))
    if "referral" in r.reason:
        parts.append(t("cm.why.referral", sales=fmt.money(r.referred_sales)))
    return "；".join(parts) if language() == "zh" else "; ".join(parts)


def _koc_frames(k: pd.DataFrame, per_group: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The KOCs with their why (in the language in force), and the potential list."""
    kocs = k[k["is_koc"]].copy()
    kocs["why"] = [_why(r) for r in kocs.itertuples(index=False)]
    return kocs, _potential(k, 50 if per_group else 200)


def _koc_tables(frames: tuple[pd.DataFrame, pd.DataFrame], view: View, name: str) -> None:
    """_koc_frames' two tables, drawn with their exports."""
    settings = settings_in_force()
    first = view.as_of - timedelta(days=int(settings["koc_window_days"]) - 1)
    st.caption(t("cm.koc_window", start=first, end=view.as_of))
    kocs, shown = (f.copy() for f in frames)  # frames held in VIEW_VALUES are never changed
    if kocs.empty:
        st.info(t("cm.koc_none"))
    else:
        _table(kocs, KOC_COLUMNS, key=f"cm_{name}_kocs")
        _exports(kocs, KOC_COLUMNS, f"{name}_kocs", view)
    st.markdown(f"**{html_text(t('cm.koc_potential'))}**")
    _table(shown, POTENTIAL_COLUMNS, key=f"cm_{name}_potential")
    _exports(shown, POTENTIAL_COLUMNS, f"{name}_potential", view)


def koc_all(view: View) -> None:
    """Every KOC of the view and the 200 best potential ones. Both tables are
    kept per view, language and settings in force (runtime.cache.VIEW_VALUES):
    a rerun no longer copies and filters the 59,000 members KOC rates at scale
    10 (about a third of the page's rerun)."""
    st.subheader(t("cm.koc_all"))
    frames = VIEW_VALUES.get(f"koc_all:{language()}", view, lambda: _koc_frames(_koc(view), per_group=False))
    _koc_tables(frames, view, "koc_all")


# --- negative-sentiment alerts ---------------------------------------------------------

NEGATIVE_COLUMNS = ["replied_within_30m", "sent_at", "group_name", "category", "text", "member_id", "reply_minutes",
                    "group_id", "message_id"]


def negative(view: View) -> None:
    st.subheader(t("cm.negative"))
    period = view.period if view.period.days <= NEGATIVE_DAYS else \
        Period(view.period.end - timedelta(days=NEGATIVE_DAYS - 1), view.period.end)
    st.caption(t("cm.negative_window", end=period.end, days=period.days))
    df = run_metric("negative-messages", view, period=period)
    if df.empty:
        st.success(t("cm.negative_none"))
        return
    st.caption(t("cm.negative_counts", n=len(df), unanswered=int((~df["replied_within_30m"]).sum()),
                 minutes=int(settings_in_force()["reply_window_minutes"])))
    _table(df, NEGATIVE_COLUMNS, key="cm_negative")
    _exports(df, NEGATIVE_COLUMNS, "negative_messages", view)


# --- the morning check's panel ---------------------------------------------------------

def morning_panel(view: View) -> None:
    """Yesterday in the manager's groups: went silent, fell below the alive line,
    negative messages not answered in time (message text shown escaped)."""
    st.subheader(t("mcc.title"))
    items = run_metric("morning-community", view)
    if items.empty:
        st.success(t("mcc.none"))
        return
    minutes = int(settings_in_force()["reply_window_minutes"])
    days = int(settings_in_force()["silent_days"])

    def draw(rows):
        out = []  # one element for all of them (see lv.attention_block)
        for r in rows.itertuples(index=False):
            if r.reason == "unanswered_negative":
                head = t("mcc.unanswered", group=r.group_name, time=pd.Timestamp(r.sent_at).strftime("%H:%M"),
                         minutes=minutes, category=t(f"cm.category.{r.category}"))
                out.append(f'<div class="mc-att">{html.escape(head)}<br>'
                           f'<span style="color:#666">{html.escape(str(r.text))}</span></div>')
            elif r.reason == "went_silent":
                out.append(lv.attention_html(t("mcc.went_silent", group=r.group_name, days=days)))
            else:
                out.append(lv.attention_html(t("mcc.below_alive", group=r.group_name, before=r.prev_active_members,
                                               now=r.active_members)))
        st.markdown("".join(out), unsafe_allow_html=True)

    draw(items.head(8))
    if len(items) > 8:
        with st.expander(t("mcc.show_all", n=len(items))):
            draw(items.iloc[8:])

