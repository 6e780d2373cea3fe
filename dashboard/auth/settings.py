"""Login settings: the cookie signing key and the session lifetime.

The key comes from the environment (DASHBOARD_COOKIE_KEY) or Streamlit secrets
(`.streamlit/secrets.toml`: [auth] cookie_key = "..."), never from the repo.
Outside demo mode a missing, short or example key stops the app. In demo mode
without a key, each process draws a random one (cookies then last until a restart).
"""
from __future__ import annotations

import os
import secrets

from .. import config

COOKIE_NAME = "dashboard_auth"
MIN_KEY_LENGTH = 32
# A random key of 32 hex characters has about 14 distinct ones (fewer than 8:
# never seen in 200,000 draws); "aaaa…" or "abcabc…" are not random.
MIN_KEY_DISTINCT = 8
# Placeholders that appear in docs and examples; never valid outside demo mode.
EXAMPLE_KEYS = frozenset({
    "", "change-me", "changeme", "some_key", "some_signature_key", "secret", "example",
    "replace-with-a-long-random-string", "change-me-to-a-long-random-string",
})
DEFAULT_SESSION_HOURS = 12.0

_process_key: str | None = None


class AuthConfigError(RuntimeError):
    """The app must not start: the message says what to set and where."""


def _from_secrets(name: str):
    try:
        import streamlit as st
        section = st.secrets.get("auth")
        return None if section is None else section.get(name)
    except Exception:  # no secrets.toml at all: not an error by itself
        return None


def key_problem(key: str | None) -> str | None:
    """Why a cookie key is unfit, or None: missing, an example, short, or of too
    little variety (few distinct characters, or one short pattern repeated)."""
    if not key:
        return "missing"
    if key.lower() in EXAMPLE_KEYS:
        return "an example value"
    if len(key) < MIN_KEY_LENGTH:
        return f"shorter than {MIN_KEY_LENGTH} characters"
    if len(set(key)) < MIN_KEY_DISTINCT:
        return f"of too little variety ({len(set(key))} distinct characters, at least {MIN_KEY_DISTINCT})"
    period = (key + key).find(key, 1)
    if period < len(key):
        return f"one {period}-character pattern repeated"
    return None


def cookie_key() -> str:
    global _process_key
    key = os.environ.get("DASHBOARD_COOKIE_KEY") or _from_secrets("cookie_key")
    key = str(key).strip() if key is not None else None
    problem = key_problem(key)
    if problem is None:
        return key
    if not config.demo_mode():
        raise AuthConfigError(
            f"the login cookie key is {problem}. Set DASHBOARD_COOKIE_KEY or [auth] cookie_key in "
            ".streamlit/secrets.toml to a random string, e.g. the output of "
            "`python -c \"import secrets; print(secrets.token_hex(32))\"`")
    if _process_key is None:
        _process_key = secrets.token_hex(32)
    return _process_key


def session_hours() -> float:
    """How long a login lasts (cookie and server side). DASHBOARD_SESSION_HOURS or [auth] session_hours."""
    raw = os.environ.get("DASHBOARD_SESSION_HOURS") or _from_secrets("session_hours")
    try:
        hours = float(raw) if raw not in (None, "") else DEFAULT_SESSION_HOURS
    except (TypeError, ValueError):
        raise AuthConfigError(f"session_hours must be a number of hours, got {raw!r}") from None
    if not 0 < hours <= 24 * 30:
        raise AuthConfigError(f"session_hours must be between 0 and 720, got {hours}")
    return hours


def check() -> None:
    """Raise AuthConfigError when the app must not start (the CLI and app.py call it)."""
    cookie_key()
    session_hours()
