"""直播 — live streams and the 72-hour rule: the period's sessions with live
sales, 72-hour tail, tail multiple (the 2–3× band), audience, return-to-store
rate and ROI; sessions still inside their 72 hours apart; one session's detail
(kept in the URL as live=ID): its cumulative curve against the median session,
what the tail sold by brand, guides and stores by invited members who watched;
and sessions compared by brand and by host."""
import streamlit as st

from dashboard.app_context import current_view, run_metric
from dashboard.ui import live_view
from dashboard.ui.i18n import t

view = current_view()
st.title(t("live.title"))
period = live_view.sessions_period(view)
st.caption(t("period.label", start=period.start, end=period.end))
if period != view.period:
    st.caption(t("live.window", end=period.end, days=period.days))
st.caption(t("live.rule"))

facts = run_metric("live-tail", view, period=period)
picked = live_view.sessions_panel(view, facts)
live_view.in_progress_panel(facts)
row = live_view.chosen_live(facts, picked)
if row is not None:
    live_view.detail_panel(view, row)
live_view.compare_panel(view, facts)
