"""Helpers for the AppTest page tests."""
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORDS = {"hq": "hq-demo-2026", "east": "east-demo-2026", "store": "store-demo-2026", "admin": "admin-demo-2026"}


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


def use_database(monkeypatch, tmp_path, db) -> None:
    """Point the app at a hand-built database, with its own users file and ops
    records, demo mode off."""
    for k, v in {"DASHBOARD_DB": db, "DASHBOARD_USERS": tmp_path / "users.yaml",
                 "DASHBOARD_OPS_DB": tmp_path / "ops.sqlite", "DASHBOARD_COOKIE_KEY": "pages-test-cookie-key-0123456789abcdefghijklmn",
                 "DASHBOARD_DEMO": "0"}.items():
        monkeypatch.setenv(k, str(v))
    monkeypatch.delenv("TEST_AUTH_COOKIE", raising=False)


def signed_in_as(username: str, password: str, query: dict | None = None, page: str | None = None,
                 timeout: float = 60) -> AppTest:
    """app.py signed in through the real login form, on `page` if given."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
    return at
