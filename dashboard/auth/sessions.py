"""Server-side registry of login sessions, so a cookie cannot outlive logout,
expiry, a password change or disabling the user.

streamlit-authenticator's cookie is a signed JWT holding only the user name and
its expiry time (`exp_date`, a float with microseconds, unique per login). We
register every cookie we issue under (username, exp_date) in the SQLite ops
store. A session - a live Streamlit session or a cookie coming back - is valid
only while its row exists, is not revoked, has not expired, and was issued no
earlier than the user's `valid_since` (users file; bumped by passwd/disable).
A token we never issued (say, signed with a leaked key) is not in the
registry and is refused.
"""
from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .. import ops

DDL = [
    """CREATE TABLE IF NOT EXISTS auth_sessions (
        username TEXT NOT NULL,
        token_exp TEXT NOT NULL,     -- repr() of the cookie's exp_date: exact, no float rounding
        issued_at REAL NOT NULL,     -- epoch seconds
        expires_at REAL NOT NULL,
        revoked_at REAL,
        revoked_reason TEXT,
        PRIMARY KEY (username, token_exp)
    )""",
    "CREATE INDEX IF NOT EXISTS auth_sessions_expiry ON auth_sessions (expires_at)",
]


@dataclass(frozen=True)
class Session:
    username: str
    token_exp: str
    issued_at: float
    expires_at: float


def connect(path: Path | None = None):
    con = ops.connect(path)
    for ddl in DDL:
        con.execute(ddl)
    return con


def token_key(exp_date: float) -> str:
    return repr(float(exp_date))


def register(username: str, exp_date: float, issued_at: float | None = None, path: Path | None = None) -> Session:
    issued_at = time.time() if issued_at is None else issued_at
    session = Session(username, token_key(exp_date), issued_at, float(exp_date))
    with closing(connect(path)) as con:
        # Forget sessions that expired more than a day ago; the table stays small.
        con.execute("DELETE FROM auth_sessions WHERE expires_at < ?", (issued_at - 86400,))
        con.execute("INSERT OR REPLACE INTO auth_sessions (username, token_exp, issued_at, expires_at) "
                    "VALUES (?, ?, ?, ?)", (session.username, session.token_exp, session.issued_at,
                                            session.expires_at))
    return session


def lookup(username: str, exp_date: float, path: Path | None = None) -> Session | None:
    """The registered, unrevoked session for a cookie's (username, exp_date)."""
    with closing(connect(path)) as con:
        row = con.execute("SELECT username, token_exp, issued_at, expires_at FROM auth_sessions "
                          "WHERE username = ? AND token_exp = ? AND revoked_at IS NULL",
                          (username, token_key(exp_date))).fetchone()
    return Session(*row) if row else None


def revoke(session: Session, reason: str, path: Path | None = None) -> None:
    with closing(connect(path)) as con:
        con.execute("UPDATE auth_sessions SET revoked_at = ?, revoked_reason = ? "
                    "WHERE username = ? AND token_exp = ? AND revoked_at IS NULL",
                    (time.time(), reason, session.username, session.token_exp))


def why_invalid(session: Session, valid_since: float, now: float | None = None,
                path: Path | None = None) -> str | None:
    """None while the session may go on; else why not: expired or revoked."""
    now = time.time() if now is None else now
    if now >= session.expires_at:
        return "expired"
    if session.issued_at < valid_since:
        return "revoked"
    with closing(connect(path)) as con:
        row = con.execute("SELECT revoked_at FROM auth_sessions WHERE username = ? AND token_exp = ?",
                          (session.username, session.token_exp)).fetchone()
    if row is None or row[0] is not None:
        return "revoked"
    return None
