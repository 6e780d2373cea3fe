"""Load history in the ops database (dashboard.ops): one row per load, from
`running` to published / failed / strict_rejected / checked."""
from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pandas as pd

from .. import ops


def start(username: str, files: list[str], ops_path: Path | None = None) -> int:
    with closing(ops.connect(ops_path)) as con:
        cur = con.execute(
            "INSERT INTO load_history (started_at, username, files, status) VALUES (?, ?, ?, 'running')",
            (ops.now_text(), username, json.dumps(files, ensure_ascii=False)))
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
    rows_rejected, status, duration_s, report_path, message."""
    with closing(ops.connect(ops_path)) as con:
        df = pd.read_sql_query("SELECT * FROM load_history ORDER BY id DESC LIMIT ?", con, params=(limit,))
    df["files"] = df["files"].map(lambda s: ", ".join(json.loads(s)) if s else "")
    return df
