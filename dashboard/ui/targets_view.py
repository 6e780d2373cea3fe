"""Drawing for targets (达成率 vs 时间进度), anomalies and 昨日要点: one function
per panel, each backed by a registered metric (target-summary, target-by-region,
morning-behind-pace, anomalies, morning-digest). Nothing here computes a number;
data values are escaped (html.escape) inside our own HTML."""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..app_context import View, run_metric
from ..period import Period
from ..runtime.cache import VIEW_VALUES
from . import format as fmt
from .components import show_chart, style_figure
from .i18n import language, t
from .leaderboard_view import exports
from .plain import html_labels

CSS = """
<style>
.tg-bar {margin:2px 0 8px 0;}
.tg-bar .lbl {font-size:.85rem; color:#666; display:flex; justify-content:space-between;}
.tg-bar .track {height:10px; background:rgba(128,128,128,.18); border-radius:5px; overflow:hidden;}
.tg-bar .fill {height:10px; border-radius:5px;}
.tg-card {border:1px solid rgba(128,128,128,.25); border-radius:8px; padding:8px 12px; margin-bottom:8px;}
.tg-card .big {font-size:1.35rem; font-weight:700;}
.tg-card .sub {font-size:.85rem; color:#555; overflow-wrap:anywhere;}
.tg-item {margin:0 0 6px 0; padding:6px 10px; border-left:3px solid #d62728; background:rgba(214,39,40,.05);
          overflow-wrap:anywhere; font-size:.92rem;}
.dg-box {border:1px solid rgba(128,128,128,.25); border-radius:8px; padding:8px 12px; margin-bottom:10px;}
.dg-box .sec {font-size:.85rem; color:#666; margin-top:6px; font-weight:600;}
.dg-box .ln {font-size:.92rem; line-height:1.45; overflow-wrap:anywhere;}
</style>
"""


def _bar(label: str, value, colour: str, test_id: str) -> str:
    width = 0 if value is None or pd.isna(value) else max(0.0, min(float(value), 1.0)) * 100
    return (f'<div class="tg-bar" data-tg="{html.escape(test_id)}"><div class="lbl"><span>{html.escape(label)}</span>'
            f'<span>{html.escape(fmt.pct(value))}</span></div><div class="track">'
            f'<div class="fill" style="width:{width:.1f}%;background:{colour}"></div></div></div>')


def _card(s) -> str:
    """Attainment against time progress, with the gap and the daily need."""
    behind = bool(s["behind"])
    colour = fmt.down_colour() if behind else fmt.up_colour()
    gap = float(s["gap"])
    gap_text = t("tg.gap", gap=fmt.money(gap)) if gap > 0 else t("tg.ahead", gap=fmt.money(-gap))
    need = (t("tg.needed", days=int(s["days_left"]), needed=fmt.money(s["needed_per_day"]))
            if int(s["days_left"]) else t("tg.last_day"))
    return (f'<div class="tg-card" data-tg="summary">'
            f'<div class="big">{html.escape(fmt.money(s["sales_mtd"]))} / {html.escape(fmt.money(s["target"]))}</div>'
            + _bar(t("tg.attainment"), s["attainment"], colour, "attainment")
            + _bar(t("tg.time_progress"), s["time_progress"], fmt.GREY, "time_progress")
            + f'<div class="sub">{html.escape(gap_text)} · {html.escape(need)} · '
            f'{html.escape(t("tg.behind_count", behind=int(s["behind_stores"]), n=int(s["stores"])))}</div></div>')


