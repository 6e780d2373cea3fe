"""Load history in the ops database (dashboard.ops): one row per load, from
`running` to published / failed / strict_rejected / checked, or `interrupted`
when the loading process died (kill -9, crash) before it could say."""
from __future__ import annotations

import json
import os
from contextlib import closing
from pathlib import Path

import pandas as pd

from .. import ops


INTERRUPTED_MESSAGE = "interrupted: the loading process stopped before finishing (killed or crashed); nothing was published"


def _alive(pid) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, another user's process
    except (OverflowError, ValueError):
        return False
    return True


def mark_interrupted(ops_path: Path | None = None) -> list[int]:
    """Rows still `running` whose process is gone become `interrupted`. Rows
    without a process id (written by an older version) count as gone once a
    day old. Returns the ids marked."""
    from datetime import timedelta
    from ..clock import now
    day_ago = (now() - timedelta(days=1)).isoformat(timespec="seconds")
    with closing(ops.connect(ops_path)) as con:
        rows = con.execute("SELECT id, pid, started_at FROM load_history WHERE status = 'running'").fetchall()
        dead = [i for i, pid, started in rows if (not _alive(pid) if pid else started < day_ago)]
        for load_id in dead:
            con.execute("UPDATE load_history SET status = 'interrupted', finished_at = ?, message = ? "
                        "WHERE id = ? AND status = 'running'", (ops.now_text(), INTERRUPTED_MESSAGE, load_id))
    return dead


def start(username: str, files: list[str], ops_path: Path | None = None) -> int:
    mark_interrupted(ops_path)
    with closing(ops.connect(ops_path)) as con:
        cur = con.execute(
            "INSERT INTO load_history (started_at, username, files, status, pid) VALUES (?, ?, ?, 'running', ?)",
            (ops.now_text(), username, json.dumps(files, ensure_ascii=False), os.getpid()))
        return int(cur.lastrowid)


def finish(load_id: int, status: str, rows_loaded: int, rows_rejected: int, duration_s: float,
           report_path: str | None, message: str | None, ops_path: Path | None = None) -> None:
    with closing(ops.connect(ops_path)) as con:
        con.execute(
            "UPDATE load_history SET finished_at = ?, status = ?, rows_loaded = ?, rows_rejected = ?, "
            "duration_s = ?, report_path = ?, message = ? WHERE id = ?",
            (ops.now_text(), status, rows_loaded, rows_rejected, round(duration_s, 3), report_path, message, load_id))


def load_history(limit: int = 100, ops_path: Path | None = None) -> pd.DataFrame:
    """Newest first: id, started_at, finished_at, username, files, rows_loaded,
    rows_rejected, status, duration_s, report_path, message. Loads whose process
    died show as interrupted."""
    mark_interrupted(ops_path)
    with closing(ops.connect(ops_path)) as con:
        df = pd.read_sql_query("SELECT * FROM load_history ORDER BY id DESC LIMIT ?", con, params=(limit,))
    df["files"] = df["files"].map(lambda s: ", ".join(json.loads(s)) if s else "")
    return df
