"""A cookie key must be random-looking; failed logins are throttled per source
(the client's address) across user names, without locking out the real user
signing in from elsewhere; the per-name lockout stays."""
import secrets

import pytest

from dashboard.auth import lockout, settings
from test_login_app import PASSWORD, events, new_app, signed_in_line, submit  # noqa: F401 (fixture below)

T0 = 1_800_000_000.0


@pytest.mark.parametrize("key", ["a" * 32, "A" * 64, "abc" * 11, "abcdefgh" * 4, "0123456789abcdef" * 2,
                                 "ab" * 40])
def test_a_long_key_of_little_variety_is_refused(auth_env, monkeypatch, key):
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", key)
    with pytest.raises(settings.AuthConfigError, match="variety|pattern repeated"):
        settings.cookie_key()


def test_random_keys_are_accepted(auth_env, monkeypatch):
    for key in [secrets.token_hex(16) for _ in range(200)] + [secrets.token_hex(32), secrets.token_urlsafe(32)]:
        monkeypatch.setenv("DASHBOARD_COOKIE_KEY", key)
        assert settings.cookie_key() == key


def test_a_source_is_blocked_after_failures_across_names_but_others_are_not(auth_env):
    for i in range(lockout.SOURCE_MAX_FAILURES):
        attempt = lockout.begin_attempt(f"name{i}", now=T0 + i, source="ip:10.0.0.66")
        assert attempt.allowed, i
        lockout.failed(attempt, now=T0 + i)
    refused = lockout.begin_attempt("alice", now=T0 + 30, source="ip:10.0.0.66")
    assert not refused.allowed and refused.by_source and refused.locked_until == T0 + 19 + 900
    assert lockout.begin_attempt("alice", now=T0 + 31, source="ip:10.0.0.7").allowed  # the real user, elsewhere
    assert lockout.begin_attempt("alice", now=T0 + 19 + 900, source="ip:10.0.0.66").allowed  # block over


def test_successes_do_not_count_and_the_name_lockout_stays(auth_env):
    for i in range(lockout.SOURCE_MAX_FAILURES + 5):  # a busy office: many good sign-ins from one address
        lockout.succeeded(lockout.begin_attempt(f"user{i % 3}", now=T0 + i, source="ip:10.1.1.1"), )
    assert lockout.begin_attempt("user0", now=T0 + 100, source="ip:10.1.1.1").allowed
    for i in range(lockout.MAX_FAILURES):  # five failures for one name, from five sources
        a = lockout.begin_attempt("bob", now=T0 + 200 + i, source=f"ip:10.2.0.{i}")
        lockout.failed(a, now=T0 + 200 + i)
    refused = lockout.begin_attempt("bob", now=T0 + 210, source="ip:10.9.9.9")
    assert not refused.allowed and not refused.by_source  # the per-name lockout


@pytest.fixture
def alice(auth_env):
    from dashboard.auth import users
    users.add_user("alice", PASSWORD, "region", regions=["华东"], name="爱丽丝")
    return auth_env


def test_the_login_form_throttles_a_guessing_source_not_the_real_user(alice, monkeypatch):
    monkeypatch.setenv("TEST_CLIENT_IP", "203.0.113.66")
    at = new_app()
    for i in range(lockout.SOURCE_MAX_FAILURES):  # never 5 on one name: no name is locked
        submit(at, f"guess{i % 10}x{i // 10}", "wrong-password")
    assert "网络地址" in at.error[0].value
    submit(at, "alice", PASSWORD)  # even the right password, from this source
    assert signed_in_line(at) is None and "网络地址" in at.error[0].value
    assert events("alice") == ["login_throttled"]
    monkeypatch.setenv("TEST_CLIENT_IP", "198.51.100.7")  # the real user, from their own address
    assert signed_in_line(submit(new_app(), "alice", PASSWORD)) == "signed-in:alice:region:(('华东',), None)"


def test_the_source_is_the_forwarded_address_only_behind_a_trusted_or_local_proxy(auth_env, monkeypatch):
    import streamlit as st

    from dashboard.auth.login import client_source
    proxy = type(st.context)
    seen = {"ip": "192.0.2.10", "headers": {"X-Forwarded-For": "6.6.6.6, 203.0.113.5"}}
    monkeypatch.setattr(proxy, "ip_address", property(lambda self: seen["ip"]))
    monkeypatch.setattr(proxy, "headers", property(lambda self: seen["headers"]))
    assert client_source() == "ip:192.0.2.10"  # a direct client may forge the header: not trusted
    monkeypatch.setenv("DASHBOARD_TRUST_PROXY", "on")
    assert client_source() == "fwd:203.0.113.5"  # the address our proxy appended, not the forged first one
    monkeypatch.setenv("DASHBOARD_TRUST_PROXY", "off")
    seen["ip"] = None  # a proxy on this host (Streamlit reports no address for localhost)
    assert client_source() == "fwd:203.0.113.5"
    seen["headers"] = {}
    assert client_source().startswith("session:")
