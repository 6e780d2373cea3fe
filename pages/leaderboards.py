"""门店/导购排行 — store and guide leaderboards for the chosen period, drill-down
region → store → guide (kept in the URL as drill_region / drill_store), guide
concentration with its Pareto curve, and Excel/CSV exports of every table."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard.app_context import current_view, run_metric
from dashboard.export import download_buttons
from dashboard.ui import format as fmt
from dashboard.ui import leaderboard_view as lv
from dashboard.ui.components import bar_by_category, show_chart
from dashboard.ui.i18n import language, t

view = current_view()
qp = st.query_params
st.title(t("lb.title"))
st.caption(t("period.label", start=view.period.start, end=view.period.end))
audit = {"period": view.period, "filters": view.filters.key()}


def narrowed(**kw):
    """The view narrowed by the drill path (filters only ever narrow; the scope stays)."""
    return replace(view, filters=replace(view.filters, **kw))


def set_path(region=None, store=None):
    for k, v in (("drill_region", region), ("drill_store", store)):
        if v:
            qp[k] = v
        elif k in qp:
            del qp[k]
    lv.bump_nonce()


def exports(df, columns, name):
    download_buttons(df[columns], lv.headers(columns), name, view.username, audit, key=name,
                     labels=(t("lb.export_xlsx"), t("lb.export_csv")), language=language())


# Level 1: regions. A drill value from the URL counts only if it is on screen.
regions = run_metric("sales-by-region", view)
region = qp.get("drill_region") if qp.get("drill_region") in set(regions["region"]) else None
n = lv.nonce()
with st.expander(t("lb.regions"), expanded=region is None):
    st.caption(t("lb.regions_hint"))
    chart = show_chart(bar_by_category(regions, "region"), key=f"lb_region_bar_{n}",
                       on_select="rerun", selection_mode="points")
    changed, value = lv.picked(chart, regions, "region", f"lb_region_bar_{n}", kind="points")
    event = lv.table(regions, ["region", "sales", "wemall_sales", "pos_sales", "orders", "share"],
                     key=f"lb_regions_{n}", select=True)
    changed2, value2 = lv.picked(event, regions, "region", f"lb_regions_{n}")
    if (changed and value) or (changed2 and value2):
        set_path(region=value if changed and value else value2)
        st.rerun()

# Level 2: stores of the region.
store_view = narrowed(regions=(region,)) if region else view
stores = run_metric("store-leaderboard", store_view)
store = qp.get("drill_store") if qp.get("drill_store") in set(stores["store_id"]) else None
store_names = dict(zip(stores["store_id"], stores["store_name"]))
crumbs = st.columns([3, 1, 1])
crumbs[0].markdown(f"**{t('lb.path')}**: " + " › ".join(
    [t("lb.path_all")] + ([region] if region else []) + ([store_names[store]] if store else [])))
if (region or store) and crumbs[1].button(t("lb.back_all"), key="lb_back_all", width="stretch"):
    set_path()
    st.rerun()
if store and region and crumbs[2].button(t("lb.back_region"), key="lb_back_region", width="stretch"):
    set_path(region=region)
    st.rerun()

st.subheader(t("lb.stores") + (f" · {region}" if region else ""))
st.caption(t("lb.stores_hint"))
store_cols = ["rank", "rank_change", "store_name", "store_id", "region", "sales", "sales_pop", "sales_yoy",
              "wemall_sales", "wemall_rank", "wemall_rank_change", "pos_sales", "orders", "aov", "attainment"]
key = f"lb_stores_{region}_{n}"
changed, value = lv.picked(lv.table(stores, store_cols, key=key, select=True), stores, "store_id", key)
if changed and value != store:
    set_path(region=region, store=value)
    st.rerun()
exports(stores, store_cols, "store_leaderboard")

# Level 3: guides of the store (or of everything above).
guide_view = narrowed(stores=(store,)) if store else store_view
guides = run_metric("guide-leaderboard", guide_view)
st.subheader(t("lb.guides") + (f" · {store_names[store]}" if store else (f" · {region}" if region else "")))
guide_cols = ["rank", "rank_change", "guide_name", "guide_id", "store_name", "store_id", "role", "left_on",
              "sales", "sales_pop", "sales_yoy", "wemall_sales", "orders", "aov", "attainment"]
lv.table(guides, guide_cols, key=f"lb_guides_{n}")
exports(guides, guide_cols, "guide_leaderboard")

# Guide concentration at the same level.
st.subheader(t("lb.concentration"))
c = run_metric("guide-concentration", guide_view).iloc[0]
if pd.isna(c["concentration"]):
    st.info(t("lb.concentration_none"))
else:
    st.markdown("#### " + t("lb.concentration_text", top_pct="10%", top=int(c["top_guides"]), n=int(c["guides"]),
                            share=fmt.pct(c["concentration"])))
    show_chart(lv.pareto_figure(run_metric("guide-pareto", guide_view)), key="lb_pareto")