def _region_figure(df: pd.DataFrame) -> go.Figure:
    labels = html_labels(df["region"])
    colours = [fmt.down_colour() if b else fmt.up_colour() for b in df["behind"]]
    fig = go.Figure(go.Bar(y=labels, x=df["attainment"], orientation="h", marker_color=colours,
                           text=[fmt.pct(v) for v in df["attainment"]], textposition="auto",
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    progress = float(df["time_progress"].iloc[0])
    fig.add_vline(x=progress, line_dash="dash", line_color=fmt.GREY,
                  annotation_text=html.escape(f'{t("tg.time_progress")} {fmt.pct(progress)}'),
                  annotation_position="top")
    fig.update_xaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return style_figure(fig, height=max(180, 40 + 34 * len(df)))


def overview_panel(view: View) -> None:
    """总览: the scope's 达成率 against 时间进度 this month, and by region."""
    st.markdown(CSS, unsafe_allow_html=True)
    s = run_metric("target-summary", view).iloc[0]
    st.subheader(t("tg.title", month=s["month"]))
    if not int(s["stores"]):
        st.info(t("tg.none"))
        return
    left, right = st.columns([2, 3])
    with left:
        st.markdown(_card(s), unsafe_allow_html=True)
    with right:
        regions = run_metric("target-by-region", view)
        st.caption(t("tg.by_region"))
        show_chart(_region_figure(regions), key="tg_by_region")


def _items(rows: pd.DataFrame, test_id: str) -> None:
    out = []
    for r in rows.itertuples(index=False):
        name = r.name if isinstance(r.name, str) else r.id
        out.append(f'<div class="tg-item" data-tg="{html.escape(test_id)}">' + html.escape(
            t("tg.behind_item", name=f"{name}（{r.id}）", attainment=fmt.pct(r.attainment), gap=fmt.money(r.gap),
              needed=fmt.money(r.needed_per_day))) + "</div>")
    st.markdown("".join(out), unsafe_allow_html=True)


# The morning check lists the largest gaps: HQ has thousands of guides behind
# pace (2,452 at scale 10, 776 in one region), which no phone reads as a list
# and every rerun would send; the whole list is one export away.
LISTED = 100
BEHIND_EXPORT = ["id", "name", "store_name", "region", "sales_mtd", "target", "attainment", "time_progress", "gap",
                 "needed_per_day"]


def morning_panel(view: View, top: int = 5) -> None:
    """晨检: this month's attainment card and the stores and guides behind pace,
    each with its gap in ¥ and the daily sales needed to close it."""
    st.markdown(CSS, unsafe_allow_html=True)
    s = run_metric("target-summary", view).iloc[0]
    st.subheader(t("tg.title", month=s["month"]))
    if not int(s["stores"]):
        st.caption(t("tg.none"))
        return
    st.markdown(_card(s), unsafe_allow_html=True)
    behind = run_metric("morning-behind-pace", view)
    if behind.empty:
        st.success(t("tg.behind_none"))
        return
    st.markdown("**" + t("tg.behind_title", month=s["month"], progress=fmt.pct(s["time_progress"])) + "**")
    for level, title in (("store", t("tg.behind_stores")), ("guide", t("tg.behind_guides"))):
        rows = behind[behind["level"] == level]
        if rows.empty:
            continue
        st.caption(f"{title} · {len(rows)}")
        _items(rows.head(top), f"behind_{level}")
        if len(rows) > top:
            with st.expander(t("tg.show_all", n=len(rows))):
                _items(rows.iloc[top:LISTED], f"behind_{level}_rest")
                if len(rows) > LISTED:
                    st.caption(t("tg.listed", shown=LISTED, n=len(rows)))
                exports(rows, BEHIND_EXPORT, f"behind_pace_{level}s", view,
                        audit={"as_of": view.as_of, "filters": view.filters.key()}, key=f"behind_{level}")


def anomaly_items(view: View, item) -> int:
    """晨检 "needs attention": the as-of day's sales anomalies, each with a plain
    reason, drawn with the page's own item helper. -> how many."""
    day = Period(view.as_of, view.as_of)
    rows = run_metric("anomalies", view, period=day)
    for r in rows.itertuples(index=False):
        why = t(f"an.reason.{r.direction}", sales=fmt.money(r.sales), baseline=fmt.money(r.baseline),
                deviation=f"{abs(r.deviation):.1f}")
        item(f"{r.store_name}（{r.store_id}）：{why}")
    return len(rows)


def digest_panel(view: View) -> None:
    """昨日要点: the rule-made narrative of the as-of day for the user's scope."""
    from .. import digest
    st.markdown(CSS, unsafe_allow_html=True)
    st.subheader(t("dg.title"))
    # The same lines as metric morning-digest, read through the app's cache
    # (the page's other panels have already computed most of these metrics).
    day = Period(view.as_of, view.as_of)
    d = VIEW_VALUES.get("digest", view, lambda: digest.build(
        None, view.as_of, run=lambda name, period=None, **o: run_metric(name, view, period=period or day, **o)))
    if not d.lines:
        st.caption(t("dg.empty"))
        return
    parts, section = [], None
    for title, text in digest.lines_text(d, language()):
        if title != section:
            section = title
            parts.append(f'<div class="sec">{html.escape(title)}</div>')
        parts.append(f'<div class="ln">{html.escape(text)}</div>')
    st.markdown('<div class="dg-box" data-tg="digest">' + "".join(parts) + "</div>", unsafe_allow_html=True)
