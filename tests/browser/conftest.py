"""Fixtures for the browser tests (helpers in browser_kit.py)."""
import os
import subprocess
import sys

import pytest

from browser_kit import CHROMIUM, CHROMIUM_ARGS, ROOT, running_app


@pytest.fixture(scope="session")
def app_env(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-data")
    db = data / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "dashboard", "demo", "--db", str(db), "--scale", "0.05"],
                   cwd=ROOT, check=True, capture_output=True)
    env = {**os.environ, "DASHBOARD_DB": str(db), "DASHBOARD_USERS": str(data / "users.yaml"),
           "DASHBOARD_OPS_DB": str(data / "ops.sqlite"), "DASHBOARD_DEMO": "1",
           "DASHBOARD_COOKIE_KEY": "browser-test-cookie-key-not-a-secret"}
    subprocess.run([sys.executable, "-c",
                    "from dashboard import config; from dashboard.auth.demo_users import ensure_demo_users;"
                    "ensure_demo_users(config.users_path(), config.db_path())"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return env


@pytest.fixture(scope="session")
def app_url(app_env):
    with running_app(app_env) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
