"""用户管理 (admins only): list users with role, scope, status and last sign-in;
add a user; change role or scope; reset a password; disable/enable; end
sessions; unlock; remove. Every change is audited (dashboard.auth.manage)."""
import streamlit as st

from dashboard.app_context import current_view
from dashboard.ui import users_view
from dashboard.ui.i18n import t

view = current_view()  # only inside the frame, which admits admins alone (frame.PAGES)
st.title(t("users.title"))
st.caption(t("users.caption"))
users_view.page(view.username)
