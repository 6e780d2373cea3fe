"""An incremental publish (a load refreshing only the rollups its rows can
change, rollups.refresh) leaves every rollup exactly as a full rebuild of the
same facts would, on hand-built data and on a small demo: each load below is
followed by a full rebuild of a copy, and every table of rollups.ROLLUPS must
hold the same rows (EXCEPT both ways, same row counts), and the metrics must
agree. The batches: a new day of orders (a new member's first order, a live
order, a share order), refunds on old orders (one taking a member's only
purchase to net 0), a new member, a new share, new group messages, and
dimension changes (a store's region, a guide's store).
A failed publish leaves the published file untouched.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard import demo, rollups, schema, store
from dashboard.loader import pipeline
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period


def _load(db: Path, folder: Path, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Load the frames as <table>.csv through the loader; -> the refresh outcome per rollup."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, frame in tables.items():
        path = folder / f"{table}.csv"
        frame[schema.COLUMNS[table]].to_csv(path, index=False)
        paths.append(path)
    seen: dict[str, str] = {}
    real = rollups.refresh

    def spy(con, log=None):
        out = real(con, log)
        seen.update(out)
        return out

    rollups.refresh = spy
    try:
        result = pipeline.load(paths, db, ops_path=folder / "ops.sqlite")
    finally:
        rollups.refresh = real
    assert result.status == "published", (result.message, result.problems_frame().head())
    assert result.rows_rejected == 0, result.problems_frame().head()
    return seen


def _full_rebuild_copy(db: Path, folder: Path) -> Path:
    copy = folder / "full.duckdb"
    for p in folder.glob("*full.duckdb*"):
        p.unlink()
    shutil.copyfile(db, copy)
    with store.building(copy):  # no records: every rollup rebuilt from the facts
        pass
    return copy


def _assert_rollups_equal(incremental: Path, full: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{incremental}' AS inc (READ_ONLY)")
        con.execute(f"ATTACH '{full}' AS rebuilt (READ_ONLY)")
        differ = []
        for r in rollups.ROLLUPS:
            n_inc, = con.execute(f"SELECT count(*) FROM inc.{r.name}").fetchone()
            n_full, = con.execute(f"SELECT count(*) FROM rebuilt.{r.name}").fetchone()
            extra, = con.execute(f"SELECT count(*) FROM (SELECT * FROM inc.{r.name} EXCEPT "
                                 f"SELECT * FROM rebuilt.{r.name})").fetchone()
            missing, = con.execute(f"SELECT count(*) FROM (SELECT * FROM rebuilt.{r.name} EXCEPT "
                                   f"SELECT * FROM inc.{r.name})").fetchone()
            if (n_inc, extra, missing) != (n_full, 0, 0):
                differ.append((r.name, n_inc, n_full, extra, missing))
        assert differ == []
    finally:
        con.close()


def _metrics_agree(incremental: Path, full: Path, as_of: date) -> int:
    period = Period(as_of - timedelta(days=29), as_of)
    args = MetricArgs(period, as_of)
    compared = 0
    for name in sorted(METRICS):
        outs = []
        for db in (incremental, full):
            try:
                outs.append(METRICS[name](reader_for(db), args))
            except Exception as exc:  # noqa: BLE001 - a metric needing options fails alike on both
                outs.append(type(exc).__name__)
        if isinstance(outs[0], pd.DataFrame) and isinstance(outs[1], pd.DataFrame):
            pd.testing.assert_frame_equal(outs[0], outs[1], obj=name)
            compared += 1
        else:
            assert repr(outs[0]) == repr(outs[1]), name
    return compared


def _check(db: Path, folder: Path, as_of: date) -> None:
    full = _full_rebuild_copy(db, folder)
    _assert_rollups_equal(db, full)
    assert _metrics_agree(db, full, as_of) > 20


def _rows(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _batches(db: Path):
    """(label, tables) loads made from the file's own rows, in order."""
    last = _rows(db, "SELECT CAST(max(ordered_at) AS DATE) AS d FROM orders")["d"][0]
    new_day = pd.Timestamp(last) + pd.Timedelta(days=1)
    day = _rows(db, f"""
        SELECT 'N' || order_id AS order_id, ordered_at + INTERVAL 1 DAY AS ordered_at, * EXCLUDE (order_id, ordered_at)
        FROM orders WHERE CAST(ordered_at AS DATE) = DATE '{last}'""")
    member = _rows(db, "SELECT * FROM members ORDER BY member_id DESC LIMIT 1")
    member["member_id"] = "ZZ" + member["member_id"]  # sorts after every member: appended keys
    member["joined_at"] = new_day + pd.Timedelta(hours=9)
    first = day.head(1).copy()
    first["order_id"] = "NFIRST"
    first["member_id"] = member["member_id"][0]
    first["ordered_at"] = new_day + pd.Timedelta(hours=10)
    first["refund_amount"] = 0
    first["amount"] = 88
    refunds = _rows(db, """
        SELECT * FROM orders WHERE refund_amount = 0 AND amount > 0 AND member_id IS NOT NULL
        ORDER BY hash(order_id) LIMIT 3""")
    refunds["refund_amount"] = refunds["amount"]
    # A member whose only buying order is refunded in full stops buying (renumbers the buyer keys).
    only = _rows(db, """
        SELECT o.* FROM orders o JOIN (
          SELECT member_id FROM orders WHERE amount - refund_amount > 0 AND member_id IS NOT NULL
          GROUP BY member_id HAVING count(*) = 1) m ON m.member_id = o.member_id
        WHERE o.amount - o.refund_amount > 0 ORDER BY o.order_id LIMIT 1""")
    only["refund_amount"] = only["amount"]
    share = _rows(db, "SELECT * FROM shares ORDER BY shared_at DESC LIMIT 1")
    share["share_id"] = "NSHARE1"
    share["shared_at"] = new_day + pd.Timedelta(hours=8)
    first["share_id"] = "NSHARE1"
    first["channel"] = "wemall"
    messages = _rows(db, f"""
        SELECT 'N' || message_id AS message_id, group_id, sent_at + INTERVAL 1 DAY AS sent_at, sender_type, sender_id,
               msg_type, text, CASE WHEN reply_to IS NULL THEN NULL ELSE 'N' || reply_to END AS reply_to
        FROM group_messages WHERE CAST(sent_at AS DATE) = (SELECT CAST(max(sent_at) AS DATE) FROM group_messages)""")
    # A new speaker's message (member_keys renumbered) on an old day.
    speaker = messages.head(1).copy()
    speaker["message_id"] = "NSPEAKER"
    speaker["sender_type"] = "member"
    speaker["sender_id"] = "AAA-new-speaker"
    speaker["sent_at"] = pd.Timestamp(last) - pd.Timedelta(days=40)
    speaker["reply_to"] = None
    stores = _rows(db, "SELECT * FROM stores ORDER BY store_id LIMIT 1")
    regions = _rows(db, "SELECT DISTINCT region FROM stores ORDER BY region")["region"].tolist()
    stores["region"] = next(r for r in regions if r != stores["region"][0]) if len(regions) > 1 else "新区"
    guides = _rows(db, """
        SELECT g.* FROM guides g JOIN orders o ON o.guide_id = g.guide_id
        ORDER BY g.guide_id LIMIT 1""")
    other = _rows(db, f"SELECT store_id FROM stores WHERE store_id <> '{guides['store_id'][0]}' ORDER BY store_id LIMIT 1")
    guides["store_id"] = other["store_id"][0]
    yield "a new day of orders, refunds on old orders, a share, messages", {
        "shares": share, "orders": pd.concat([day, refunds], ignore_index=True), "group_messages": messages}
    yield "a new member and its first order", {"members": member, "orders": first}
    yield "a refund taking a member's only purchase to net 0, a new speaker", {
        "orders": only, "group_messages": speaker}
    backfill = _rows(db, """
        SELECT 'NBACK' AS order_id, o.ordered_at - INTERVAL 3 DAY AS ordered_at, * EXCLUDE (order_id, ordered_at)
        FROM orders o WHERE member_id IS NOT NULL AND store_id IN (SELECT store_id FROM stores)
          AND ordered_at = (SELECT min(ordered_at) FROM orders i WHERE i.member_id = o.member_id)
        ORDER BY ordered_at DESC, order_id LIMIT 1""")
    yield "an older order of a member, before its first", {"orders": backfill}
    yield "a store's region", {"stores": stores}
    yield "a guide's store", {"guides": guides}
    # Orders only, all after every day held (tomorrow's export): buyer_days
    # computes just the new day's rows (appended); a new member buys too.
    later = day.copy()
    later["order_id"] = "A" + later["order_id"]
    later["ordered_at"] = later["ordered_at"] + pd.Timedelta(days=1)
    newcomer = member.copy()
    newcomer["member_id"] = "ZZZ" + newcomer["member_id"]
    newcomer["joined_at"] = new_day + pd.Timedelta(days=1, hours=9)
    its_first = first.copy()
    its_first["order_id"] = "AFIRST"
    its_first["member_id"] = newcomer["member_id"][0]
    its_first["ordered_at"] = new_day + pd.Timedelta(days=1, hours=10)
    its_first["share_id"] = None
    yield "a new day of orders only, a new member's first among them", {
        "members": newcomer, "orders": pd.concat([later, its_first], ignore_index=True)}


