"""When nothing narrows (an unrestricted scope, no filter), the tables whose
scope comes only through a large parent are read whole: a live view or a share
visit naming a member the members export does not hold yet (CRM exports lag)
still counts for HQ. Any narrowing brings the semi-join back, so a region
manager never sees a row the gate cannot place in their region. Store-keyed
facts keep their check against stores whatever the scope."""
from datetime import datetime

from builders import build_db, order_row, reader_for, store_row
from dashboard.scope import Filters, Scope


def test_whole_tables_only_when_nothing_narrows(tmp_path):
    db = build_db(
        tmp_path / "w.duckdb",
        stores=[store_row("S1", region="华东")],
        members=[{"member_id": "M1", "joined_at": datetime(2026, 1, 1), "store_id": "S1"}],
        live_sessions=[{"live_id": "L1", "title": "t", "brand": "B1", "host_store_id": "S1",
                        "started_at": datetime(2026, 3, 1, 20), "ended_at": datetime(2026, 3, 1, 22), "cost": 0}],
        live_views=[{"live_id": "L1", "member_id": "M1", "joined_at": datetime(2026, 3, 1, 20), "watch_seconds": 60},
                    {"live_id": "L1", "member_id": "M404", "joined_at": datetime(2026, 3, 1, 20), "watch_seconds": 60}],
        orders=[order_row("o1", "2026-03-01 10:00", "S1", 100), order_row("o2", "2026-03-01 11:00", "S9", 50)],
    )
    count = "SELECT count(*) FROM live_views"
    assert reader_for(db).scalar(count) == 2                                      # HQ: M404 counts
    assert reader_for(db, Scope.of(regions=["华东"])).scalar(count) == 1          # a region: only placed rows
    assert reader_for(db, filters=Filters.of(regions=["华东"])).scalar(count) == 1
    # An order at a store the stores table does not know stays out, as before.
    assert float(reader_for(db).scalar("SELECT sum(net) FROM orders")) == 100
