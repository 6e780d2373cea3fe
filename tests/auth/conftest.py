import pytest


@pytest.fixture
def auth_env(tmp_path, monkeypatch):
    """Users file, ops store and cookie key in tmp; demo mode off unless a test turns it on."""
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "users.yaml"))
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(tmp_path / "ops.sqlite"))
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "auth-test-cookie-key-0123456789abcdefghijklmn")
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "missing.duckdb"))
    monkeypatch.setenv("DASHBOARD_DEMO", "0")
    monkeypatch.delenv("DASHBOARD_SESSION_HOURS", raising=False)
    monkeypatch.delenv("TEST_AUTH_COOKIE", raising=False)
    return tmp_path
