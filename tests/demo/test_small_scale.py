"""Tiny builds: the same inputs give identical tables, another seed differs,
and even scale 0.02 (what the contract checker builds) fills every part of the
last 30 days. Also the CLI end to end."""
from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dashboard import schema
from dashboard.demo import generate

ROOT = Path(__file__).resolve().parents[2]
END = date(2026, 11, 22)


def checksums(path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every row, per table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {t} t").fetchone()
                for t in schema.TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("small")
    out = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generate(base / f"{name}.duckdb", scale=0.02, seed=seed, end_date=END)
        out[name] = base / f"{name}.duckdb"
    return out


def test_same_inputs_give_identical_tables(builds):
    a, b = checksums(builds["a"]), checksums(builds["b"])
    assert a == b


def test_another_seed_gives_other_data(builds):
    a, c = checksums(builds["a"]), checksums(builds["c"])
    differing = [t for t in schema.TABLES if a[t] != c[t]]
    # channels is a fixed list; everything generated must change
    assert set(differing) == set(schema.TABLES) - {"channels"}


def test_scale_002_fills_the_last_30_days(builds):
    con = duckdb.connect(str(builds["a"]), read_only=True)
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    last30 = "BETWEEN DATE '2026-10-23' AND TIMESTAMP '2026-11-21 23:59:59'"
    assert q("SELECT count(*) FROM stores") >= 12
    assert q("SELECT count(DISTINCT region) FROM stores") >= 4
    assert q(f"SELECT count(DISTINCT region) FROM orders JOIN stores USING (store_id) WHERE channel = 'pos' AND ordered_at {last30}") >= 4
    assert q(f"SELECT count(DISTINCT region) FROM orders JOIN stores USING (store_id) WHERE channel = 'wemall' AND ordered_at {last30}") >= 4
    assert q(f"SELECT count(DISTINCT target) FROM shares WHERE shared_at {last30}") == 3
    assert q(f"SELECT count(*) FROM share_visits WHERE visited_at {last30}") > 0
    assert q(f"""SELECT count(DISTINCT m.group_id) FROM group_messages m JOIN group_messages r ON r.reply_to = m.message_id
                 WHERE m.sent_at {last30}""") >= 3
    tail = q(f"""SELECT count(*) FROM orders o JOIN live_sessions l USING (live_id)
                 WHERE o.ordered_at > l.ended_at AND o.ordered_at <= l.ended_at + INTERVAL 72 HOUR AND l.started_at {last30}""")
    assert tail > 0
    assert q(f"SELECT count(DISTINCT channel_id) FROM channel_spend WHERE spend > 0 AND spend_date {last30}") >= 3
    assert q(f"SELECT count(DISTINCT acquisition_channel) FROM members WHERE joined_at {last30}") >= 6
    con.close()


def test_cli_builds_and_reports(tmp_path):
    db = tmp_path / "cli.duckdb"
    p = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--db", str(db), "--scale", "0.01",
                        "--seed", "3", "--end-date", "2026-06-30"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = dict(line.split(",", 1) for line in p.stdout.strip().splitlines())
    assert int(lines["orders"]) > 1000 and "elapsed_seconds" in lines
    assert "100.0%" in p.stderr  # the progress bar went to stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT max(ordered_at)::DATE FROM orders").fetchone()[0] == date(2026, 6, 30)
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == int(lines["orders"])
    con.close()


def test_cli_rejects_a_bad_scale(tmp_path):
    p = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--db", str(tmp_path / "x.duckdb"), "--scale", "-1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--scale" in p.stderr
    assert not (tmp_path / "x.duckdb").exists()
