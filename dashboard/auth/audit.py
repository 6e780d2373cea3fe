"""The audit trail an admin reads: logins, failed logins, lockouts, logouts and
exports, from the SQLite ops store (dashboard.ops), never the business data.

Events written by dashboard.auth: login, login_failed, login_locked (a lockout
began), login_refused (an attempt during a lockout), login_throttled (refused:
too many failures from the source), logout (detail.reason:
button, expired, revoked, disabled). Pages that export call `record_export`.
User management (dashboard.auth.manage; username = the admin, detail.user =
whom): user_added, user_changed, user_password_reset, user_disabled,
user_enabled, user_sessions_ended, user_unlocked, user_removed.
"""
from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pandas as pd

from .. import ops

EVENTS = ("login", "login_failed", "login_locked", "login_refused", "login_throttled", "logout", "export",
          "setting_changed", "user_added", "user_changed", "user_password_reset", "user_disabled", "user_enabled",
          "user_sessions_ended", "user_unlocked", "user_removed")
COLUMNS = ("at", "username", "event", "detail")


def record(username: str, event: str, detail: dict | None = None, path: Path | None = None) -> None:
    ops.record_audit(username or "", event, detail, path)


def record_export(username: str, what: str, rows: int | None = None, path: Path | None = None, **detail) -> None:
    """Call from every download: `what` names the table or page exported;
    extra keyword arguments (period, filters, format) go into the detail."""
    record(username, "export", {"what": what, "rows": rows, **detail}, path)


def last_logins(path: Path | None = None) -> dict[str, str]:
    """Each user's latest sign-in (China time, ISO), from the audit log."""
    with closing(ops.connect(path)) as con:
        rows = con.execute("SELECT username, max(at) FROM audit WHERE event = 'login' GROUP BY username").fetchall()
    return {u: at for u, at in rows}


def audit_frame(username: str | None = None, event: str | None = None, limit: int = 500,
                path: Path | None = None) -> pd.DataFrame:
    """Newest first, optionally one user's or one event's; detail as readable text."""
    limit = max(1, min(int(limit), 10000))
    where, params = [], []
    if username:
        where.append("username = ?")
        params.append(username.strip().lower())
    if event:
        where.append("event = ?")
        params.append(event)
    sql = ("SELECT at, username, event, detail FROM audit"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?")
    with closing(ops.connect(path)) as con:
        rows = con.execute(sql, (*params, limit)).fetchall()
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["detail"] = df["detail"].map(_detail_text)
    return df


def _detail_text(raw: str) -> str:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return str(data)
    return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, "", [], {}))
