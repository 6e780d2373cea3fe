"""A user's view of the data: database + scope + filters. Every metric reads
through `Reader.query`, which applies the scope (see scope.py) and binds values."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .scope import Filters, Scope, scoped_sql
from .store import Database


@dataclass
class Reader:
    db: Database
    scope: Scope
    filters: Filters = Filters()

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        text, bound = scoped_sql(sql, params, self.scope, self.filters)
        cur = self.db.cursor()
        try:
            return cur.execute(text, bound).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: dict | None = None):
        df = self.query(sql, params)
        return None if df.empty else df.iat[0, 0]

    def with_filters(self, filters: Filters) -> "Reader":
        return Reader(self.db, self.scope, filters)