def _run_batches(db: Path, folder: Path, as_of: date) -> list[dict[str, str]]:
    outcomes = []
    for n, (label, tables) in enumerate(_batches(db)):
        outcomes.append(_load(db, folder / f"batch{n}", tables))
        _check(db, folder, as_of)
    return outcomes


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("inc-demo") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    return path


def test_demo_incremental_publish_equals_full_rebuild(demo_db, tmp_path):
    as_of = _rows(demo_db, "SELECT CAST(max(ordered_at) AS DATE) + 1 AS d FROM orders")["d"][0]
    outcomes = _run_batches(demo_db, tmp_path, as_of)
    new_day = outcomes[0]
    # the day-grained ones were refreshed, not rebuilt; untouched ones left alone
    for name in ("daily_sales", "daily_store_sales", "buyer_days", "guide_share_days", "wemall_hours",
                 "live_order_rows", "channel_fan_sales", "group_days", "member_days"):
        assert new_day[name] == "rows", (name, new_day[name])
    assert new_day["live_viewers"] == "unchanged" and new_day["member_homes"] == "unchanged"
    assert outcomes[1]["buyer_keys"] == "rows"  # the new member's key appended
    assert outcomes[1]["buyer_days"] == "rows"
    assert outcomes[2]["buyer_keys"] == "unchanged"  # a member stopped buying: keeps its key
    assert outcomes[2]["buyer_days"] == "rows"
    assert outcomes[3]["buyer_keys"] == "whole"  # an order before a member's first: renumbered
    assert outcomes[3]["buyer_days"] == "whole"
    assert outcomes[4]["share_visitor_days"] == "whole"  # reads stores (regions)
    assert outcomes[5]["guide_share_days"] in ("whole", "unchanged")  # reads guides: recomputed, compared
    # a new day only: buyer_days appends its rows; what reads it refreshes from those alone
    assert outcomes[6]["buyer_keys"] == "rows" and outcomes[6]["buyer_days"] == "appended"
    assert outcomes[6]["multi_store_guides"] in ("rows", "unchanged")
    assert outcomes[6]["guide_buyer_months"] == "rows" and outcomes[6]["monthly_sales"] == "rows"
    for n in range(6):
        assert outcomes[n]["buyer_days"] != "appended", n  # each of those replaced an order or reached back


