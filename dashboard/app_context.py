"""The Streamlit side of the data layer: the process's one database handle, the
user's current view (scope + filters + period), role guards, and scope-keyed
caching of metric results. Pages get everything they show through here."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from . import config, settings
from .metrics import METRICS, MetricArgs, resolved_options
from .period import Period
from .reader import Reader
from .scope import Filters, Scope
from .store import Database
from .ui.i18n import t

@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    """The process's one handle on the published file (queries take cursors)."""
    return Database(path)


class _DemoBuild:
    """The one demo build of this process. It runs in its own thread, not in a
    session's script run, so a visitor closing the tab does not abort it; every
    session just shows its progress until the file is published."""

    def __init__(self):
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.fraction, self.message, self.error = 0.0, "", None

    def start(self, path) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.fraction, self.message, self.error = 0.0, "", None
                self.thread = threading.Thread(target=self._run, args=(path,), name="demo-build", daemon=True)
                self.thread.start()

    def _run(self, path) -> None:
        from .demo import generate

        def progress(fraction: float, message: str) -> None:
            self.fraction, self.message = min(max(fraction, 0.0), 1.0), message
        try:
            generate(path, scale=config.demo_scale(), progress=progress)
        except Exception as exc:  # shown to every waiting session
            self.error = f"{type(exc).__name__}: {exc}"


_demo_build = _DemoBuild()


def ensure_demo_database() -> None:
    """Demo mode: build the demo dataset on first start, with visible progress."""
    path = config.db_path()
    if path.exists() or not config.demo_mode():
        return
    if _demo_build.error is None:
        _demo_build.start(path)
    st.info(t("app.demo_building"))
    st.progress(_demo_build.fraction, text=_demo_build.message)
    if _demo_build.error:
        st.error(_demo_build.error)
        st.stop()
    time.sleep(1)
    st.rerun()


def database() -> Database:
    path = config.db_path()
    if not path.exists():
        st.error(t("app.no_database", path=str(path)))
        st.stop()
    db = _database(str(path))
    version = db.version
    # A load published a new file: drop every cached result of the old one.
    if st.session_state.get("_db_version") not in (None, version):
        st.cache_data.clear()
    st.session_state["_db_version"] = version
    return db


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

    @property
    def reader(self) -> Reader:
        return Reader(database(), self.scope, self.filters)


def forget_view() -> None:
    """Start of every frame run: no page may see the previous run's view (a
    signed-out user's, say) before the login gate has passed again."""
    st.session_state.pop("_view", None)
    st.session_state.pop("_page_url", None)


def set_current_view(view: View) -> None:
    st.session_state["_view"] = view


def _outside_the_frame():
    """A page script is running without app.py (no login, no view). Streamlit
    does this for a pages/ folder (its v1 multipage mode) until the first
    st.navigation call of the process: the first request after a start can run
    pages/x.py directly. Leave v1 mode and rerun through app.py once; never
    show anything from here."""
    from streamlit.runtime.pages_manager import PagesManager  # no public switch exists
    if PagesManager.uses_pages_directory and not st.session_state.get("_frame_retry"):
        st.session_state["_frame_retry"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()
    st.error(t("app.no_view"))
    st.stop()


def set_running_page(url_path: str) -> None:
    """The frame names the page it is about to run (see current_view)."""
    st.session_state["_page_url"] = url_path


def _running_page() -> str:
    url = st.session_state.get("_page_url")
    if url is not None:
        return url
    from streamlit.runtime.scriptrunner import get_script_run_ctx  # a page run as the main script
    ctx = get_script_run_ctx()
    return Path(ctx.main_script_path).stem if ctx and ctx.main_script_path else ""


def current_view() -> View:
    """The signed-in view, for the page that is running. The frame already
    refused a page the role may not open; this checks the same rule
    (frame.PAGES, the one source) again, so a page run any other way is closed too."""
    view = st.session_state.get("_view")
    if view is None:
        _outside_the_frame()
    from .frame import page_allowed
    if not page_allowed(_running_page(), view.role):
        st.error(t("app.forbidden"))
        st.stop()
    return view


def current_role() -> str | None:
    view = st.session_state.get("_view")
    return view.role if view else None


@st.cache_data(ttl=3600, max_entries=1000, show_spinner=False)
def _cached_metric(db_path: str, db_version: str, scope: tuple, filters: tuple, name: str,
                   start: date, end: date, as_of: date, options: tuple) -> pd.DataFrame:
    # Keyed by scope and filters (plain tuples): no user ever gets another's rows.
    reader = Reader(_database(db_path), Scope(*scope), Filters(*filters))
    return METRICS[name](reader, MetricArgs(Period(start, end), as_of, options))


def settings_in_force() -> dict:
    """The admin settings' current values (dashboard.settings), read once per rerun."""
    cached = st.session_state.get("_settings_run")
    run_id = id(st.session_state.get("_view"))
    if cached is None or cached[0] != run_id:
        cached = (run_id, settings.current())
        st.session_state["_settings_run"] = cached
    return cached[1]


def run_metric(name: str, view: View | None = None, period: Period | None = None, **options: Any) -> pd.DataFrame:
    """A metric for the view, with its options resolved against the settings in
    force (so the cache key holds the thresholds actually used)."""
    view = view or current_view()
    period = period or view.period
    db = database()
    resolved = resolved_options(METRICS[name], options, settings_in_force())
    return _cached_metric(str(db.path), db.version, (view.scope.regions, view.scope.stores),
                          (view.filters.brands, view.filters.regions, view.filters.cities,
                           view.filters.stores, view.filters.guides),
                          name, period.start, period.end, view.as_of, resolved)
