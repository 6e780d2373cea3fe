"""Audit log (admins only): logins, failed logins, lockouts, logouts, exports."""
import streamlit as st

from dashboard.app_context import current_view
from dashboard.auth.audit import EVENTS, audit_frame
from dashboard.ui.i18n import t

current_view()  # only inside the frame, which admits admins alone (frame.PAGES)

st.title(t("auth.audit.title"))
st.caption(t("auth.audit.caption"))
c1, c2, c3 = st.columns([2, 2, 1])
username = c1.text_input(t("auth.audit.user"), key="audit_user")
event = c2.selectbox(t("auth.audit.event"), (None, *EVENTS), key="audit_event",
                     format_func=lambda e: t("auth.audit.all_events") if e is None else t(f"auth.event.{e}"))
limit = c3.number_input(t("auth.audit.limit"), min_value=50, max_value=5000, value=500, step=50, key="audit_limit")
df = audit_frame(username or None, event, int(limit))
if df.empty:
    st.info(t("auth.audit.empty"))
else:
    df["event"] = df["event"].map(lambda e: t(f"auth.event.{e}") if e in EVENTS else e)
    st.dataframe(df.rename(columns={"at": t("auth.audit.at"), "username": t("auth.audit.user"),
                                    "event": t("auth.audit.event"), "detail": t("auth.audit.detail")}),
                 hide_index=True, width="stretch")
