"""The login gate driven through Streamlit's AppTest: success, wrong password,
lockout, logout, revocation by passwd/disable, expiry, and the re-login cookie."""
import time
from pathlib import Path

import jwt
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import ops
from dashboard.auth import lockout, sessions, users

APP = str(Path(__file__).with_name("login_app.py"))
PASSWORD = "correct-horse-9"


@pytest.fixture
def alice(auth_env):
    users.add_user("alice", PASSWORD, "region", regions=["华东"], name="爱丽丝")
    return auth_env


def new_app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def submit(at, username, password):
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    at.button[0].click()
    at.run()
    assert not at.exception
    return at


def signed_in_line(at):
    lines = [m.value for m in at.markdown if str(m.value).startswith("signed-in:")]
    return lines[0] if lines else None


def events(username=None):
    return [r["event"] for r in reversed(ops.audit_rows()) if username is None or r["username"] == username]


def test_login_page_comes_first(alice):
    at = new_app()
    assert signed_in_line(at) is None
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    assert at.text_input(key="auth_password").proto.type == at.text_input(key="auth_password").proto.PASSWORD
    assert events() == []


def test_login_success_shows_the_user_with_their_scope(alice):
    at = submit(new_app(), "  Alice ", PASSWORD)  # names are case- and space-insensitive
    assert signed_in_line(at) == "signed-in:alice:region:(('华东',), None)"
    assert not at.error
    assert events("alice") == ["login"]
    assert "method" in ops.audit_rows()[0]["detail"]
    at.run()  # the next rerun keeps the session without asking again
    assert signed_in_line(at) == "signed-in:alice:region:(('华东',), None)"
    assert events("alice") == ["login"]


def test_wrong_password_is_refused_and_audited(alice):
    at = submit(new_app(), "alice", "wrong-password")
    assert signed_in_line(at) is None
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert events("alice") == ["login_failed"]
    # An unknown user gets exactly the same message.
    at = submit(at, "mallory", "whatever-1")
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert events("mallory") == ["login_failed"]


def test_lockout_after_five_failures_refuses_even_the_right_password(alice):
    at = new_app()
    for i in range(4):
        submit(at, "alice", f"wrong-{i}-xx")
        assert [e.value for e in at.error] == ["用户名或密码错误。"]
    submit(at, "alice", "wrong-4-xx")
    assert "已暂时锁定" in at.error[0].value and "15 分钟" in at.error[0].value
    submit(at, "alice", PASSWORD)
    assert signed_in_line(at) is None
    assert "已暂时锁定" in at.error[0].value
    assert events("alice") == ["login_failed"] * 5 + ["login_locked", "login_refused"]
    # Another browser session is locked out too: the count lives in the ops store.
    other = submit(new_app(), "alice", PASSWORD)
    assert signed_in_line(other) is None and "已暂时锁定" in other.error[0].value
    # An administrator lifts it: the right password works again.
    lockout.unlock("alice")
    assert signed_in_line(submit(new_app(), "alice", PASSWORD)) is not None


def test_lockout_message_in_english(alice):
    from dashboard.ui.i18n import t, set_language
    set_language("en")
    try:
        assert t("auth.locked", minutes=15).startswith("Too many failed sign-in attempts")
    finally:
        set_language("zh")


def test_logout_returns_to_the_login_form_and_kills_the_session(alice):
    at = submit(new_app(), "alice", PASSWORD)
    session = at.session_state["_auth_session"]
    at.button(key="auth_logout").click()
    at.run()
    assert signed_in_line(at) is None
    assert [i.value for i in at.info] == ["您已退出登录。"]
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    assert events("alice") == ["login", "logout"]
    # Server side the session is revoked: its cookie can no longer sign anyone in.
    assert sessions.lookup("alice", session.expires_at) is None
    at.run()
    assert signed_in_line(at) is None


