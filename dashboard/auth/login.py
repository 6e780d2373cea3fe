"""The login gate the app runs on every rerun, built on streamlit-authenticator.

What the library does: bcrypt password check and its session-state keys
(`AuthenticationController.login`, `.logout`), the signed re-login cookie
(`CookieController.set_cookie`, `.get_cookie`, `.delete_cookie`). It gets an
in-memory credentials dict built from our users file, so it never writes it.

What we add around it, because the library cannot do it for us:
- the form itself (our labels via t()), so the lockout is checked *before* a
  password is tried (lockout.py; the library's own attempt limit is not used);
- a server-side session registry (sessions.py) checked on every rerun and for
  every cookie: logout, expiry, a password change or disabling the user end
  the session even if someone kept a copy of the cookie;
- the audit trail (audit.py).

app.py:
    user = login_gate()
    if user is None:
        st.stop()
    logout_button()          # in the sidebar
"""
from __future__ import annotations

import time
from datetime import datetime

import streamlit as st

from .. import config
from ..ui.i18n import t
from ..ui.plain import md
from . import audit, lockout, sessions, settings
from .demo_users import ensure_demo_users
from .users import User, UsersFileError, check_password, hash_password, credentials_dict, load_users, normalize_username

SESSION_KEY = "_auth_session"          # sessions.Session of this browser session's login
NOTICE_KEY = "_auth_notice"            # message key shown once above the login form
DELETE_COOKIE_KEY = "_auth_delete_cookie"
REJECTED_COOKIE_KEY = "_auth_rejected_cookie"
AUTHENTICATOR_KEY = "_auth_authenticator"
_LIBRARY_KEYS = ("name", "username", "authentication_status", "email", "roles")

_dummy_hash: str | None = None


def _equalize_timing(password: str) -> None:
    """Spend one bcrypt check on unknown user names too, so response time does
    not tell which names exist."""
    global _dummy_hash
    if _dummy_hash is None:
        import secrets
        _dummy_hash = hash_password(secrets.token_hex(16))
    check_password(password, _dummy_hash)


def _iso(epoch: float) -> str:
    from ..clock import CHINA
    return datetime.fromtimestamp(epoch, CHINA).replace(tzinfo=None).isoformat(timespec="seconds")


def _authenticator(entries):
    from streamlit_authenticator import Authenticate
    auth = Authenticate(credentials_dict(entries), settings.COOKIE_NAME, settings.cookie_key(),
                        settings.session_hours() / 24, auto_hash=False)
    st.session_state[AUTHENTICATOR_KEY] = auth
    return auth


def _clear_library_state() -> None:
    for key in _LIBRARY_KEYS:
        st.session_state[key] = None
    st.session_state["logout"] = True  # the library then ignores the (stale) cookie for this session


def _end_session(auth, session, reason: str, notice: str) -> None:
    """Log this browser session out server-side and in the library, and drop the cookie."""
    if session is not None:
        sessions.revoke(session, reason)
        audit.record(session.username, "logout", {"reason": reason})
    if auth is not None and st.session_state.get("authentication_status"):
        auth.authentication_controller.logout()
    _clear_library_state()
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[NOTICE_KEY] = notice
    st.session_state[DELETE_COOKIE_KEY] = True  # done by login_gate, inside the script run


def _delete_cookie(auth) -> None:
    """The library's cookie deletion renders a component: at most once per run."""
    if not getattr(auth, "_dashboard_cookie_deleted", False):
        auth._dashboard_cookie_deleted = True
        auth.cookie_controller.delete_cookie()


def _current(auth, entries) -> User | None:
    """The user of an already logged-in session, re-validated on this rerun."""
    session = st.session_state.get(SESSION_KEY)
    if not st.session_state.get("authentication_status"):
        return None
    entry = entries.get(session.username) if session is not None else None
    if session is None or st.session_state.get("username") != session.username:
        _end_session(auth, session, "revoked", "auth.revoked")
        return None
    if entry is None or not entry.user.active:
        _end_session(auth, session, "disabled", "auth.revoked")
        return None
    reason = sessions.why_invalid(session, entry.valid_since)
    if reason:
        _end_session(auth, session, reason, "auth.expired" if reason == "expired" else "auth.revoked")
        return None
    return entry.user


def _resume_from_cookie(auth, entries) -> User | None:
    """A browser coming back with the library's cookie: accepted only if we issued
    it, it is neither revoked nor expired, and the user is still active."""
    token = auth.cookie_controller.get_cookie()
    if not token or not isinstance(token, dict):
        return None
    username, exp = token.get("username"), token.get("exp_date")
    if not isinstance(username, str) or not isinstance(exp, (int, float)):
        return None
    if st.session_state.get(REJECTED_COOKIE_KEY) == (username, exp):
        return None
    entry = entries.get(username)
    session = sessions.lookup(username, exp)
    if entry is None or not entry.user.active or session is None or sessions.why_invalid(session, entry.valid_since):
        st.session_state[REJECTED_COOKIE_KEY] = (username, exp)
        _delete_cookie(auth)
        return None
    auth.authentication_controller.login(token=token)
    st.session_state[SESSION_KEY] = session
    audit.record(username, "login", {"method": "cookie"})
    return entry.user


