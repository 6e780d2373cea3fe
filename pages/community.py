"""社群 — WeCom groups in scope: the overview with trends, groups ranked by
activity and by WeMall sales, this week's newly silent / below-alive groups, a
group's detail (kept in the URL as ?grp=ID, only a group in scope opens), KOCs
with why and KOC potential (exportable), and negative-sentiment alerts with
unanswered ones first. Drawn by dashboard/ui/community_view.py."""
import streamlit as st

from dashboard.app_context import current_view
from dashboard.ui import community_view as cv
from dashboard.ui.i18n import t

view = current_view()
st.title(t("cm.title"))
cv.thresholds()
cv.overview(view)
cv.trend(view)

picked = cv.ranked(view)
if picked and picked != st.query_params.get(cv.URL_KEY):
    cv.set_group(picked)
    st.rerun()
cv.changes(view)
cv.detail(view, cv.open_group(view))
cv.koc_all(view)
cv.negative(view)
