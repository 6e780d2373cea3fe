"""AppTest fixtures: the real app.py over a small real demo database, with the
demo accounts, signed in through the real login form."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORDS = {"hq": "hq-demo-2026", "east": "east-demo-2026", "store": "store-demo-2026", "admin": "admin-demo-2026"}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages-db") / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "dashboard", "demo", "--db", str(path), "--scale", "0.02"],
                   cwd=ROOT, check=True, capture_output=True)
    return path


@pytest.fixture
def page_env(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "users.yaml"))
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(tmp_path / "ops.sqlite"))
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "pages-test-key-" + "x" * 40)
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    from dashboard.auth.demo_users import ensure_demo_users
    ensure_demo_users(tmp_path / "users.yaml", demo_db)
    return demo_db


def signed_in(username: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(PASSWORDS[username])
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def kpi_values(at: AppTest) -> dict[str, str]:
    """The KPI cards' shown values, by metric name."""
    out = {}
    for m in at.markdown:
        found = re.search(r'data-kpi="(\w+)".*?class="kpi-value">([^<]+)<', str(m.value), re.S)
        if found:
            out[found.group(1)] = found.group(2)
    return out
