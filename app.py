"""Entry point: page config, login, display settings, the global filter bar and
the role's navigation. No SQL here: data comes through dashboard.app_context."""
from __future__ import annotations

import streamlit as st

from dashboard import app_context
from dashboard.frame import display_settings, login, navigation_for, sidebar_menu
from dashboard.metrics import latest_complete_day
from dashboard.reader import Reader
from dashboard.ui.filter_bar import filter_bar
from dashboard.ui.i18n import t

st.set_page_config(page_title="导购私域经营看板", page_icon=":material/storefront:", layout="wide",
                   initial_sidebar_state="auto")
app_context.forget_view()
display_settings()
app_context.ensure_demo_database()
user = login()
# Every run registers every page, signed in or not (see navigation_for).
pages, allowed = navigation_for(user.role if user else None)
current = st.navigation(pages, position="hidden")
if user is None:
    st.stop()
db = app_context.database()
base_reader = Reader(db, user.scope)
as_of_default = latest_complete_day(base_reader)
if as_of_default is None:
    st.warning(t("app.no_data_in_scope"))
    st.stop()

sidebar_menu(allowed)
filters, period, as_of, preset = filter_bar(base_reader, as_of_default)
app_context.set_current_view(app_context.View(
    username=user.username, role=user.role, scope=user.scope, filters=filters,
    period=period, as_of=as_of, preset=preset))
current.run()
