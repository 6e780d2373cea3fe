"""metrics.base.Memo: the frames a page's metrics share are keyed by the
reader's scope and filters and the database version, never served across
them, and emptied by clear_memos (the bench relies on it)."""
from builders import build_db, store_row
from dashboard.metrics.base import Memo, clear_memos
from dashboard.reader import Reader
from dashboard.scope import Filters, Scope
from dashboard.store import Database


def test_a_memo_never_serves_one_scope_or_version_anothers_frame(tmp_path):
    path = build_db(tmp_path / "m.duckdb", stores=[store_row("S1", region="华东"), store_row("S2", region="华南")])
    db = Database(path)
    memo, calls = Memo(), []

    def stores(reader):
        def compute():
            calls.append(reader.scope.key())
            return reader.query("SELECT store_id FROM stores ORDER BY store_id")
        return list(memo.get(reader, ("stores",), compute)["store_id"])

    everything, east = Reader(db, Scope.everything()), Reader(db, Scope.of(regions=["华东"]))
    south = Reader(db, Scope.everything(), Filters(regions=("华南",)))
    assert stores(everything) == ["S1", "S2"] and stores(east) == ["S1"] and stores(south) == ["S2"]
    assert stores(everything) == ["S1", "S2"] and len(calls) == 3        # the second read is the memo's
    frame = memo.get(everything, ("stores",), lambda: None)
    frame.loc[0, "store_id"] = "changed"                                  # a copy: the memo is untouched
    assert stores(everything) == ["S1", "S2"] and len(calls) == 3
    build_db(path, stores=[store_row("S3", region="华东")])               # a new version is published
    assert stores(everything) == ["S3"] and len(calls) == 4
    clear_memos()
    assert stores(everything) == ["S3"] and len(calls) == 5
