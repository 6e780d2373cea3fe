"""The page part of `bench`: every page of frame.PAGES run through Streamlit's
AppTest, signed in through the real login form with the demo accounts (in a
temporary users file), as tests/pages/app_kit.py does — but inside the product,
so the bench needs nothing from the tests.

A page is timed on its first render (after the metric cache is cleared) and on
a series of filter changes — period, region, store, drill-down — each one a
whole rerun of the app and the page, as a user's click causes."""
from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..frame import PAGES, PAGES_DIR

APP = str(config.ROOT / "app.py")
TIMEOUT = 300


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return ordered[int(rank) - 1]


def summary(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 1) if values else None,
            "p95_ms": round(percentile(values, 95), 1) if values else None}


@contextlib.contextmanager
def app_env(db_path: Path):
    """Environment of a demo-mode app over `db_path` with the demo accounts in a
    temporary users file and a temporary ops database; restored afterwards."""
    from ..auth.demo_users import ensure_demo_users
    keys = ("DASHBOARD_DB", "DASHBOARD_USERS", "DASHBOARD_OPS_DB", "DASHBOARD_COOKIE_KEY", "DASHBOARD_DEMO")
    saved = {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp:
        os.environ.update({
            "DASHBOARD_DB": str(db_path), "DASHBOARD_USERS": str(Path(tmp) / "users.yaml"),
            "DASHBOARD_OPS_DB": str(Path(tmp) / "ops.sqlite"), "DASHBOARD_DEMO": "1",
            "DASHBOARD_COOKIE_KEY": "bench-cookie-key-" + "x" * 40})
        try:
            ensure_demo_users(Path(tmp) / "users.yaml", db_path)
            yield dict(os.environ)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def password(username: str) -> str:
    from ..auth.demo_users import DEMO_ACCOUNTS
    return DEMO_ACCOUNTS[username][2]


def signed_in(username: str):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    _check(at)
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password(username))
    at.button[0].click()
    at.run()
    _check(at)
    return at


def _check(at) -> None:
    if at.exception:
        raise RuntimeError("; ".join(str(e.value) for e in at.exception))


def pages_for(role: str, only: list[str] | None = None) -> list[tuple[str, str]]:
    """(script, url path) of every page in frame.PAGES that exists and `role` may open."""
    out = []
    for script, url_path, _, _, roles in PAGES:
        if not (PAGES_DIR / script).exists() or (roles is not None and role not in roles):
            continue
        if only and url_path not in only:
            continue
        out.append((script, url_path))
    return out


def clear_caches() -> None:
    """Every cache a page run could be served from: Streamlit's, the app's
    process-wide metric results (runtime.cache.RESULTS) and the metrics' own
    memos; each series then starts from an empty cache, as its help says."""
    from ..metrics.base import clear_memos
    from ..runtime.cache import clear_all
    clear_all()
    clear_memos()


@dataclass
class Change:
    name: str
    apply: object  # callable(at) -> bool (False: the widget is not on this page)
    long: bool = False  # a period over 31 days


def _widget(at, kind: str, key: str):
    try:
        return getattr(at, kind)(key=key)
    except (KeyError, IndexError):
        return None


def _setter(kind: str, key: str, value):
    def apply(at) -> bool:
        w = _widget(at, kind, key)
        if w is None:
            return False
        w.set_value(value)
        return True
    return apply


def _query(**params):
    def apply(at) -> bool:
        for k, v in params.items():
            if v is None:
                at.query_params.pop(k, None)
            else:
                at.query_params[k] = v
        return True
    return apply


def _reset(at) -> bool:
    for key, kind, value in (("fb_region", "multiselect", []), ("fb_store", "multiselect", [])):
        w = _widget(at, kind, key)
        if w is not None:
            w.set_value(value)
    return True


def changes(region: str, store: str) -> list[Change]:
    """The filter changes a user makes: period, region, store, drill-down."""
    return [
        Change("period_last30", _setter("selectbox", "fb_preset", "last30")),
        Change("period_this_week", _setter("selectbox", "fb_preset", "this_week")),
        Change("period_this_year", _setter("selectbox", "fb_preset", "this_year"), long=True),
        Change("period_yesterday", _setter("selectbox", "fb_preset", "yesterday")),
        Change("region", _setter("multiselect", "fb_region", [region])),
        Change("store", _setter("multiselect", "fb_store", [store])),
        Change("clear_filters", _reset),
        Change("drill_region", _query(drill_region=region)),
        Change("drill_store", _query(drill_region=region, drill_store=store)),
        Change("drill_back", _query(drill_region=None, drill_store=None)),
    ]


@dataclass
class PageRun:
    first_ms: float
    change_ms: dict[str, float] = field(default_factory=dict)
    long_ms: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def run_page(username: str, script: str, series: list[Change], clear: bool = True) -> PageRun:
    at = signed_in(username)
    at.switch_page(f"pages/{script}")
    if clear:
        clear_caches()
    t0 = time.perf_counter()
    at.run()
    run = PageRun((time.perf_counter() - t0) * 1000)
    if at.exception:
        run.errors.append(f"first: {at.exception[0].value}")
    for change in series:
        if not change.apply(at):
            continue
        t0 = time.perf_counter()
        at.run()
        ms = (time.perf_counter() - t0) * 1000
        (run.long_ms if change.long else run.change_ms)[change.name] = ms
        if at.exception:
            run.errors.append(f"{change.name}: {at.exception[0].value}")
    return run