@pytest.fixture()
def hand_db(tmp_path):
    o = order_row
    ts = datetime.fromisoformat
    return build_db(
        tmp_path / "hand.duckdb",
        stores=[store_row("S1", region="华东"), store_row("S2", region="华东", city="杭州"),
                store_row("S3", region="华南", city="广州")],
        guides=[guide_row("G1", "S1"), guide_row("G2", "S1"), guide_row("G3", "S2"), guide_row("G4", "S3")],
        members=[dict(member_id="M1", joined_at=ts("2026-01-05 10:00"), acquisition_channel="C1", guide_id="G1",
                      store_id="S1"),
                 dict(member_id="M2", joined_at=ts("2026-02-01 10:00"), acquisition_channel="C1", guide_id="G3",
                      store_id="S2"),
                 dict(member_id="M3", joined_at=ts("2026-02-20 10:00"), guide_id="G4", store_id="S3")],
        channels=[dict(channel_id="C1", channel_name="广告", kind="paid_ad")],
        shares=[dict(share_id="SH1", shared_at=ts("2026-03-01 09:00"), guide_id="G1", store_id="S1",
                     target="group", group_id="GR1", content_type="product")],
        share_visits=[dict(share_id="SH1", member_id="M2", visited_at=ts("2026-03-01 12:00"))],
        groups=[dict(group_id="GR1", group_name="群1", store_id="S1", owner_guide_id="G1", kind="store",
                     created_at=ts("2025-12-01 00:00"))],
        group_members=[dict(group_id="GR1", member_id="M1", joined_at=ts("2026-01-06 00:00")),
                       dict(group_id="GR1", member_id="M2", joined_at=ts("2026-02-02 00:00"))],
        group_messages=[dict(message_id="GM1", group_id="GR1", sent_at=ts("2026-03-01 10:00"), sender_type="member",
                             sender_id="M1", msg_type="text", text="好"),
                        dict(message_id="GM2", group_id="GR1", sent_at=ts("2026-03-01 10:05"), sender_type="member",
                             sender_id="M2", msg_type="text", text="太差了", reply_to="GM1")],
        live_sessions=[dict(live_id="L1", title="直播", brand="B1", host_store_id="S1",
                            started_at=ts("2026-03-02 19:00"), ended_at=ts("2026-03-02 21:00"), cost=100)],
        live_views=[dict(live_id="L1", member_id="M1", joined_at=ts("2026-03-02 19:10"), watch_seconds=600)],
        live_invites=[dict(live_id="L1", guide_id="G1", member_id="M1", invited_at=ts("2026-03-01 09:00"))],
        orders=[o("o1", "2026-03-01 10:00", "S1", 100, guide_id="G1", member_id="M1"),
                o("o2", "2026-03-01 11:00", "S1", 50, guide_id="G2", member_id="M1", channel="wemall",
                  share_id="SH1"),
                o("o3", "2026-03-02 20:00", "S1", 80, guide_id="G1", member_id="M1", channel="wemall", live_id="L1"),
                o("o4", "2026-03-02 09:00", "S2", 150, guide_id="G3", member_id="M2", referrer_member_id="M1"),
                o("o5", "2026-03-03 15:00", "S3", 60, guide_id="G4", member_id="M3"),
                o("o6", "2026-03-03 16:00", "S3", 20)],
    )


