"""门店/导购排行 — store and guide leaderboards for the chosen period, drill-down
region → store → guide (ui/drill.py; in the URL as drill_region / drill_store),
guide concentration with its Pareto curve, and Excel/CSV exports of every table."""
import pandas as pd
import streamlit as st

from dashboard.app_context import current_view, run_metric
from dashboard.ui import leaderboard_view as lv
from dashboard.ui.components import bar_by_category, show_chart
from dashboard.ui.drill import Drill, Level
from dashboard.ui.i18n import t

view = current_view()
drill = Drill("lb", [Level("drill_region", "regions", "region"),
                     Level("drill_store", "stores", "store_id", "store_name")])
st.title(t("lb.title"))
st.caption(t("period.label", start=view.period.start, end=view.period.end))

regions = run_metric("sales-by-region", view)
with st.expander(t("lb.regions"), expanded=drill.read(0, regions) is None):
    st.caption(t("lb.regions_hint"))
    bar = show_chart(bar_by_category(regions, "region"), key=drill.key("region_bar"), on_select="rerun",
                     selection_mode="points")
    drill.follow(0, bar, regions, drill.key("region_bar"), kind="points")
    drill.follow(0, lv.table(regions, lv.REGION_COLUMNS, key=drill.key("regions"), select=True), regions,
                 drill.key("regions"))

stores = run_metric("store-leaderboard", drill.view(view, 1))
drill.read(1, stores)
drill.breadcrumb()
st.subheader(drill.title(t("lb.stores"), depth=1))
st.caption(t("lb.stores_hint"))
drill.follow(1, lv.table(stores, lv.STORE_COLUMNS, key=drill.key("stores"), select=True), stores, drill.key("stores"))
lv.exports(stores, lv.STORE_COLUMNS, "store_leaderboard", view)

guide_view = drill.view(view, 2)
st.subheader(drill.title(t("lb.guides"), depth=2))
guides = run_metric("guide-leaderboard", guide_view)
lv.top_table(guides, lv.GUIDE_COLUMNS, key=drill.key("guides"))
lv.exports(guides, lv.GUIDE_COLUMNS, "guide_leaderboard", view)

st.subheader(t("lb.concentration"))
c = run_metric("guide-concentration", guide_view).iloc[0]
if pd.isna(c["concentration"]):
    st.info(t("lb.concentration_none"))
else:
    st.markdown("#### " + lv.concentration_text(c))
    show_chart(lv.pareto_figure(run_metric("guide-pareto", guide_view), c["top_share"]), key="lb_pareto")
