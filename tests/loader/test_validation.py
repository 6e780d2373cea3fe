"""Every validation rule, with the exact bilingual message naming file, row, column and value."""
import pandas as pd
import pytest

from dashboard.loader import load
from files import ORDERS_HEADER, csv_text, orders_csv, query, stores_csv, write


def load_orders(tmp_path, rows, header=ORDERS_HEADER, **kw):
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), orders_csv(tmp_path, rows, header=header)], db, **kw)
    return db, result


def messages(result):
    return [p.message for p in result.problems]


GOOD = "O1,2024-05-01 10:00,pos,S1,,B1,100,0"


@pytest.mark.parametrize("row,message", [
    ("O2,2024-05-01 10:00,pos,,,B1,100,0",
     "orders.csv 第 3 行 store_id=（空）：必填，不能为空 / is required and must not be empty"),
    ("O2,2024-05-32,pos,S1,,B1,100,0",
     "orders.csv 第 3 行 ordered_at=2024-05-32：不是有效的日期时间 / is not a valid date and time"),
    ("O2,2024-05-01 10:00,pos,S1,,B1,一百,0",
     "orders.csv 第 3 行 amount=一百：不是有效金额 / is not a valid amount"),
    ("O2,2024-05-01 10:00,门店,S1,,B1,100,0",
     "orders.csv 第 3 行 channel=门店：取值须为 pos、wemall 之一 / must be one of pos, wemall"),
    ("O2,2024-05-01 10:00,pos,S1,,B1,100,120",
     "orders.csv 第 3 行 refund_amount=120：退款须在 0 与金额之间 / refund_amount must be between 0 and amount"),
    ("O2,2024-05-01 10:00,pos,S1,,B1,100,-1",
     "orders.csv 第 3 行 refund_amount=-1：退款须在 0 与金额之间 / refund_amount must be between 0 and amount"),
    ("O2,2024-05-01 10:00,pos,S9,,B1,100,0",
     "orders.csv 第 3 行 store_id=S9：stores 中没有这个 store_id / no stores row has this store_id"),
    ("O2,2024-05-01 10:00,pos,S1,G404,B1,100,0",
     "orders.csv 第 3 行 guide_id=G404：guides 中没有这个 guide_id / no guides row has this guide_id"),
])
def test_one_bad_row_is_reported_and_the_good_one_loads(tmp_path, row, message):
    db, result = load_orders(tmp_path, [GOOD, row])
    assert messages(result) == [message]
    assert result.status == "published" and result.rows_rejected == 1
    assert query(db, "SELECT order_id FROM orders") == [("O1",)]
    rejected = pd.read_csv(result.report_dir / "rejected.csv", encoding="utf-8-sig", dtype=str)
    assert rejected[["file", "row", "kind"]].values.tolist() == [["orders.csv", "3", "rejected"]]


def test_negative_amount_breaks_both_money_rules(tmp_path):
    _, result = load_orders(tmp_path, [GOOD, "O2,2024-05-01 10:00,pos,S1,,B1,-5,0"])
    assert messages(result) == [
        "orders.csv 第 3 行 amount=-5：金额不能为负 / amount must not be negative",
        "orders.csv 第 3 行 refund_amount=0：退款须在 0 与金额之间 / refund_amount must be between 0 and amount"]
    assert result.rows_rejected == 1


def test_a_row_with_several_problems_reports_each_and_counts_once(tmp_path):
    _, result = load_orders(tmp_path, [GOOD, "O2,someday,online,,,B1,x,0"])
    assert messages(result) == [
        "orders.csv 第 3 行 ordered_at=someday：不是有效的日期时间 / is not a valid date and time",
        "orders.csv 第 3 行 channel=online：取值须为 pos、wemall 之一 / must be one of pos, wemall",
        "orders.csv 第 3 行 store_id=（空）：必填，不能为空 / is required and must not be empty",
        "orders.csv 第 3 行 amount=x：不是有效金额 / is not a valid amount",
    ]
    assert result.rows_rejected == 1


def test_duplicate_keys_in_one_file(tmp_path):
    db, result = load_orders(tmp_path, [GOOD, GOOD, "O3,2024-05-01,pos,S1,,B1,5,0", "O3,2024-05-01,pos,S1,,B1,6,0"])
    assert messages(result) == [
        "orders.csv 第 3 行 order_id=O1：与第 2 行完全重复 / duplicate of row 2",
        "orders.csv 第 4 行 order_id=O3：主键重复且内容不同（第 4、5 行） / duplicate key with different values (rows 4, 5)",
        "orders.csv 第 5 行 order_id=O3：主键重复且内容不同（第 4、5 行） / duplicate key with different values (rows 4, 5)",
    ]
    assert query(db, "SELECT order_id FROM orders") == [("O1",)]


