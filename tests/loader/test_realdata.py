"""The real Chinese exports in ../shared/realdata load through the shipped mappings."""
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from dashboard.loader import load, load_history
from files import query

ROOT = Path(__file__).resolve().parents[2]
REALDATA = ROOT.parent / "shared" / "realdata"
MAPPINGS = ROOT / "data" / "mappings"


def real(name: str) -> Path:
    path = REALDATA / name
    assert path.exists(), f"real export missing: {path} (the realdata folder ships next to the project)"
    return path


@pytest.fixture(scope="module")
def tmall(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tmall")
    db = folder / "real.duckdb"
    result = load([real("tmall_order_report.csv")], db, [MAPPINGS / "tmall_order_report.yaml"], user="tester",
                  ops_path=folder / "ops.sqlite")
    return db, result


def test_tmall_paid_orders_load_with_paid_amount_as_net(tmall):
    db, result = tmall
    src = pd.read_csv(real("tmall_order_report.csv"))
    src.columns = [c.strip() for c in src.columns]
    paid = src[src["订单付款时间"].notna()]
    assert result.status == "published"
    orders = [f for f in result.files if f.table == "orders"][0]
    assert orders.loaded == len(paid) == 24087
    assert result.rows_loaded == 24087 + 1  # and the store the mapping declares
    assert result.rows_rejected == 0
    (n, amount, refund, net, first, last), = query(
        db, "SELECT count(*), sum(amount), sum(refund_amount), sum(amount - refund_amount), "
            "min(ordered_at), max(ordered_at) FROM orders WHERE store_id = 'TMALL01'")
    assert n == 24087
    assert amount == Decimal(str(round(paid["总金额"].sum(), 2)))
    assert refund == Decimal(str(round(paid["退款金额"].sum(), 2)))
    assert net == Decimal(str(round(paid["买家实际支付金额"].sum(), 2)))
    assert str(first) == "2020-02-01 00:14:15" and str(last) == "2020-02-29 23:59:18"
    assert query(db, "SELECT store_name FROM stores WHERE store_id = 'TMALL01'") == [("天猫旗舰店",)]


def test_tmall_unpaid_orders_are_excluded_with_the_reason(tmall):
    _, result = tmall
    excluded = [p for p in result.problems if p.kind == "excluded"]
    assert len(excluded) == result.rows_excluded == 3923
    # 订单编号 1 is the first data row (row 2) and was never paid.
    assert excluded[0].message == ("tmall_order_report.csv 第 2 行 订单付款时间=（空）：未付款订单（无付款时间），"
                                   "不计入销售 / unpaid order (no payment time), not a sale")
    rejected_csv = pd.read_csv(result.report_dir / "rejected.csv", encoding="utf-8-sig")
    assert (rejected_csv["kind"] == "excluded").sum() == 3923


def test_tmall_reload_is_idempotent_and_history_records_it(tmall):
    db, first = tmall
    ops_path = db.parent / "ops.sqlite"
    again = load([real("tmall_order_report.csv")], db, [MAPPINGS / "tmall_order_report.yaml"], user="tester",
                 ops_path=ops_path)
    assert again.status == "published"
    assert query(db, "SELECT count(*) FROM orders") == [(24087,)]
    hist = load_history(ops_path=ops_path)
    assert list(hist["status"][:2]) == ["published", "published"]
    assert hist["files"].iloc[0] == "tmall_order_report.csv" and hist["username"].iloc[0] == "tester"
    assert hist["rows_loaded"].iloc[0] == 24087  # the declared store already existed: not re-counted
    assert hist["rows_loaded"].iloc[1] == 24088 and hist["duration_s"].iloc[0] > 0


def test_staff_takings_feed_guides_and_orders(tmp_path):
    db = tmp_path / "real.duckdb"
    result = load([real("supermarket_staff_takings.xlsx")], db, [MAPPINGS / "supermarket_staff_takings.yaml"])
    assert result.status == "published"
    assert query(db, "SELECT guide_id, guide_name, store_id FROM guides ORDER BY 1") == [
        ("1001", "张三", "SM01"), ("1002", "李四", "SM01"), ("1003", "王五", "SM01"),
        ("1004", "赵六", "SM01"), ("1005", "周七", "SM01"), ("1006", "钱八", "SM01")]
    messages = [p.message for p in result.problems]
    # 3 empty takings, 1 duplicated row, and one shift recorded twice with different takings.
    assert messages == [
        "supermarket_staff_takings.xlsx 第 112 行 amount=（空）：必填，不能为空 / is required and must not be empty",
        "supermarket_staff_takings.xlsx 第 126 行 amount=（空）：必填，不能为空 / is required and must not be empty",
        "supermarket_staff_takings.xlsx 第 170 行 amount=（空）：必填，不能为空 / is required and must not be empty",
        "supermarket_staff_takings.xlsx 第 106 行 order_id=SM-1006-2019-03-13-14:00-蔬菜水果：与第 105 行完全重复 "
        "/ duplicate of row 105",
        "supermarket_staff_takings.xlsx 第 203 行 order_id=SM-1004-2019-03-26-9:00-化妆品：主键重复且内容不同"
        "（第 203、212 行） / duplicate key with different values (rows 203, 212)",
        "supermarket_staff_takings.xlsx 第 212 行 order_id=SM-1004-2019-03-26-9:00-化妆品：主键重复且内容不同"
        "（第 203、212 行） / duplicate key with different values (rows 203, 212)",
    ]
    src = pd.read_excel(real("supermarket_staff_takings.xlsx"))
    assert len(src) == 249 and src["交易额"].isna().sum() == 3
    loaded = [f for f in result.files if f.table == "orders"][0]
    assert (loaded.rows, loaded.loaded, loaded.rejected) == (249, 243, 6)
    ok = src.drop(index=[110, 124, 168, 104, 201, 210])  # the rejected rows (file row - 2)
    (n, total, first), = query(db, "SELECT count(*), sum(amount), min(ordered_at) FROM orders")
    assert n == 243 and total == Decimal(int(ok["交易额"].sum()))
    assert str(first) == "2019-03-01 09:00:00"  # shift 9：00-14：00 starts at 09:00
    assert query(db, "SELECT count(*) FROM orders WHERE guide_id IS NULL OR channel <> 'pos'") == [(0,)]


def test_legacy_xls_receipts_combine_lines_and_reject_the_totals_row(tmp_path):
    db = tmp_path / "real.duckdb"
    result = load([real("supermarket_pos_receipts.xls")], db, [MAPPINGS / "supermarket_pos_receipts.yaml"])
    assert result.status == "published"
    assert [p.message for p in result.problems] == [
        "supermarket_pos_receipts.xls 第 202 行：合计行，不是数据行 / totals row, not a data row"]
    receipts = [f for f in result.files if f.table == "orders"][0]
    assert (receipts.format, receipts.rows, receipts.rejected) == ("xls", 201, 1)
    (n, total, first, last), = query(db, "SELECT count(*), sum(amount), min(ordered_at), max(ordered_at) FROM orders")
    # 200 receipt lines on 40 receipts; the totals row says the lines sum to 9395.5.
    assert (n, total) == (40, Decimal("9395.50"))
    assert (str(first), str(last)) == ("2010-09-07 16:12:27", "2010-09-07 16:51:19")
    assert query(db, "SELECT amount FROM orders WHERE order_id = 'R9900000984'") == [(Decimal("469.00"),)]


def test_all_three_real_exports_in_one_strict_load_are_refused(tmp_path):
    db = tmp_path / "real.duckdb"
    files = [real("tmall_order_report.csv"), real("supermarket_staff_takings.xlsx"),
             real("supermarket_pos_receipts.xls")]
    result = load(files, db, sorted(MAPPINGS.glob("*.yaml")), strict=True)
    assert result.status == "strict_rejected" and result.rows_loaded == 0
    assert not db.exists()
    relaxed = load(files, db, sorted(MAPPINGS.glob("*.yaml")))
    assert relaxed.status == "published"
    assert query(db, "SELECT count(*) FROM orders") == [(24087 + 243 + 40,)]
    assert query(db, "SELECT store_id FROM stores ORDER BY 1") == [("SM01",), ("TMALL01",)]
