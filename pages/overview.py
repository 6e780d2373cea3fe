"""总览 — the HQ executive's first look: KPIs with 环比/同比, daily POS vs WeMall,
sales by region and by brand."""
import streamlit as st

from dashboard.app_context import current_view, run_metric
from dashboard.ui import format as fmt
from dashboard.ui.components import bar_by_category, kpi_card, show_chart, trend_chart
from dashboard.ui.i18n import t
from dashboard.ui import targets_view

view = current_view()
st.title(t("ov.title"))
st.caption(t("period.label", start=view.period.start, end=view.period.end))

k = run_metric("kpis").iloc[0]
cards = [("sales", fmt.money), ("wemall_sales", fmt.money), ("pos_sales", fmt.money),
         ("orders", fmt.count), ("members", fmt.count), ("aov", fmt.money)]
for row in (cards[:3], cards[3:]):  # row by row, so a phone stacks them in reading order
    for column, (name, show) in zip(st.columns(3), row):
        with column:
            kpi_card(t(f"kpi.{name}"), show(k[name]), k[f"{name}_pop"], k[f"{name}_yoy"], test_id=name)

st.subheader(t("ov.trend"))
trend_period = view.period.at_least(30)
if trend_period != view.period:
    st.caption(t("ov.trend_window", end=trend_period.end, days=trend_period.days))
show_chart(trend_chart(run_metric("sales-trend", period=trend_period)), key="trend")

targets_view.overview_panel(view)

left, right = st.columns(2)
with left:
    st.subheader(t("ov.by_region"))
    show_chart(bar_by_category(run_metric("sales-by-region"), "region"), key="by_region")
with right:
    st.subheader(t("ov.by_brand"))
    show_chart(bar_by_category(run_metric("sales-by-brand"), "brand"), key="by_brand")
