"""`python -m dashboard load`: summary on stdout, problems on stderr, exit codes."""
import os
import subprocess
import sys
from pathlib import Path

from files import orders_csv, query, stores_csv

ROOT = Path(__file__).resolve().parents[2]


def run(*args, ops):
    env = {**os.environ, "DASHBOARD_OPS_DB": str(ops)}
    return subprocess.run([sys.executable, "-m", "dashboard", "load", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_load_default_and_strict(tmp_path, ops_db):
    db = tmp_path / "x.duckdb"
    orders = orders_csv(tmp_path, ["O1,2024-05-01,pos,S1,,B1,100,0", "O2,2024-05-01,pos,S1,,B1,100,120"])
    strict = run(stores_csv(tmp_path), orders, "--db", db, "--strict", "--user", "ops", ops=ops_db)
    assert strict.returncode == 1
    assert "orders.csv 第 3 行 refund_amount=120：退款须在 0 与金额之间 / refund_amount must be between 0 and amount" \
        in strict.stderr
    assert "status strict_rejected: loaded 0, rejected 1" in strict.stdout
    assert not db.exists()

    ok = run(stores_csv(tmp_path), orders, "--db", db, "--user", "ops", ops=ops_db)
    assert ok.returncode == 0, ok.stderr
    assert "orders.csv -> orders [csv utf-8]: rows 2, loaded 1, rejected 1, excluded 0" in ok.stdout
    assert query(db, "SELECT count(*) FROM orders") == [(1,)]
    report = Path(ok.stdout.strip().rsplit("report ", 1)[1])
    assert (report / "rejected.csv").exists() and (report / "report.json").exists()
    assert report.parent == tmp_path / "load_reports"


def test_cli_unknown_file_name_without_mapping(tmp_path, ops_db):
    path = tmp_path / "export.csv"
    path.write_text("a,b\n1,2\n")
    res = run(path, "--db", tmp_path / "x.duckdb", ops=ops_db)
    assert res.returncode == 2  # no readable file: the load failed (it used to say published, exit 0)
    assert "export.csv：无法读取或映射：export.csv: the name is not a contract table" in res.stderr
    assert "status failed" in res.stdout and "no readable file among 1" in res.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_cli_prints_problems_by_reason_with_the_first_rows(tmp_path, ops_db):
    import csv
    # 12 refunds over the amount (rows 2..13), 7 unknown stores (rows 14..20), 1 good order.
    rows = [f"R{i},2024-05-01,pos,S1,,B1,100,120" for i in range(12)]
    rows += [f"U{i},2024-05-01,pos,S9,,B1,100,0" for i in range(7)] + ["G1,2024-05-01,pos,S1,,B1,100,0"]
    db = tmp_path / "x.duckdb"
    res = run(stores_csv(tmp_path), orders_csv(tmp_path, rows), "--db", db, ops=ops_db)
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    refund = "orders.csv 第 {} 行 refund_amount=120：退款须在 0 与金额之间 / refund_amount must be between 0 and amount"
    store = "orders.csv 第 {} 行 store_id=S9：stores 中没有这个 store_id / no stores row has this store_id"
    report = res.stdout.strip().rsplit("report ", 1)[1]
    assert lines == [
        f"problems by reason (19 in all; every row in {report}/rejected.csv):",
        "  12 × rejected orders.csv refund_amount: 退款须在 0 与金额之间 / refund_amount must be between 0 and amount",
        *[f"    {refund.format(n)}" for n in range(2, 7)],
        "    … 7 more",
        "  7 × rejected orders.csv store_id: stores 中没有这个 store_id / no stores row has this store_id",
        *[f"    {store.format(n)}" for n in range(14, 19)],
        "    … 2 more"]
    with open(f"{report}/rejected.csv", encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == 19  # every row stays in the report
