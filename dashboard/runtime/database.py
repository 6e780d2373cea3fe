"""The process's one database handle, and the version pinned for this rerun.

A load can publish a new version while a page is drawing. So the frame pins the
published version once at the start of each rerun (`pin_for_this_run`) and
every panel of that rerun reads through the pin (`pinned`): one rerun, one
version. The next rerun pins the new one; results cached for the old version
are dropped then."""
from __future__ import annotations

import streamlit as st

from .. import config
from ..store import Database, Pinned, SchemaMismatch
from ..ui.i18n import t
from ..ui.plain import md

PIN = "_db_pin"
SEEN_VERSION = "_db_version"


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    """The process's one handle on the published file (queries take cursors)."""
    return Database(path)


def handle(path: str) -> Database:
    return _database(path)


def pin_for_this_run() -> Pinned:
    """Resolve the published version once for this rerun (the frame calls this
    before anything reads data). Stops the run with a message if there is no
    database file, or one this code cannot read (an older schema or rollups)."""
    path = config.db_path()
    if not path.exists():
        st.error(t("app.no_database", path=str(path)))
        st.stop()
    try:
        pinned = _database(str(path)).pin()
    except SchemaMismatch as exc:
        st.error(t("app.database_outdated", detail=md(exc)))
        st.stop()
    # A load published a new file: drop every cached result of the old one.
    if st.session_state.get(SEEN_VERSION) not in (None, pinned.version):
        from .cache import clear_all
        clear_all()
    st.session_state[SEEN_VERSION] = pinned.version
    st.session_state[PIN] = pinned
    return pinned


def pinned() -> Pinned:
    """This rerun's version (pinned now if the frame did not, e.g. a page run alone)."""
    pin = st.session_state.get(PIN)
    return pin if pin is not None else pin_for_this_run()


def forget_pin() -> None:
    st.session_state.pop(PIN, None)