@pytest.mark.parametrize("change", ["passwd", "disable", "logout_everywhere"])
def test_password_change_or_disable_ends_a_live_session(alice, change):
    at = submit(new_app(), "alice", PASSWORD)
    assert signed_in_line(at) is not None
    time.sleep(0.01)  # valid_since must be later than the session's issue time
    if change == "passwd":
        users.set_password("alice", "another-horse-1")
    elif change == "disable":
        users.set_disabled("alice")
    else:
        users.revoke_sessions("alice")
    at.run()
    assert signed_in_line(at) is None
    assert "登录已失效" in at.info[0].value
    assert events("alice")[-1] == "logout"


def test_session_expires(alice, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_HOURS", str(1.5 / 3600))  # 1.5 seconds
    at = submit(new_app(), "alice", PASSWORD)
    assert signed_in_line(at) is not None
    time.sleep(1.6)
    at.run()
    assert signed_in_line(at) is None
    assert [i.value for i in at.info] == ["登录已过期，请重新登录。"]
    assert '"reason": "expired"' in ops.audit_rows()[0]["detail"]


def _cookie_for(session, key="auth-test-cookie-key-0123456789abcdefghijklmn"):
    # Exactly what streamlit-authenticator's CookieModel._token_encode signs.
    return jwt.encode({"username": session.username, "exp_date": session.expires_at}, key, algorithm="HS256")


def test_cookie_signs_in_again_until_logout(alice, monkeypatch):
    first = submit(new_app(), "alice", PASSWORD)
    cookie = _cookie_for(first.session_state["_auth_session"])
    monkeypatch.setenv("TEST_AUTH_COOKIE", cookie)
    second = new_app()  # a new browser tab carrying the cookie: no form
    assert signed_in_line(second) == "signed-in:alice:region:(('华东',), None)"
    assert events("alice") == ["login", "login"]
    first.button(key="auth_logout").click()
    first.run()
    third = new_app()  # the copied cookie is dead after logout
    assert signed_in_line(third) is None
    assert [ti.label for ti in third.text_input] == ["用户名", "密码"]


def test_cookie_we_did_not_issue_or_after_passwd_is_refused(alice, monkeypatch):
    first = submit(new_app(), "alice", PASSWORD)
    session = first.session_state["_auth_session"]
    # Correctly signed but never registered (e.g. a leaked key): refused.
    forged = sessions.Session("alice", repr(time.time() + 3600), time.time(), time.time() + 3600)
    monkeypatch.setenv("TEST_AUTH_COOKIE", _cookie_for(forged))
    assert signed_in_line(new_app()) is None
    # Signed with another key: refused.
    monkeypatch.setenv("TEST_AUTH_COOKIE", _cookie_for(session, key="z" * 48))
    assert signed_in_line(new_app()) is None
    # The real cookie works, until the password changes.
    monkeypatch.setenv("TEST_AUTH_COOKIE", _cookie_for(session))
    assert signed_in_line(new_app()) is not None
    time.sleep(0.01)
    users.set_password("alice", "another-horse-1")
    assert signed_in_line(new_app()) is None


def test_refuses_to_start_outside_demo_mode_without_a_real_key(alice, monkeypatch):
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert signed_in_line(at) is None and not at.text_input
    assert "看板无法启动" in at.error[0].value and "cookie key is missing" in at.error[0].value
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "change-me")
    at.run()
    assert "an example value" in at.error[0].value and not at.text_input


def test_cookie_key_from_streamlit_secrets(alice, monkeypatch):
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"cookie_key": "secrets-toml-key-" + "0123456789abcdefghijkl"}
    at.run()
    assert not at.error
    assert signed_in_line(submit(at, "alice", PASSWORD)) is not None


def test_demo_mode_creates_demo_accounts_on_first_visit(auth_env, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY")  # demo mode: a random per-process key
    at = new_app()
    assert (auth_env / "users.yaml").exists()
    assert signed_in_line(submit(at, "east", "east-demo-2026")) == "signed-in:east:region:(('华东',), None)"
