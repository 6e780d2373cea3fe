"""Brute-force lockout: after 5 failed logins for a user name within 15
minutes, refuse every attempt for that name for 15 minutes.

Kept in the SQLite ops store, so it holds across sessions, browser tabs and
app restarts, and is shared by every process. Counted per user name as typed
(normalised), whether or not the user exists, so the lockout does not reveal
which names are real. Each attempt reserves its row *before* the password is
checked, inside an IMMEDIATE transaction, so a burst of parallel attempts
cannot get more than 5 guesses through; a successful login deletes the rows.
"""
from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .. import ops
from .users import normalize_username

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60
_MAX_NAME = 64  # longer typed names are cut: the table cannot be bloated through the form

DDL = [
    """CREATE TABLE IF NOT EXISTS auth_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL,
        at REAL NOT NULL              -- epoch seconds of the attempt
    )""",
    "CREATE INDEX IF NOT EXISTS auth_failures_user_at ON auth_failures (username, at)",
    """CREATE TABLE IF NOT EXISTS auth_lockouts (
        username TEXT PRIMARY KEY,
        locked_at REAL NOT NULL,
        until REAL NOT NULL
    )""",
]


@dataclass(frozen=True)
class Attempt:
    """The outcome of asking to try a password: allowed (with a reserved row) or locked."""
    username: str
    allowed: bool
    row_id: int | None = None
    locked_until: float | None = None

    def minutes_left(self, now: float | None = None) -> int:
        if self.locked_until is None:
            return 0
        now = time.time() if now is None else now
        return max(1, int(-(-(self.locked_until - now) // 60)))  # ceil, at least 1


def connect(path: Path | None = None):
    con = ops.connect(path)
    for ddl in DDL:
        con.execute(ddl)
    return con


def key(username: str) -> str:
    return normalize_username(username)[:_MAX_NAME]


def locked_until(username: str, now: float | None = None, path: Path | None = None) -> float | None:
    now = time.time() if now is None else now
    with closing(connect(path)) as con:
        row = con.execute("SELECT until FROM auth_lockouts WHERE username = ? AND until > ?",
                          (key(username), now)).fetchone()
    return row[0] if row else None


def begin_attempt(username: str, now: float | None = None, path: Path | None = None) -> Attempt:
    """Ask to check a password for `username`; reserve the attempt if allowed."""
    name = key(username)
    now = time.time() if now is None else now
    with closing(connect(path)) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            row = con.execute("SELECT until FROM auth_lockouts WHERE username = ? AND until > ?",
                              (name, now)).fetchone()
            if row:
                con.execute("COMMIT")
                return Attempt(name, False, locked_until=row[0])
            pending = con.execute("SELECT count(*), min(at) FROM auth_failures WHERE username = ? AND at > ?",
                                  (name, now - WINDOW_SECONDS)).fetchone()
            if pending[0] >= MAX_FAILURES:
                # Only reachable with parallel attempts in flight: refuse until the oldest leaves the window.
                con.execute("COMMIT")
                return Attempt(name, False, locked_until=pending[1] + WINDOW_SECONDS)
            cur = con.execute("INSERT INTO auth_failures (username, at) VALUES (?, ?)", (name, now))
            con.execute("COMMIT")
            return Attempt(name, True, row_id=cur.lastrowid)
        except BaseException:
            con.execute("ROLLBACK")
            raise


def succeeded(attempt: Attempt, path: Path | None = None) -> None:
    """The password was right: the name's failure count starts again."""
    with closing(connect(path)) as con:
        con.execute("DELETE FROM auth_failures WHERE username = ?", (attempt.username,))


def failed(attempt: Attempt, now: float | None = None, path: Path | None = None) -> float | None:
    """The password was wrong (its row stays). Returns the lock's end if this
    failure started a lockout."""
    now = time.time() if now is None else now
    with closing(connect(path)) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            count = con.execute("SELECT count(*) FROM auth_failures WHERE username = ? AND at > ?",
                                (attempt.username, now - WINDOW_SECONDS)).fetchone()[0]
            until = None
            if count >= MAX_FAILURES:
                until = now + LOCK_SECONDS
                con.execute("INSERT OR REPLACE INTO auth_lockouts (username, locked_at, until) VALUES (?, ?, ?)",
                            (attempt.username, now, until))
                # The lock now speaks for these failures; after it ends the name starts afresh.
                con.execute("DELETE FROM auth_failures WHERE username = ? AND at <= ?", (attempt.username, now))
            con.execute("DELETE FROM auth_failures WHERE at < ?", (now - 86400,))
            con.execute("COMMIT")
            return until
        except BaseException:
            con.execute("ROLLBACK")
            raise


def unlock(username: str, path: Path | None = None) -> None:
    """An admin lifts a lockout early (`python -m dashboard users unlock NAME`)."""
    with closing(connect(path)) as con:
        con.execute("DELETE FROM auth_lockouts WHERE username = ?", (key(username),))
        con.execute("DELETE FROM auth_failures WHERE username = ?", (key(username),))
