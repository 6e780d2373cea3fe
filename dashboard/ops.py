"""Operational records kept apart from the business data: the audit log and the
load history. SQLite, because the app, the CLI and loaders append to it from
several processes at once, and it must survive every republish of the DuckDB file."""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from . import config

DDL = [
    """CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,            -- local China time, ISO format
        username TEXT NOT NULL,
        event TEXT NOT NULL,         -- login, login_failed, login_locked, logout, export, ...
        detail TEXT NOT NULL DEFAULT '{}'   -- JSON: what was exported, from where
    )""",
    "CREATE INDEX IF NOT EXISTS audit_user_at ON audit (username, at)",
    """CREATE TABLE IF NOT EXISTS load_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        username TEXT NOT NULL,
        files TEXT NOT NULL,         -- JSON list of file names
        rows_loaded INTEGER NOT NULL DEFAULT 0,
        rows_rejected INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,        -- running, published, failed, strict_rejected, checked, interrupted
        duration_s REAL,
        report_path TEXT,
        message TEXT,
        pid INTEGER                  -- the loading process, to tell a live load from a killed one
    )""",
]
# Columns added after the first release: (table, column, type), added to older files on connect.
ADDED_COLUMNS = [("load_history", "pid", "INTEGER")]


_checked: set[str] = set()


def _private(path: Path) -> None:
    """The ops store holds the audit log and rejected rows' report paths: the
    service account only. Created 0600 in a 0700 folder; an existing file that
    others can read is tightened once per process (if we own it)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    key = str(path)
    if key not in _checked:
        _checked.add(key)
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            with contextlib.suppress(OSError):
                st = p.stat()
                if st.st_mode & 0o077 and st.st_uid == os.getuid():
                    os.chmod(p, 0o600)


def connect(path: Path | None = None) -> sqlite3.Connection:
    path = Path(path or config.ops_path())
    _private(path)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    for ddl in DDL:
        con.execute(ddl)
    for table, column, typ in ADDED_COLUMNS:
        if column not in {r[1] for r in con.execute(f"PRAGMA table_info({table})")}:
            with contextlib.suppress(sqlite3.OperationalError):  # another process added it meanwhile
                con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {typ}")
    return con


def now_text() -> str:
    from .clock import CHINA
    return datetime.now(CHINA).replace(tzinfo=None).isoformat(timespec="seconds")


def record_audit(username: str, event: str, detail: dict | None = None, path: Path | None = None) -> None:
    with closing(connect(path)) as con:
        con.execute("INSERT INTO audit (at, username, event, detail) VALUES (?, ?, ?, ?)",
                    (now_text(), username, event, json.dumps(detail or {}, ensure_ascii=False)))


def audit_rows(limit: int = 500, path: Path | None = None) -> list[dict]:
    with closing(connect(path)) as con:
        con.row_factory = sqlite3.Row
        rows = con.execute("SELECT at, username, event, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]