def test_missing_required_column_rejects_the_file_and_unknown_columns_warn(tmp_path):
    header = "order_id,ordered_at,channel,store_id,brand,amount,备注"
    _, result = load_orders(tmp_path, ["O1,2024-05-01,pos,S1,B1,100,hi"], header=header)
    assert messages(result) == [
        "orders.csv refund_amount=（空）：缺少必填列 / required column is missing"]
    assert result.files[1].rejected == 1
    assert result.warnings == ["orders.csv: columns ignored (not in the contract for orders): 备注"]


def test_time_date_integer_and_live_session_rules(tmp_path):
    db = tmp_path / "x.duckdb"
    stores = stores_csv(tmp_path, ["S1,一店,B1,华东,上海,上海,2020-01-01,25:00,22:00",
                                   "S2,二店,B1,华东,上海,上海,2020-01-01,10:00,22:00,2019-12-31"])
    stores.write_text(stores.read_text().replace("close_time\n", "close_time,closed_on\n"))
    lives = write(tmp_path / "live_sessions.csv", csv_text(
        "live_id,title,brand,host_store_id,started_at,ended_at,cost",
        ["L1,春季新品,B1,S2,2024-05-01 20:00,2024-05-01 19:00,100",
         "L2,夏季,B1,,2024-05-02 20:00,2024-05-02 21:00,-1"]))
    views = write(tmp_path / "live_views.csv", csv_text(
        "live_id,member_id,joined_at,watch_seconds", ["L1,M1,2024-05-01 20:10,1.5", "L9,M1,2024-05-01 20:10,-3"]))
    result = load([views, lives, stores], db)
    assert messages(result) == [
        "stores.csv 第 2 行 open_time=25:00：不是有效的时刻（如 10:00） / is not a valid time of day (e.g. 10:00)",
        "stores.csv 第 3 行 closed_on=2019-12-31：闭店日期早于开店日期 / closed_on is before opened_on",
        "live_sessions.csv 第 2 行 ended_at=2024-05-01 19:00：结束时间须晚于开始时间 / ended_at must be after started_at",
        # S2 was rejected above (closed before it opened), so the live it hosts cannot refer to it.
        "live_sessions.csv 第 2 行 host_store_id=S2：stores 中没有这个 store_id / no stores row has this store_id",
        "live_sessions.csv 第 3 行 cost=-1：成本不能为负 / cost must not be negative",
        "live_views.csv 第 2 行 watch_seconds=1.5：不是整数 / is not a whole number",
        "live_views.csv 第 3 行 watch_seconds=-3：观看秒数不能为负 / watch_seconds must not be negative",
        "live_views.csv 第 3 行 live_id=L9：live_sessions 中没有这个 live_id / no live_sessions row has this live_id",
    ]
    assert query(db, "SELECT count(*) FROM stores") == [(0,)]


def test_guides_enum_and_left_before_hired(tmp_path):
    guides = write(tmp_path / "guides.csv", csv_text(
        "guide_id,guide_name,store_id,role,hired_on,left_on",
        ["G1,小王,S1,Guide,2024-01-01,", "G2,小李,S1,店长,2024-01-01,", "G3,小张,S1,guide,2024-01-01,2023-12-31"]))
    db = tmp_path / "x.duckdb"
    result = load([guides, stores_csv(tmp_path)], db)
    assert messages(result) == [
        "guides.csv 第 3 行 role=店长：取值须为 guide、store_manager、community_operator 之一 "
        "/ must be one of guide, store_manager, community_operator",
        "guides.csv 第 4 行 left_on=2023-12-31：离职日期早于入职日期 / left_on is before hired_on",
    ]
    assert query(db, "SELECT guide_id, role FROM guides") == [("G1", "guide")]  # enum values are case-folded


def test_references_resolve_against_published_data_and_the_same_load(tmp_path):
    db = tmp_path / "x.duckdb"
    assert load([stores_csv(tmp_path)], db).status == "published"
    # A later load of orders alone finds S1 in the published data.
    result = load([orders_csv(tmp_path, [GOOD])], db)
    assert result.problems == [] and query(db, "SELECT count(*) FROM orders") == [(1,)]
    # A store rejected in the same load makes its orders unresolvable.
    (tmp_path / "new").mkdir()
    stores = stores_csv(tmp_path / "new", ["S3,三店,B1,华东,上海,上海,bad-date,10:00,22:00"])
    orders = orders_csv(tmp_path / "new", ["O9,2024-05-01,pos,S3,,B1,1,0"])
    result = load([orders, stores], db)
    assert messages(result) == [
        "stores.csv 第 2 行 opened_on=bad-date：不是有效日期 / is not a valid date",
        "orders.csv 第 2 行 store_id=S3：stores 中没有这个 store_id / no stores row has this store_id"]


