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


def test_callers_asking_at_once_share_one_computation_and_a_failure_is_not_kept(tmp_path):
    """Ten sessions opening the same view compute its shared frame once; the
    others wait for it. A computation that fails leaves nothing behind: the
    next caller computes again."""
    import threading
    import time

    import pytest

    path = build_db(tmp_path / "m.duckdb", stores=[store_row("S1", region="华东")])
    reader, memo, calls = Reader(Database(path), Scope.everything()), Memo(), []
    started = threading.Barrier(10)

    def compute():
        calls.append(1)
        time.sleep(0.2)                                                   # long enough for all to arrive
        return reader.query("SELECT store_id FROM stores")

    results = []

    def ask():
        started.wait()
        results.append(list(memo.get(reader, ("stores",), compute)["store_id"]))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [["S1"]] * 10 and len(calls) == 1

    def fail():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        memo.get(reader, ("other",), fail)
    assert list(memo.get(reader, ("other",), compute)["store_id"]) == ["S1"] and len(calls) == 2
