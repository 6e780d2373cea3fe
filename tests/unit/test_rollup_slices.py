"""A rollup built slice by slice (Rollup.slice_by, in bounded memory) equals the
same rollup built in one statement, row for row and in the same order."""
import duckdb

from dashboard import demo, rollups


def _rows(con, name):
    return con.execute(f"SELECT * FROM {name}").fetchall()  # physical order: the ORDER BY of the build


def test_sliced_build_equals_one_statement(tmp_path, monkeypatch):
    path = tmp_path / "d.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    sliced = [r for r in rollups.ROLLUPS if r.slice_by]
    assert [r.name for r in sliced] == ["buyer_days"]
    con = duckdb.connect(str(path))
    try:
        results = {}
        for slices in (1, 3, 8):
            monkeypatch.setattr(rollups, "SLICES", slices)
            rollups.build(con)
            # buyer_days (the sliced one) row for row in its physical order;
            # the others as the same rows (ties within an ORDER BY key may
            # come in either order from a parallel sort, build to build)
            results[slices] = {r.name: _rows(con, r.name) if r.slice_by else sorted(map(repr, _rows(con, r.name)))
                               for r in rollups.ROLLUPS}
        assert results[3] == results[1] and results[8] == results[1]
        assert len(results[1]["buyer_days"]) > 1000
    finally:
        con.close()
