"""Brute-force lockout: after 5 failed logins for a user name within 15
minutes, refuse every attempt for that name for 15 minutes. And a per-source
throttle: after 20 failed logins from one source (the client's address, else
its browser session) within 15 minutes, whatever the names tried, refuse every
attempt *from that source* for 15 minutes. A guesser spraying many names is
stopped after 20 bcrypt checks, and the real user signing in from elsewhere is
not affected by the source block.

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
SOURCE_MAX_FAILURES = 20
SOURCE_WINDOW_SECONDS = 15 * 60
SOURCE_LOCK_SECONDS = 15 * 60
_MAX_SOURCE = 128

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
    """CREATE TABLE IF NOT EXISTS auth_source_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,         -- ip:<address>, fwd:<address> or session:<id>
        at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS auth_source_failures_at ON auth_source_failures (source, at)",
    """CREATE TABLE IF NOT EXISTS auth_source_blocks (
        source TEXT PRIMARY KEY,
        blocked_at REAL NOT NULL,
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
    source: str | None = None
    by_source: bool = False   # refused because of the source throttle, not the name's lockout
    source_row_id: int | None = None

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


def source_key(source: str | None) -> str | None:
    return str(source)[:_MAX_SOURCE] if source else None


def _source_refusal(con, source: str, now: float) -> float | None:
    row = con.execute("SELECT until FROM auth_source_blocks WHERE source = ? AND until > ?",
                      (source, now)).fetchone()
    if row:
        return row[0]
    pending = con.execute("SELECT count(*), min(at) FROM auth_source_failures WHERE source = ? AND at > ?",
                          (source, now - SOURCE_WINDOW_SECONDS)).fetchone()
    if pending[0] >= SOURCE_MAX_FAILURES:  # parallel attempts in flight
        return pending[1] + SOURCE_WINDOW_SECONDS
    return None


def begin_attempt(username: str, now: float | None = None, path: Path | None = None,
                  source: str | None = None) -> Attempt:
    """Ask to check a password for `username` from `source`; reserve the attempt if allowed."""
    name = key(username)
    source = source_key(source)
    now = time.time() if now is None else now
    with closing(connect(path)) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            if source:
                until = _source_refusal(con, source, now)
                if until:
                    con.execute("COMMIT")
                    return Attempt(name, False, locked_until=until, source=source, by_source=True)
            row = con.execute("SELECT until FROM auth_lockouts WHERE username = ? AND until > ?",
                              (name, now)).fetchone()
            if row:
                con.execute("COMMIT")
                return Attempt(name, False, locked_until=row[0], source=source)
            pending = con.execute("SELECT count(*), min(at) FROM auth_failures WHERE username = ? AND at > ?",
                                  (name, now - WINDOW_SECONDS)).fetchone()
            if pending[0] >= MAX_FAILURES:
                # Only reachable with parallel attempts in flight: refuse until the oldest leaves the window.
                con.execute("COMMIT")
                return Attempt(name, False, locked_until=pending[1] + WINDOW_SECONDS, source=source)
            cur = con.execute("INSERT INTO auth_failures (username, at) VALUES (?, ?)", (name, now))
            source_row = None
            if source:  # reserved like the name's row; a success takes it back
                source_row = con.execute("INSERT INTO auth_source_failures (source, at) VALUES (?, ?)",
                                         (source, now)).lastrowid
            con.execute("COMMIT")
            return Attempt(name, True, row_id=cur.lastrowid, source=source, source_row_id=source_row)
        except BaseException:
            con.execute("ROLLBACK")
            raise


def succeeded(attempt: Attempt, path: Path | None = None) -> None:
    """The password was right: the name's failure count starts again; the
    source's reserved row for this attempt is taken back (its earlier failures stay)."""
    with closing(connect(path)) as con:
        con.execute("DELETE FROM auth_failures WHERE username = ?", (attempt.username,))
        if attempt.source_row_id is not None:
            con.execute("DELETE FROM auth_source_failures WHERE id = ?", (attempt.source_row_id,))


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
            if attempt.source:
                n = con.execute("SELECT count(*) FROM auth_source_failures WHERE source = ? AND at > ?",
                                (attempt.source, now - SOURCE_WINDOW_SECONDS)).fetchone()[0]
                if n >= SOURCE_MAX_FAILURES:
                    con.execute("INSERT OR REPLACE INTO auth_source_blocks (source, blocked_at, until) "
                                "VALUES (?, ?, ?)", (attempt.source, now, now + SOURCE_LOCK_SECONDS))
                    con.execute("DELETE FROM auth_source_failures WHERE source = ? AND at <= ?", (attempt.source, now))
            con.execute("DELETE FROM auth_failures WHERE at < ?", (now - 86400,))
            con.execute("DELETE FROM auth_source_failures WHERE at < ?", (now - 86400,))
            con.execute("DELETE FROM auth_source_blocks WHERE until < ?", (now - 86400,))
            con.execute("COMMIT")
            return until
        except BaseException:
            con.execute("ROLLBACK")
            raise


def source_blocked_until(source: str | None, now: float | None = None, path: Path | None = None) -> float | None:
    if not source:
        return None
    now = time.time() if now is None else now
    with closing(connect(path)) as con:
        row = con.execute("SELECT until FROM auth_source_blocks WHERE source = ? AND until > ?",
                          (source_key(source), now)).fetchone()
    return row[0] if row else None


def unlock(username: str, path: Path | None = None) -> None:
    """An admin lifts a lockout early (`python -m dashboard users unlock NAME`)."""
    with closing(connect(path)) as con:
        con.execute("DELETE FROM auth_lockouts WHERE username = ?", (key(username),))
        con.execute("DELETE FROM auth_failures WHERE username = ?", (key(username),))
