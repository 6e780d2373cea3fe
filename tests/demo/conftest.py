"""One demo build per scale, shared by the demo tests (building is the slow part)."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dashboard.demo import generate

END = date(2026, 11, 22)
PATTERN_SCALE = 0.05


class Db:
    """Plain SQL over a generated file, read-only."""

    def __init__(self, path, counts):
        self.path = path
        self.counts = counts
        self.con = duckdb.connect(str(path), read_only=True)

    def rows(self, sql, params=None):
        return self.con.execute(sql, params or {}).fetchall()

    def one(self, sql, params=None):
        return self.rows(sql, params)[0][0]


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Db:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    counts = generate(path, scale=PATTERN_SCALE, seed=7, end_date=END)
    db = Db(path, counts)
    yield db
    db.con.close()
