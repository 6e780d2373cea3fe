"""A new user's first start in demo mode: no database yet, so the app builds the
demo with visible progress, then offers the login with the demo accounts."""
from streamlit.testing.v1 import AppTest

from app_kit import APP


def test_first_start_builds_the_demo_then_shows_the_login(tmp_path, monkeypatch):
    db = tmp_path / "data" / "demo.duckdb"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "data" / "users.yaml"))
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(tmp_path / "data" / "ops.sqlite"))
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    monkeypatch.setenv("DASHBOARD_DEMO_SCALE", "0.01")
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    def login_shown():
        return "auth_username" in [w.key for w in at.text_input]

    # Each run either shows the build's progress or, once it is published, the login.
    for _ in range(120):
        if login_shown():
            break
        assert any("演示数据" in str(i.value) for i in at.info), [str(i.value) for i in at.info]
        assert len(at.get("progress")) == 1
        at.run()
        assert not at.exception
    assert db.exists() and login_shown()
    assert (tmp_path / "data" / "users.yaml").exists()
