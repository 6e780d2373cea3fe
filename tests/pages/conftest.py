"""AppTest fixtures: the real app.py over a small real demo database, with the
demo accounts, signed in through the real login form."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
