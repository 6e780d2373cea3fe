"""The signed-in user's current view, and the page the frame is running.

The frame (app.py) forgets the previous run's view first, then sets the new one
once the login gate passed; a page starts with `view = current_view()`, which
also re-checks frame.PAGES (the one source of who may open what)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import streamlit as st

from ..period import Period
from ..scope import Filters, Scope
from ..ui.i18n import t
from .database import forget_pin

VIEW = "_view"
PAGE_URL = "_page_url"
SETTINGS_RUN = "_settings_run"  # the settings in force, read once per frame run


@dataclass(frozen=True)
class View:
    """What the current user is looking at: all plain, hashable values."""
    username: str
    role: str
    scope: Scope
    filters: Filters
    period: Period
    as_of: date
    preset: str


def forget_view() -> None:
    """Start of every frame run: no page may see the previous run's view (a
    signed-out user's, say) or its pinned version before the login gate has
    passed again."""
    st.session_state.pop(VIEW, None)
    st.session_state.pop(PAGE_URL, None)
    st.session_state.pop(SETTINGS_RUN, None)  # thresholds are read again each run
    forget_pin()


def set_current_view(view: View) -> None:
    st.session_state[VIEW] = view


def _outside_the_frame():
    """A page script is running without app.py (no login, no view). Streamlit
    does this for a pages/ folder (its v1 multipage mode) until the first
    st.navigation call of the process: the first request after a start can run
    pages/x.py directly. Leave v1 mode and rerun through app.py once; never
    show anything from here.

    The one use of Streamlit's private PagesManager in the code base: pages/
    must stay (the layout requires it) and no public switch exists. Its test:
    tests/browser/test_roles_browser.py (the first request after a start)."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory and not st.session_state.get("_frame_retry"):
        st.session_state["_frame_retry"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()
    st.error(t("app.no_view"))
    st.stop()


def set_running_page(url_path: str) -> None:
    """The frame names the page it is about to run (see current_view)."""
    st.session_state[PAGE_URL] = url_path


def _running_page() -> str:
    url = st.session_state.get(PAGE_URL)
    if url is not None:
        return url
    from streamlit.runtime.scriptrunner import get_script_run_ctx  # a page run as the main script
    ctx = get_script_run_ctx()
    return Path(ctx.main_script_path).stem if ctx and ctx.main_script_path else ""


def current_view() -> View:
    """The signed-in view, for the page that is running. The frame already
    refused a page the role may not open; this checks the same rule
    (frame.PAGES, the one source) again, so a page run any other way is closed too."""
    view = st.session_state.get(VIEW)
    if view is None:
        _outside_the_frame()
    from ..frame import page_allowed
    if not page_allowed(_running_page(), view.role):
        st.error(t("app.forbidden"))
        st.stop()
    return view


def current_role() -> str | None:
    view = st.session_state.get(VIEW)
    return view.role if view else None


def peek_view() -> View | None:
    """The view set for this run, if any (no checks: for the frame's own parts)."""
    return st.session_state.get(VIEW)
