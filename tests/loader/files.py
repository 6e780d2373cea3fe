"""Write small export files for loader tests, in the test's own words."""
from __future__ import annotations

from pathlib import Path

STORES_HEADER = "store_id,store_name,brand,region,province,city,opened_on,open_time,close_time"
STORES_ROWS = ["S1,静安嘉里中心店,B1,华东,上海,上海,2020-01-01,10:00,22:00",
               "S2,天河城店,B1,华南,广东,广州,2021-06-01,10:00,22:00"]
ORDERS_HEADER = "order_id,ordered_at,channel,store_id,guide_id,brand,amount,refund_amount"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


def stores_csv(folder: Path, rows=None, name="stores.csv") -> Path:
    return write(folder / name, csv_text(STORES_HEADER, STORES_ROWS if rows is None else rows))


def orders_csv(folder: Path, rows: list[str], name="orders.csv", header=ORDERS_HEADER) -> Path:
    return write(folder / name, csv_text(header, rows))


def query(db: Path, sql: str):
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
