"""A rollup built slice by slice (Rollup.slice_by, in bounded memory) equals the
same rollup built in one statement, and is stored in its ORDER BY."""
import duckdb

from dashboard import demo, rollups

SLICED = ["buyer_days", "share_visitor_days", "wemall_source_days", "live_invitees", "channel_fan_sales",
          "channel_daily"]


def _rows(con, name):
    # ties within an ORDER BY key may come in either order from a parallel sort, build to build
    return sorted(map(repr, con.execute(f"SELECT * FROM {name}").fetchall()))


def _stored_in_order(con, r) -> bool:
    """Physical order (rowid) is an order by r.order_by: sorting by it, ties by rowid, keeps rowid order."""
    return con.execute(f"""
        SELECT coalesce(bool_and(pos = ranked), TRUE) FROM (
          SELECT row_number() OVER (ORDER BY rowid) AS pos,
                 row_number() OVER (ORDER BY {r.order_by}, rowid) AS ranked
          FROM {r.name}) t""").fetchone()[0]


def test_sliced_build_equals_one_statement(tmp_path, monkeypatch):
    path = tmp_path / "d.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    assert [r.name for r in rollups.ROLLUPS if r.slice_by] == SLICED
    con = duckdb.connect(str(path))
    try:
        results = {}
        for slices in (1, 3, 8):
            monkeypatch.setattr(rollups, "SLICES", slices)
            rollups.build(con)
            results[slices] = {r.name: _rows(con, r.name) for r in rollups.ROLLUPS}
            assert [r.name for r in rollups.ROLLUPS if r.slice_by and not _stored_in_order(con, r)] == []
        assert results[3] == results[1] and results[8] == results[1]
        assert {n: len(results[1][n]) > 0 for n in SLICED} == {n: True for n in SLICED}
        assert len(results[1]["buyer_days"]) > 1000
    finally:
        con.close()