def client_source() -> str:
    """Who is trying, for the per-source throttle: the client's address as
    Streamlit sees it; behind a proxy on this host (no address), or with
    DASHBOARD_TRUST_PROXY on, the address the proxy appended last to
    X-Forwarded-For (or X-Real-IP); else this browser session (weakest: a new
    session is a new source)."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (tests, bare mode)
        ip = None
    try:
        headers = st.context.headers
        forwarded = (headers.get("X-Forwarded-For") or "").split(",")[-1].strip() or \
            (headers.get("X-Real-Ip") or "").strip()
    except Exception:  # noqa: BLE001
        forwarded = ""
    if forwarded and (not ip or config.trust_proxy()):
        return f"fwd:{forwarded}"
    if ip:
        return f"ip:{ip}"
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id if ctx else 'none'}"


def _attempt(auth, entries, typed_name: str, password: str) -> User | None:
    username = normalize_username(typed_name)
    if not username or not password:
        st.warning(t("auth.missing_fields"))
        return None
    source = client_source()
    attempt = lockout.begin_attempt(username, source=source)
    if not attempt.allowed:
        if attempt.by_source:
            audit.record(attempt.username, "login_throttled",
                         {"source": source, "until": _iso(attempt.locked_until)})
            st.error(t("auth.throttled", minutes=attempt.minutes_left()))
        else:
            audit.record(attempt.username, "login_refused", {"locked_until": _iso(attempt.locked_until)})
            st.error(t("auth.locked", minutes=attempt.minutes_left()))
        return None
    known = username in entries and entries[username].user.active
    if not known:
        _equalize_timing(password)
    try:
        ok = known and auth.authentication_controller.login(username, password)
    except Exception:  # the library's LoginError and friends: a failed login, not a crash
        ok = False
    if ok:
        lockout.succeeded(attempt)
        issued = time.time()
        auth.cookie_controller.set_cookie()
        exp = auth.cookie_controller.cookie_model.exp_date or issued + settings.session_hours() * 3600
        st.session_state[SESSION_KEY] = sessions.register(username, exp, issued)
        st.session_state.pop(REJECTED_COOKIE_KEY, None)
        audit.record(username, "login", {"method": "password"})
        return entries[username].user
    st.session_state["authentication_status"] = None
    until = lockout.failed(attempt)
    reason = "bad_password" if username in entries else "unknown_user"
    if username in entries and not entries[username].user.active:
        reason = "inactive_user"
    audit.record(attempt.username, "login_failed", {"reason": reason})
    source_until = lockout.source_blocked_until(source)
    if until:
        audit.record(attempt.username, "login_locked", {"until": _iso(until), "failures": lockout.MAX_FAILURES})
        st.error(t("auth.locked", minutes=attempt.minutes_left() or int(lockout.LOCK_SECONDS // 60)))
    elif source_until:
        audit.record(attempt.username, "login_throttled", {"source": source, "until": _iso(source_until)})
        st.error(t("auth.throttled", minutes=int(lockout.SOURCE_LOCK_SECONDS // 60)))
    else:
        st.error(t("auth.bad_credentials"))
    return None


def login_gate() -> User | None:
    """Run on every rerun, before anything else. Returns the logged-in user, or
    draws the login form and returns None (the app then calls st.stop())."""
    try:
        config.check()
        settings.check()
    except (config.ConfigError, settings.AuthConfigError) as exc:
        st.error(t("auth.config_error", detail=str(exc)))
        st.stop()
    try:
        ensure_demo_users()
        entries = load_users()
    except (UsersFileError, OSError) as exc:
        st.error(t("auth.users_error", detail=md(exc)))
        return None
    auth = _authenticator(entries)
    user = _current(auth, entries)
    if user is not None:
        return user
    if st.session_state.pop(DELETE_COOKIE_KEY, False):
        _delete_cookie(auth)
    user = _resume_from_cookie(auth, entries)
    if user is not None:
        return user
    form_area = st.empty()
    with form_area.container():
        notice = st.session_state.pop(NOTICE_KEY, None)
        if notice:
            st.info(t(notice))
        # clear_on_submit: the typed password does not linger in session state.
        with st.form("auth_login", clear_on_submit=True):
            st.subheader(t("auth.form_title"))
            typed = st.text_input(t("auth.username"), key="auth_username", autocomplete="username")
            password = st.text_input(t("auth.password"), type="password", key="auth_password",
                                     autocomplete="current-password")
            submitted = st.form_submit_button(t("auth.submit"), type="primary")
        if config.demo_mode():
            st.caption(t("auth.demo_hint"))
        if not submitted:
            return None
    # Outside the form's container: on success it is emptied, and the cookie
    # component that _attempt renders must stay on the page to set the cookie.
    user = _attempt(auth, entries, typed, password)
    if user is not None:
        form_area.empty()
    return user


def _on_logout() -> None:
    """Button callback: runs before the next script run, so login_gate already
    sees the session ended and draws the login form (and deletes the cookie)."""
    _end_session(st.session_state.get(AUTHENTICATOR_KEY), st.session_state.get(SESSION_KEY),
                 "logout", "auth.logged_out")


def logout_button(location: str = "sidebar", show_user: bool = True) -> None:
    """The logout button (sidebar by default), with who is signed in above it."""
    if location not in ("sidebar", "main"):
        raise ValueError("location must be 'sidebar' or 'main'")
    area = st.sidebar if location == "sidebar" else st
    if not st.session_state.get("authentication_status"):
        return
    if show_user:
        user = current_user()
        if user is not None:
            area.caption(t("auth.signed_in_as", name=md(user.name), role=t(f"auth.role.{user.role}")))
    area.button(t("auth.logout"), key="auth_logout", on_click=_on_logout)


def current_user() -> User | None:
    """The signed-in user of this session (as of the last login_gate), for pages."""
    session = st.session_state.get(SESSION_KEY)
    if session is None or not st.session_state.get("authentication_status"):
        return None
    try:
        entry = load_users().get(session.username)
    except (UsersFileError, OSError):
        return None
    return entry.user if entry is not None and entry.user.active else None
