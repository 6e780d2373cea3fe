"""Big exports stream: a file is read in chunks, each chunk's cells checked and its
good rows staged on disk, then keys, ranges and references are checked over the
whole file. A load in chunks of 2 rows must give exactly what a load of the
whole file at once gives: the same rows, the same problems (file, row, column,
value, reason), the same counts. The admin page's preview reads the head only."""
import shutil

import pytest

from dashboard.loader import load, preview, readers
from files import ORDERS_HEADER, csv_text, query, stores_csv, write

ROWS = [
    "O01,2024-05-01 10:00,pos,S1,,B1,100,0",
    "O02,2024-05-01 11:00,pos,S1,,B1,120.50,0",
    "O03,2024-05-01 12:00,pos,S9,,B1,100,0",          # unknown store (a reference)
    "O01,2024-05-01 10:00,pos,S1,,B1,100,0",          # identical repeat of row 2, in another chunk
    "O04,2024-05-02 10:00,wemall,S2,,B1,80,0",
    "",                                               # a blank line: skipped, still counted
    "O05,2024-05-02 10:00,pos,S2,,B1,100,120",        # refund above amount (a range rule)
    "O06,2024-05-32,pos,S2,,B1,100,0",                # not a date (a cell)
    "O04,2024-05-02 10:00,wemall,S2,,B1,81,0",        # same key as row 6, other values
    "O07,2024-05-03 10:00,门店,S2,,B1,100,0",          # not an enum value
    "O08,2024-05-03 10:00,pos,S2,G404,B1,100,0",      # unknown guide
    "O09,2024-05-03 10:00,pos,S2,,B1,99.90,9.90",
    "合计,,,,,,1000,10",                                # a totals row at the end
]


def _problems(result):
    return sorted((p.file, p.row or 0, p.column, str(p.value), p.reason_en, p.kind) for p in result.problems)


def _load(tmp_path, name, monkeypatch, chunk):
    folder = tmp_path / name
    folder.mkdir()
    monkeypatch.setattr(readers, "CHUNK_ROWS", chunk)
    db = folder / "x.duckdb"
    files = [stores_csv(folder), write(folder / "orders.csv", csv_text(ORDERS_HEADER, ROWS))]
    result = load(files, db)
    return db, result


def test_a_load_in_chunks_equals_a_load_at_once(tmp_path, monkeypatch):
    whole_db, whole = _load(tmp_path, "whole", monkeypatch, 10_000)
    for chunk in (1, 2, 5):
        db, chunked = _load(tmp_path, f"chunk{chunk}", monkeypatch, chunk)
        assert chunked.status == whole.status == "published"
        assert _problems(chunked) == _problems(whole)
        assert (chunked.rows_loaded, chunked.rows_rejected, chunked.rows_excluded) == \
            (whole.rows_loaded, whole.rows_rejected, whole.rows_excluded)
        assert [(f.file, f.table, f.rows, f.loaded, f.rejected) for f in chunked.files] == \
            [(f.file, f.table, f.rows, f.loaded, f.rejected) for f in whole.files]
        sql = "SELECT * FROM orders ORDER BY order_id"
        assert query(db, sql) == query(whole_db, sql)
    assert [r[0] for r in query(whole_db, "SELECT order_id FROM orders ORDER BY 1")] == ["O01", "O02", "O09"]
    reasons = {(p.row, p.column): p.reason_en for p in whole.problems}
    assert reasons[(5, "order_id")] == "duplicate of row 2"
    assert reasons[(6, "order_id")] == reasons[(10, "order_id")] == \
        "duplicate key with different values (rows 6, 10)"
    assert reasons[(4, "store_id")] == "no stores row has this store_id"
    assert reasons[(8, "refund_amount")] == "refund_amount must be between 0 and amount"
    assert reasons[(14, "")] == "totals row, not a data row"


def test_a_bad_tail_of_a_big_file_loads_nothing_of_it_and_keeps_the_published_data(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK_ROWS", 3)
    db = tmp_path / "x.duckdb"
    first = load([stores_csv(tmp_path), write(tmp_path / "orders.csv", csv_text(ORDERS_HEADER, ROWS[:2]))], db)
    assert first.status == "published"
    body = csv_text(ORDERS_HEADER, [f"P{i:03d},2024-05-04 10:00,pos,S1,,B1,10,0" for i in range(20)])
    broken = tmp_path / "orders_more.csv"
    broken.write_bytes(body.encode() + b"P999,2024-05-04 10:00,pos,S1,,B1,\xff\xfe,0\n")  # not UTF-8 nor GB18030
    result = load([broken], db)
    assert result.status == "failed"
    assert [p.kind for p in result.problems] == ["file"] and "orders_more.csv" in result.problems[0].message
    assert query(db, "SELECT order_id FROM orders ORDER BY 1") == [("O01",), ("O02",)]


def test_a_field_too_long_deep_in_a_streamed_file_names_its_row(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK_ROWS", 4)
    rows = [f"P{i:03d},2024-05-04 10:00,pos,S1,,B1,10,0" for i in range(10)]
    rows.append("P999,2024-05-04 10:00,pos,S1,,B1,10," + "x" * (readers.MAX_FIELD_CHARS + 1))
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), write(tmp_path / "orders.csv", csv_text(ORDERS_HEADER, rows))], db)
    assert result.status == "published"  # the stores loaded; the orders file is a file problem
    assert any(p.kind == "file" and "row 12" in p.message for p in result.problems)
    assert query(db, "SELECT count(*) FROM orders") == [(0,)]


def test_the_preview_reads_only_the_head(tmp_path, monkeypatch):
    """A file whose tail is not readable previews fine: the preview never got there."""
    monkeypatch.setattr("dashboard.loader.pipeline.PREVIEW_ROWS", 50)
    rows = [f"P{i:05d},2024-05-04 10:00,pos,S1,,B1,10,0" for i in range(40_000)]  # > readers.HEAD_BYTES
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_text(ORDERS_HEADER, rows).encode() + b"P9999,\xff\xfe,pos,S1,,B1,10,0\n")
    item, = preview([path], rows=10)
    assert item["problems"] == [] and item["table"] == "orders"
    assert item["rows"] == 50 and item["more"] is True and len(item["head"]) == 10
    small, = preview([write(tmp_path / "stores.csv", csv_text("store_id,store_name", ["S1,店"]))])
    assert small["rows"] == 1 and small["more"] is False


@pytest.mark.parametrize("chunk", [2, 3])
def test_a_totals_row_is_found_whatever_the_chunk_ends(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(readers, "CHUNK_ROWS", chunk)
    rows = ["O01,2024-05-01 10:00,pos,S1,,B1,100,0", "O02,2024-05-01 11:00,pos,S1,,B1,100,0",
            "合计,,,,,,200,0", "", ""]
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), write(tmp_path / "orders.csv", csv_text(ORDERS_HEADER, rows))], db)
    assert [(p.row, p.reason_en) for p in result.problems] == [(4, "totals row, not a data row")]
    assert query(db, "SELECT count(*) FROM orders") == [(2,)]
