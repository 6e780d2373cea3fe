"""Demo mode's first start: build the demo dataset in its own thread, with
progress for every session, until the file is published."""
from __future__ import annotations

import threading
import time

import streamlit as st

from .. import config
from ..ui.i18n import t


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
        from ..demo import generate

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