def test_totals_row_and_mapping_exclusions(tmp_path):
    src = write(tmp_path / "pos_export.csv", csv_text(
        "单号 ,下单时间,门店编码,实付金额,支付状态",
        ["A1,2024/5/1 10:00,S1,¥1,000.00 ,已支付".replace("¥1,000.00 ", '"¥1,000.00"'),
         "A2,2024/5/1 11:00,S1,50,未支付",
         "合计,,,1050,"]))
    mapping = write(tmp_path / "pos.yaml", """
files: ["pos_export*.csv"]
targets:
  - table: orders
    columns: {order_id: 单号, ordered_at: 下单时间, store_id: 门店编码, amount: 实付金额}
    defaults: {channel: pos, brand: B1, refund_amount: 0}
    exclude:
      - {column: 支付状态, when: equals, value: 未支付, reason_zh: 未支付, reason_en: not paid}
""")
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), src], db, [mapping])
    assert messages(result) == [
        "pos_export.csv 第 4 行：合计行，不是数据行 / totals row, not a data row",
        "pos_export.csv 第 3 行 支付状态=未支付：未支付 / not paid",
    ]
    assert (result.rows_rejected, result.rows_excluded) == (1, 1)
    assert query(db, "SELECT order_id, amount FROM orders") == [("A1", 1000)]


def test_strict_loads_nothing_when_any_row_is_bad(tmp_path):
    db = tmp_path / "x.duckdb"
    load([stores_csv(tmp_path)], db)
    before = db.read_bytes()
    result = load([orders_csv(tmp_path, [GOOD, "O2,2024-05-01,pos,S1,,B1,100,120"])], db, strict=True)
    assert result.status == "strict_rejected" and result.rows_loaded == 0 and result.rows_rejected == 1
    assert db.read_bytes() == before
    assert query(db, "SELECT count(*) FROM orders") == [(0,)]


def test_combined_lines_sum_and_one_bad_line_rejects_its_receipt(tmp_path):
    src = write(tmp_path / "till.csv", csv_text("小票号,时间,金额", [
        "R1,2024-05-01 10:00,10", "R1,2024-05-01 10:00,5.5", "R2,2024-05-01 11:00,3", "R2,2024-05-01 11:00,abc"]))
    mapping = write(tmp_path / "till.yaml", """
targets:
  - table: orders
    combine: {sum: [amount]}
    columns: {order_id: 小票号, ordered_at: 时间, amount: 金额}
    defaults: {store_id: S1, channel: pos, brand: B1, refund_amount: 0}
""")
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), src], db, [mapping])
    assert messages(result) == [
        "till.csv 第 5 行 amount=abc：不是有效金额 / is not a valid amount",
        "till.csv 第 4 行 order_id=R2：同一记录的第 5 行有错误，整条记录不导入 "
        "/ row 5 of the same record is bad, so the whole record is rejected"]
    assert query(db, "SELECT order_id, amount FROM orders") == [("R1", 15.5)]
    assert result.rows_rejected == 2


@pytest.mark.parametrize("text,error", [
    ("targets: [{table: sales, columns: {}}]", "m.yaml: targets[0].table 'sales' is not a contract table"),
    ("targets: [{table: orders, columns: {order_no: 单号}}]", "m.yaml: orders has no column 'order_no'"),
    ("files: x\n", "m.yaml: a mapping needs 'targets'"),
])
def test_mapping_mistakes_are_named(tmp_path, text, error):
    from dashboard.loader import MappingError, load_mapping
    path = write(tmp_path / "m.yaml", text)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert str(info.value).startswith(error)


def test_preview_shows_sources_and_the_first_rows():
    from dashboard.loader import available_mappings, preview
    from test_realdata import real
    mappings = available_mappings()
    assert [p.name for p in mappings] == ["supermarket_pos_receipts.yaml", "supermarket_staff_takings.yaml",
                                          "target_plan_sheet.yaml", "tmall_order_report.yaml"]
    items = preview([real("supermarket_staff_takings.xlsx")], mappings, rows=3)
    assert [(i["table"], i["mapping"], i["rows"]) for i in items] == [
        ("guides", "supermarket_staff_takings.yaml", 249), ("orders", "supermarket_staff_takings.yaml", 249),
        ("stores", "supermarket_staff_takings.yaml", 1)]  # the store the mapping declares
    assert items[1]["sources"]["ordered_at"] == "{日期} {班次开始}" and items[1]["sources"]["channel"] == "= pos"
    assert items[1]["head"]["ordered_at"].tolist() == ["2019-03-01 9:00", "2019-03-01 14:00", "2019-03-01 9:00"]
