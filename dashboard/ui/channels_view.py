"""Drawing the channels page (渠道ROI): the per-channel table with GMV and
revenue per fan at 7, 30 and 90 days, the cost-per-fan / revenue-per-fan
scatter and the monthly cohort curves. Every number comes computed from the
metrics channel-roi-windows and channel-cohorts; here only layout, display
formats and the marks of windows still running. Channel names are data:
plain text in tables, escaped in Plotly labels."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..columns import kind_of, label_key
from ..metrics.channel_roi import WINDOWS
from ..metrics.channel_roi_windows import COLUMNS as WINDOW_COLUMNS
from ..period import Period
from ..scope import spend_visible
from . import format as fmt
from .components import money_axis, show_chart, style_figure
from .i18n import t
from .plain import html_text

SPEND_COLUMNS = ("spend", "cost_per_fan", "cost_per_retained_fan", "roi")
RUNNING_COLOUR = "#999999"
# Cohort curves compare months of fans: besides the period's own fans, the page
# offers the fans of the last COHORT_DAYS days up to the period's end.
COHORT_DAYS = 180


def spend_shown(view) -> bool:
    """Spend, cost and ROI exist only for an unrestricted, unfiltered view (the scope gate's rule)."""
    return spend_visible(view.scope, view.filters)


def names(rows: pd.DataFrame) -> dict[str, str]:
    """channel_id → the name to show (the id where the channels table has none)."""
    return {cid: (name if isinstance(name, str) and name else cid)
            for cid, name in zip(rows["channel_id"], rows["channel_name"])}


# --- the per-channel table ------------------------------------------------------------------

def _header(column: str, days: int | None = None) -> str:
    label = t(label_key(column))
    return t("ch.at_days", label=label, days=days) if days else label


def wide(rows: pd.DataFrame, window: int) -> pd.DataFrame:
    """channel-roi-windows reshaped for reading: one row per channel, GMV,
    revenue per fan and completeness at each window side by side, ROI and
    repeat rate at the window in force. Rows: channels with new fans whose
    window (in force) is complete, then those whose window is still running,
    each by ROI, then revenue per fan, descending; channels without new fans last."""
    base = rows[rows["window_days"] == window].set_index("channel_id")
    out = base[["channel_name", "spend", "new_fans", "retained_fans", "cost_per_fan", "cost_per_retained_fan",
                "roi", "repeat_rate", "complete"]].copy()
    out["channel_name"] = [names(rows)[c] for c in out.index]
    for w in WINDOWS:
        part = rows[rows["window_days"] == w].set_index("channel_id")
        out[f"gmv_{w}"] = part["gmv"]
        out[f"revenue_per_fan_{w}"] = part["revenue_per_fan"]
        out[f"complete_{w}"] = part["complete"].astype(bool)
    out = out.reset_index()
    group = (out["new_fans"] == 0) * 2 + (~out["complete"].astype(bool)) * 1
    order = out.assign(_group=group, _roi=out["roi"].fillna(-1.0), _rpf=out[f"revenue_per_fan_{window}"].fillna(-1.0))
    order = order.sort_values(["_group", "_roi", "_rpf", "channel_id"], ascending=[True, False, False, True],
                              kind="stable")
    return out.loc[order.index].reset_index(drop=True)


def _table_columns(window: int, full: bool) -> list[tuple[str, str, int | None]]:
    """(wide column, declared column it shows, window days or None) in display order."""
    cols = [("channel_name", "channel_name", None)]
    if full:
        cols += [("spend", "spend", None)]
    cols += [("new_fans", "new_fans", None), ("retained_fans", "retained_fans", None)]
    if full:
        cols += [("cost_per_fan", "cost_per_fan", None), ("cost_per_retained_fan", "cost_per_retained_fan", None)]
    cols += [(f"gmv_{w}", "gmv", w) for w in WINDOWS]
    cols += [(f"revenue_per_fan_{w}", "revenue_per_fan", w) for w in WINDOWS]
    if full:
        cols += [("roi", "roi", window)]
    cols += [("repeat_rate", "repeat_rate", window), ("complete", "complete", window)]
    return cols


def _running_cells(table: pd.DataFrame, window: int) -> dict[str, pd.Series]:
    """Per shown column, the rows whose value comes from a window still running."""
    out = {}
    for w in WINDOWS:
        running = ~table[f"complete_{w}"]
        out[f"gmv_{w}"] = running
        out[f"revenue_per_fan_{w}"] = running
    out["roi"] = out["repeat_rate"] = ~table[f"complete_{window}"]
    return out


def channel_table(rows: pd.DataFrame, window: int, full: bool, key: str = "ch_table"):
    """The per-channel table: real numbers underneath (the table sorts by
    value), shown in the display conventions; a number from a window still
    running carries the mark * and a grey colour (see incomplete_note)."""
    table = wide(rows, window)
    spec = _table_columns(window, full)
    shown = table[[c for c, _, _ in spec]].copy()
    shown.columns = [_header(source, days) for _, source, days in spec]
    running = _running_cells(table, window)
    styler = shown.style
    for (column, source, _), label in zip(spec, shown.columns):
        kind = kind_of(source)
        styler = styler.format(lambda v, k=kind: fmt.show(k, v), subset=[label])
        mask = running.get(column)
        if mask is not None and mask.any():
            rows_running = list(shown.index[mask.to_numpy()])
            styler = styler.format(lambda v, k=kind: f"{fmt.show(k, v)}{t('ch.incomplete_mark')}",
                                   subset=pd.IndexSlice[rows_running, [label]])
            styler = styler.map(lambda _: f"color: {RUNNING_COLOUR}", subset=pd.IndexSlice[rows_running, [label]])
    return st.dataframe(styler, hide_index=True, key=key)


def incomplete_note(rows: pd.DataFrame, window: int, as_of) -> None:
    """Say which numbers come from windows still running, and which period would be complete."""
    running = rows[(rows["window_days"] == window) & ~rows["complete"].astype(bool)]
    if running.empty:
        st.caption(t("ch.all_complete", days=window, as_of=as_of))
    else:
        st.info(t("ch.incomplete_note", as_of=as_of, days=window, latest=as_of - timedelta(days=window)))


def export_frame(rows: pd.DataFrame, full: bool) -> tuple[pd.DataFrame, dict]:
    """The rows the export holds: channel-roi-windows as printed by the CLI
    (without the undefined spend columns for a narrowed view), and their labels."""
    cols = [c for c in WINDOW_COLUMNS if full or c not in SPEND_COLUMNS]
    return rows[cols], {c: t(label_key(c)) for c in cols}


# --- the scatter ----------------------------------------------------------------------------

def scatter(rows: pd.DataFrame, window: int) -> go.Figure:
    """Cost per fan (x) against revenue per fan (y) at the window in force, a
    bubble per channel sized by its new fans; channels whose window is still
    running are hollow, in their own legend group."""
    data = rows[(rows["window_days"] == window) & (rows["new_fans"] > 0)].copy()
    data = data[data["cost_per_fan"].notna() & data["revenue_per_fan"].notna()]
    fig = go.Figure()
    if data.empty:
        return style_figure(fig, height=360)
    xdiv, xtitle = money_axis(data["cost_per_fan"])
    ydiv, ytitle = money_axis(data["revenue_per_fan"])
    size_ref = 2.0 * float(data["new_fans"].max()) / (46 ** 2)
    label = names(rows)
    for complete, name_key, symbol in ((True, "ch.scatter_complete", "circle"),
                                       (False, "ch.scatter_running", "circle-open")):
        part = data[data["complete"].astype(bool) == complete]
        if part.empty:
            continue
        shown = [html_text(label[c]) for c in part["channel_id"]]
        hover = [f"{n}<br>{html_text(t('col.cost_per_fan'))}: {html_text(fmt.money(x))}"
                 f"<br>{html_text(t('col.revenue_per_fan'))}: {html_text(fmt.money(y))}"
                 f"<br>{html_text(t('col.new_fans'))}: {html_text(fmt.count(f))}"
                 for n, x, y, f in zip(shown, part["cost_per_fan"], part["revenue_per_fan"], part["new_fans"])]
        # Free channels all sit on x = 0: their names go to the right of the bubble.
        position = ["middle right" if x == 0 else "top center" for x in part["cost_per_fan"]]
        fig.add_scatter(x=part["cost_per_fan"] / xdiv, y=part["revenue_per_fan"] / ydiv, mode="markers+text",
                        name=html_text(t(name_key)), text=shown, textposition=position,
                        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                        marker=dict(size=part["new_fans"].astype(float), sizemode="area", sizeref=size_ref,
                                    sizemin=6, symbol=symbol, color="#4c78a8" if complete else RUNNING_COLOUR,
                                    line=dict(width=2, color="#4c78a8" if complete else RUNNING_COLOUR),
                                    opacity=0.75))
    fig.update_layout(showlegend=True, xaxis_title=html_text(t("ch.axis", label=t("col.cost_per_fan"), unit=xtitle)),
                      yaxis_title=html_text(t("ch.axis", label=t("col.revenue_per_fan"), unit=ytitle)))
    # Room around the bubbles, so one on an axis is not cut in half.
    xmax = max(float(data["cost_per_fan"].max()) / xdiv, 1.0)
    ymax = max(float(data["revenue_per_fan"].max()) / ydiv, 1.0)
    fig.update_xaxes(range=[-0.08 * xmax, 1.15 * xmax], zeroline=True)
    fig.update_yaxes(range=[-0.1 * ymax, 1.18 * ymax], zeroline=True)
    return style_figure(fig, height=400)


# --- the cohorts ----------------------------------------------------------------------------

def pick_cohort_period(period: Period, key: str = "ch_cohort_range") -> Period:
    """The fans whose cohorts are drawn: the period's own (default, as every
    panel) or those of the last COHORT_DAYS days up to its end."""
    longer = period.at_least(COHORT_DAYS)
    if longer == period:
        return period
    choice = st.radio(t("ch.cohort_range"), ("period", "long"), horizontal=True, key=key,
                      format_func=lambda c: t(f"ch.cohort_range.{c}", days=COHORT_DAYS))
    return longer if choice == "long" else period


def _default_month(cohorts: pd.DataFrame) -> str:
    """The latest cohort month whose day-30 cell is complete, else the latest with any complete cell."""
    months = sorted(set(cohorts["cohort_month"]))
    for day in (30, 7, 1):
        done = cohorts[(cohorts["day"] == day) & cohorts["complete"].astype(bool)]
        if not done.empty:
            return max(done["cohort_month"])
    return months[-1]


def pick_month(cohorts: pd.DataFrame, key: str = "ch_cohort_month") -> str | None:
    """A select box of the cohort months (latest first); the default one has the most days elapsed."""
    if cohorts.empty:
        return None
    months = sorted(set(cohorts["cohort_month"]), reverse=True)
    default = _default_month(cohorts)
    return st.selectbox(t("ch.cohort_month"), months, index=months.index(default), key=key)


def cohort_figure(cohorts: pd.DataFrame, month: str, channel_names: dict[str, str]) -> go.Figure:
    """One line per channel: cumulative revenue per fan by days since joining,
    for one cohort month; a cell not yet elapsed is a gap, never a point."""
    part = cohorts[cohorts["cohort_month"] == month]
    fig = go.Figure()
    divisor, title = money_axis(part["revenue_per_fan"].dropna())
    for cid, line in part.groupby("channel_id", sort=True):
        line = line.sort_values("day")
        name = html_text(channel_names.get(cid, cid))
        hover = [f"{name} · {html_text(t('ch.cohort_day', day=int(d)))}<br>"
                 f"{html_text(fmt.money(v))} · {html_text(t('col.fans'))} {html_text(fmt.count(f))}"
                 for d, v, f in zip(line["day"], line["revenue_per_fan"], line["fans"])]
        fig.add_scatter(x=[t("ch.cohort_day", day=int(d)) for d in line["day"]], y=line["revenue_per_fan"] / divisor,
                        mode="lines+markers", name=name, connectgaps=False, customdata=hover,
                        hovertemplate="%{customdata}<extra></extra>")
    fig.update_layout(xaxis_title=html_text(t("ch.cohort_x")), yaxis_title=html_text(t("ch.axis", label=t("ch.cohort_y"), unit=title)))
    # The checkpoints evenly spaced (1, 3, 7 ... 90 days would crowd the first week).
    fig.update_xaxes(type="category", categoryorder="array",
                     categoryarray=[t("ch.cohort_day", day=int(d)) for d in sorted(set(part["day"]))])
    fig.update_yaxes(rangemode="tozero")
    return style_figure(fig, height=360)


def cohort_table(cohorts: pd.DataFrame, channel_names: dict[str, str], key: str = "ch_cohorts"):
    """Every cohort as a row (channel, month, fans), its days as columns; cells not elapsed show —."""
    if cohorts.empty:
        return None
    days = sorted(set(cohorts["day"]))
    grid = cohorts.set_index(["channel_id", "cohort_month", "fans", "day"])["revenue_per_fan"].unstack("day")
    grid = grid.reset_index().sort_values(["cohort_month", "channel_id"], ascending=[False, True])
    out = pd.DataFrame({
        t("col.channel_name"): [channel_names.get(c, c) for c in grid["channel_id"]],
        t("col.cohort_month"): list(grid["cohort_month"]),
        t("col.fans"): [fmt.count(v) for v in grid["fans"]],
        **{t("ch.cohort_day", day=int(d)): [fmt.money(v) for v in grid[d]] for d in days},
    })
    return st.dataframe(out, hide_index=True, key=key)


def cohort_progress_note(cohorts: pd.DataFrame, as_of) -> None:
    """When no cohort cell has elapsed yet (a short, recent period), say how to see curves."""
    if not cohorts["complete"].astype(bool).any():
        st.info(t("ch.cohort_short", as_of=as_of, days=COHORT_DAYS))
