"""阈值设置 (admins only): the analysis thresholds of SPEC.md "Settings", each
change stored with the operational records and audited."""
import streamlit as st

from dashboard.app_context import current_view
from dashboard.ui import settings_view
from dashboard.ui.i18n import t

view = current_view()  # only inside the frame, which admits admins alone (frame.PAGES)
st.title(t("settings.title"))
st.caption(t("settings.caption"))
settings_view.editor(view.username)