def test_hand_built_incremental_publish_equals_full_rebuild(hand_db, tmp_path):
    c = lambda t, rows: pd.DataFrame([{**{k: None for k in schema.COLUMNS[t]}, **r} for r in rows])  # noqa: E731
    ts = pd.Timestamp
    batches = [
        {"members": c("members", [dict(member_id="M9", joined_at=ts("2026-03-04 08:00"), acquisition_channel="C1",
                                       guide_id="G2", store_id="S1")]),
         "shares": c("shares", [dict(share_id="SH2", shared_at=ts("2026-03-04 09:00"), guide_id="G2", store_id="S1",
                                     target="group", group_id="GR1", content_type="product")]),
         "orders": c("orders", [
             dict(order_id="o7", ordered_at=ts("2026-03-04 10:00"), channel="wemall", store_id="S1", guide_id="G2",
                  member_id="M9", brand="B1", amount=70, refund_amount=0, share_id="SH2"),
             dict(order_id="o8", ordered_at=ts("2026-03-04 11:00"), channel="pos", store_id="S1", guide_id="G1",
                  member_id="M1", brand="B1", amount=30, refund_amount=0, referrer_member_id="M2"),
             dict(order_id="o9", ordered_at=ts("2026-03-03 22:00"), channel="pos", store_id="S1", guide_id="G1",
                  member_id="M1", brand="B1", amount=40, refund_amount=0),  # a POS order in L1's tail
             # a refund on an old order: its old day changes too
             dict(order_id="o1", ordered_at=ts("2026-03-01 10:00"), channel="pos", store_id="S1", guide_id="G1",
                  member_id="M1", brand="B1", amount=100, refund_amount=40)]),
         "group_messages": c("group_messages", [
             dict(message_id="GM3", group_id="GR1", sent_at=ts("2026-03-04 10:00"), sender_type="member",
                  sender_id="M9", msg_type="text", text="太差了", reply_to="GM2"),
             dict(message_id="GM4", group_id="GR1", sent_at=ts("2026-03-04 10:30"), sender_type="staff",
                  sender_id="G1", msg_type="text", text="抱歉", reply_to="GM3")])},
        # M3's only purchase refunded in full: M3 stops buying
        {"orders": c("orders", [dict(order_id="o5", ordered_at=ts("2026-03-03 15:00"), channel="pos", store_id="S3",
                                     guide_id="G4", member_id="M3", brand="B1", amount=60, refund_amount=60)])},
        {"stores": c("stores", [dict(store_id="S2", store_name="门店S2", brand="B1", region="华南", province="浙江",
                                     city="杭州", opened_on=date(2020, 1, 1), open_time="10:00:00",
                                     close_time="22:00:00")])},
        {"guides": c("guides", [dict(guide_id="G2", guide_name="导购G2", store_id="S2", role="guide",
                                     hired_on=date(2020, 1, 1))])},
        # a new day only (appended): M1 again with G1 at S1 and from G2 (now of S2) the same day, a
        # guest, M2 at S3 (a new store and region for it), M3 back (its earlier purchase refunded)
        {"orders": c("orders", [
            dict(order_id="p1", ordered_at=ts("2026-03-05 10:00"), channel="pos", store_id="S1", guide_id="G1",
                 member_id="M1", brand="B1", amount=10, refund_amount=0),
            dict(order_id="p2", ordered_at=ts("2026-03-05 11:00"), channel="wemall", store_id="S2", guide_id="G2",
                 member_id="M1", brand="B1", amount=20, refund_amount=0),
            dict(order_id="p3", ordered_at=ts("2026-03-05 12:00"), channel="pos", store_id="S1", guide_id=None,
                 member_id=None, brand="B1", amount=5, refund_amount=0),
            dict(order_id="p4", ordered_at=ts("2026-03-05 13:00"), channel="pos", store_id="S3", guide_id="G4",
                 member_id="M2", brand="B1", amount=30, refund_amount=0),
            dict(order_id="p5", ordered_at=ts("2026-03-06 09:00"), channel="pos", store_id="S3", guide_id="G4",
                 member_id="M3", brand="B1", amount=40, refund_amount=0),
            dict(order_id="p6", ordered_at=ts("2026-03-06 09:30"), channel="pos", store_id="S3", guide_id="G4",
                 member_id="M2", brand="B1", amount=50, refund_amount=50)])},
    ]
    outcomes = []
    for n, tables in enumerate(batches):
        outcomes.append(_load(hand_db, tmp_path / f"b{n}", tables))
        _check(hand_db, tmp_path, date(2026, 3, 4))
    assert outcomes[0]["daily_sales"] == "rows" and outcomes[0]["buyer_keys"] == "rows"
    assert outcomes[1]["buyer_keys"] == "unchanged"  # M3 stops buying, keeps its key
    assert outcomes[4]["buyer_days"] == "appended"
    # a refund among new orders, a refund alone: the ordinary refresh; a dimension: rebuilt (the same here)
    assert [outcomes[n]["buyer_days"] for n in range(4)] == ["rows", "rows", "unchanged", "unchanged"]


