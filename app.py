"""Entry point: page config, login, display settings, the global filter bar and
the role's navigation. No SQL here: data comes through dashboard.app_context."""
from __future__ import annotations

import streamlit as st

from dashboard import app_context
from dashboard.frame import (all_pages, allowed_pages, display_settings, login, refuse_bad_config,
                             refuse_unless_allowed, sidebar_menu)
from dashboard.scope import Filters
from dashboard.ui.filter_bar import filter_bar
from dashboard.ui.i18n import t

st.set_page_config(page_title="导购私域经营看板", page_icon=":material/storefront:", layout="wide",
                   initial_sidebar_state="auto")
app_context.forget_view()
display_settings()
refuse_bad_config()  # e.g. DASHBOARD_DEMO=maybe: a clear message, before demo mode is asked
app_context.ensure_demo_database()
# Every page is registered on every run, signed in or not, before the login
# gate: a refresh on any page's URL finds its page, and the gate then stops the
# run until someone signs in.
pages = all_pages()
current = st.navigation(pages, position="hidden")
user = login()
if user is None:
    st.stop()
app_context.database()  # pin this rerun's version: every panel below reads it
options_for = app_context.options_for(user.scope)
allowed = allowed_pages(pages, user.role)
if not allowed or not options_for(Filters())[0]["stores"]:
    st.warning(t("app.no_scope"))  # default deny: signed in, but nothing to see
    st.stop()
as_of_default = app_context.as_of_default()  # over all the data, once per version
if as_of_default is None:
    st.warning(t("app.no_data"))
    st.stop()

sidebar_menu(allowed)
refuse_unless_allowed(current, user.role)  # from frame.PAGES alone: no page guards itself
app_context.set_running_page(current.url_path)
filters, period, as_of, preset = filter_bar(options_for, as_of_default)
app_context.set_current_view(app_context.View(
    username=user.username, role=user.role, scope=user.scope, filters=filters,
    period=period, as_of=as_of, preset=preset))
current.run()
