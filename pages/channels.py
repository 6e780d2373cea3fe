"""渠道ROI — what each acquisition channel's new fans cost and what they bought:
the per-channel table (GMV and revenue per fan at 7, 30 and 90 days), the cost
vs revenue scatter and the monthly cohort curves. Spend is central: a narrowed
view (region or store manager, or any filter) sees fans and GMV without spend,
cost or ROI, and a note saying why."""
import streamlit as st

from dashboard.app_context import current_view, run_metric, settings_in_force
from dashboard.ui.downloads import download_buttons
from dashboard.ui import channels_view as cv
from dashboard.ui.components import show_chart
from dashboard.ui.i18n import language, t
from dashboard.ui.settings_view import in_force_caption

view = current_view()
window = settings_in_force()["gmv_window_days"]
full = cv.spend_shown(view)
st.title(t("ch.title"))
st.caption(t("period.label", start=view.period.start, end=view.period.end) + " · " + t("ch.caption"))
in_force_caption(settings_in_force(), ["gmv_window_days"])
if not full:
    st.info(t("ch.no_spend_note"))

rows = run_metric("channel-roi-windows", view)
st.subheader(t("ch.table"))
cv.incomplete_note(rows, window, view.as_of)
cv.channel_table(rows, window, full)
export, headers = cv.export_frame(rows, full)
download_buttons(export, headers, "channel_roi", view.username, {"period": view.period, "filters": view.filters.key()},
                 key="channel_roi", labels=(t("ch.export_xlsx"), t("ch.export_csv")), language=language())

if full:
    st.subheader(t("ch.scatter"))
    st.caption(t("ch.scatter_hint", days=window))
    show_chart(cv.scatter(rows, window), key="ch_scatter")

st.subheader(t("ch.cohorts"))
cohort_period = cv.pick_cohort_period(view.period)
st.caption(t("ch.cohorts_hint", start=cohort_period.start, end=cohort_period.end))
cohorts = run_metric("channel-cohorts", view, period=cohort_period)
month = cv.pick_month(cohorts)
if month is None:
    st.info(t("ch.cohort_none"))
else:
    cv.cohort_progress_note(cohorts, view.as_of)
    show_chart(cv.cohort_figure(cohorts, month, cv.names(rows)), key="ch_cohort_chart")
    with st.expander(t("ch.cohort_table")):
        cv.cohort_table(cohorts, cv.names(rows))