def test_a_failed_incremental_publish_leaves_the_published_file_untouched(hand_db, tmp_path, monkeypatch):
    before = Path(hand_db).resolve()
    orders_before = _rows(hand_db, "SELECT count(*) AS n FROM orders")["n"][0]

    def broken(con, log=None):
        raise RuntimeError("refresh failed half-way")

    monkeypatch.setattr(rollups, "refresh", broken)
    frame = pd.DataFrame([dict(order_id="o99", ordered_at="2026-03-05 10:00:00", channel="pos", store_id="S1",
                               guide_id="G1", member_id="M1", brand="B1", amount=10, refund_amount=0)])
    folder = tmp_path / "bad"
    folder.mkdir()
    frame.to_csv(folder / "orders.csv", index=False)
    result = pipeline.load([folder / "orders.csv"], hand_db, ops_path=folder / "ops.sqlite")
    assert result.status == "failed" and "refresh failed" in result.message
    assert Path(hand_db).resolve() == before
    assert _rows(hand_db, "SELECT count(*) AS n FROM orders")["n"][0] == orders_before
    assert [p.name for p in Path(hand_db).parent.iterdir() if ".v" in p.name and p.resolve() != before
            and not p.name.endswith(".previous")] == []


def test_a_standby_copy_is_taken_by_the_next_load_only_while_its_version_is_published(hand_db, tmp_path):
    """store.prepare_standby copies the published version ahead of the next load,
    which then renames it instead of copying; a publish meanwhile makes it stale:
    never used, and removed."""
    standby = store.prepare_standby(hand_db)
    assert standby is not None and standby.exists() and standby.stat().st_size == Path(hand_db).resolve().stat().st_size
    inode = standby.stat().st_ino
    frame = pd.DataFrame([{**{c: None for c in schema.COLUMNS["orders"]},
                           **dict(order_id="o50", ordered_at="2026-03-04 12:00:00", channel="pos", store_id="S1",
                                  guide_id="G1", member_id="M1", brand="B1", amount=10, refund_amount=0)}])
    _load(hand_db, tmp_path / "s1", {"orders": frame})
    assert Path(hand_db).resolve().stat().st_ino == inode  # the standby became the new version
    assert not standby.exists()
    _check(hand_db, tmp_path, date(2026, 3, 4))
    stale = store.prepare_standby(hand_db)
    with store.building(hand_db):  # another publish: that standby copies an old version now
        pass
    assert not stale.exists()
    assert list(Path(hand_db).parent.glob(f".{Path(hand_db).name}.standby-*")) == []
    frame["order_id"] = "o51"
    _load(hand_db, tmp_path / "s2", {"orders": frame})
    assert _rows(hand_db, "SELECT count(*) AS n FROM orders WHERE order_id IN ('o50', 'o51')")["n"][0] == 2
