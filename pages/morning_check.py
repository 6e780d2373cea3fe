"""晨检 — the regional manager's morning check on the as-of day, phone first
(390 px, no horizontal scroll): the day's sales and WeMall sales against the day
before and the same weekday last week, stores ranked by sales and by WeMall
sales with rank change, biggest risers and fallers, and what needs attention."""
import streamlit as st

from dashboard.app_context import current_view, run_metric
from dashboard.ui.downloads import download_buttons
from dashboard.ui import community_view
from dashboard.ui import format as fmt
from dashboard.ui import leaderboard_view as lv
from dashboard.ui import live_view
from dashboard.ui import sharing_view
from dashboard.ui import targets_view
from dashboard.ui.i18n import language, t

view = current_view()
lv.phone_style()
TOP = 10
weekday = t("mc.weekday").split(",") if language() == "en" else list(t("mc.weekday"))
st.title(t("mc.title"))
st.caption(t("mc.as_of", day=view.as_of, weekday=weekday[view.as_of.weekday()]))
targets_view.digest_panel(view)

s = run_metric("morning-summary", view).iloc[0]
left, right = st.columns(2)
with left:
    lv.summary_card(t("kpi.sales"), fmt.money(s["sales"]), s["sales_vs_prev_day"], s["sales_vs_last_week"], "sales")
with right:
    lv.summary_card(t("kpi.wemall_sales"), fmt.money(s["wemall_sales"]), s["wemall_sales_vs_prev_day"],
                    s["wemall_sales_vs_last_week"], "wemall_sales")

stores = run_metric("morning-stores", view)
by_sales, by_wemall = st.tabs([t("mc.by_sales"), t("mc.by_wemall")])
for tab, rank_col, value_col, change_col in ((by_sales, "rank", "sales", "rank_change"),
                                             (by_wemall, "wemall_rank", "wemall_sales", "wemall_rank_change")):
    with tab:
        ordered = lv.by_rank(stores, rank_col)
        lv.ranked_list(ordered.head(TOP), rank_col, value_col, change_col, test_id=f"{rank_col}_top")
        if len(ordered) > TOP:
            with st.expander(t("mc.show_all", n=len(ordered))):
                lv.ranked_list(ordered.iloc[TOP:], rank_col, value_col, change_col, test_id=f"{rank_col}_rest")

lv.movers_panel(run_metric("morning-movers", view))

# 达成率 first (the first question of every morning), then the areas' own checks.
targets_view.morning_panel(view)
sharing_view.morning_panel(view)
community_view.morning_panel(view)
live_view.morning_panel(view)
st.subheader(t("mc.attention"))
attention = run_metric("morning-attention", view)
anomaly_texts = []
anomalies = targets_view.anomaly_items(view, anomaly_texts.append)
lv.attention_block(anomaly_texts)
if attention.empty and not anomalies:
    st.success(t("mc.attention_none"))


lv.attention_items(attention.head(TOP))
if len(attention) > TOP:
    with st.expander(t("mc.show_all_attention", n=len(attention))):
        lv.attention_items(attention.iloc[TOP:])
sharing_view.morning_attention(view)

with st.expander(t("lb.export_xlsx") + " / CSV"):
    cols = ["rank", "rank_change", "store_name", "store_id", "region", "sales", "wemall_sales", "wemall_rank",
            "wemall_rank_change", "orders"]
    download_buttons(stores[cols], lv.headers(cols), f"morning_check_{view.as_of}", view.username,
                     {"as_of": view.as_of, "filters": view.filters.key()}, key="morning",
                     labels=(t("lb.export_xlsx"), t("lb.export_csv")), language=language())
