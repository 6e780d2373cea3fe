"""Each encoding and format reads to the same rows; header spaces, odd dates and money cleaned."""
from datetime import date, datetime, time
from decimal import Decimal

import pandas as pd
import pytest

from dashboard.loader import load, read_file
from dashboard.loader.validate import parse_column, parse_timestamps
from files import STORES_HEADER, csv_text, query, write

GBK_STORES = csv_text(STORES_HEADER, ["S1,静安嘉里中心旗舰店,品牌甲,华东,上海,上海,2020-01-01,10:00,22:00"])


@pytest.mark.parametrize("encoding,reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"),
                                               ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_csv_encodings_decode_chinese_and_report_the_encoding(tmp_path, encoding, reported):
    path = write(tmp_path / "stores.csv", GBK_STORES, encoding)
    raw = read_file(path)
    assert raw.encoding == reported
    assert list(raw.frame.columns)[0] == "store_id"  # no BOM glued to the first header
    db = tmp_path / "x.duckdb"
    result = load([path], db)
    assert result.status == "published", result.problems
    assert query(db, "SELECT store_name, brand FROM stores") == [("静安嘉里中心旗舰店", "品牌甲")]
    assert result.files[0].encoding == reported


def test_undecodable_bytes_are_a_file_problem_naming_the_file(tmp_path):
    path = tmp_path / "stores.csv"
    path.write_bytes(b"store_id\n\xff\xfe\xff\n")
    result = load([path], tmp_path / "x.duckdb")
    assert [p.message for p in result.problems] == [
        "stores.csv：无法读取或映射：stores.csv: not UTF-8 or GB18030/GBK text; save it as UTF-8 CSV / "
        "cannot read or map: stores.csv: not UTF-8 or GB18030/GBK text; save it as UTF-8 CSV"]


def test_header_whitespace_crlf_and_blank_lines(tmp_path):
    text = (" store_id , store_name\u3000,brand,region,province,city,opened_on,open_time,close_time \r\n"
            "S1,一店,B1,华东,上海,上海,2020-01-01,10:00,22:00\r\n\r\n"
            "S2,二店,B1,华东,上海,上海,2020-01-01,10:00,22:00\r\n")
    raw = read_file(write(tmp_path / "stores.csv", text))
    assert list(raw.frame.columns)[:2] == ["store_id", "store_name"]
    assert raw.row_numbers == [2, 4]  # the blank line 3 is skipped but still counted


def test_xlsx_with_real_date_cells_and_parquet(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(STORES_HEADER.split(","))
    ws.append(["S1", "一店", "B1", "华东", "上海", "上海", datetime(2020, 1, 1), time(9, 30), "22：00"])
    ws.append([1002, "二店", "B1", "华东", "上海", "上海", 43862, "10:00", "22:00"])  # numeric id, serial date
    wb.save(tmp_path / "stores.xlsx")
    frame = pd.DataFrame({"channel_id": ["c1", "c2"], "channel_name": ["朋友圈广告", "门店二维码"],
                          "kind": ["paid_ad", "store_qr"]})
    frame.to_parquet(tmp_path / "channels.parquet")
    db = tmp_path / "x.duckdb"
    result = load([tmp_path / "stores.xlsx", tmp_path / "channels.parquet"], db)
    assert result.status == "published" and result.problems == []
    assert {f.format for f in result.files} == {"xlsx", "parquet"}
    assert query(db, "SELECT store_id, opened_on, open_time, close_time FROM stores ORDER BY 1") == [
        ("1002", date(2020, 2, 1), time(10), time(22)), ("S1", date(2020, 1, 1), time(9, 30), time(22))]
    assert query(db, "SELECT count(*) FROM channels") == [(2,)]


def test_parquet_rows_are_numbered_from_one(tmp_path):
    pd.DataFrame({"channel_id": ["c1", "c2"], "channel_name": ["a", "b"], "kind": ["paid_ad", "tv"]}
                 ).to_parquet(tmp_path / "channels.parquet")
    result = load([tmp_path / "channels.parquet"], tmp_path / "x.duckdb")
    assert [p.row for p in result.problems] == [2]  # record 2 of the file


def test_legacy_xls_reads_date_and_time_cells(tmp_path):
    from test_realdata import REALDATA
    raw = read_file(REALDATA / "supermarket_pos_receipts.xls")
    assert raw.format == "xls"
    first = raw.frame.iloc[0]
    assert (first["销售日期"], first["销售时间"], first["商品码"]) == ("2010-09-07", "16:12:27", "10002")
    assert raw.row_numbers[0] == 2 and raw.row_numbers[-1] == 202


@pytest.mark.parametrize("text,expected", [
    ("2020-02-01", datetime(2020, 2, 1)),
    ("2020/2/1", datetime(2020, 2, 1)),
    ("2020-02-01 00:00", datetime(2020, 2, 1)),
    ("2020-02-01T09:05:03", datetime(2020, 2, 1, 9, 5, 3)),
    ("2020年2月1日", datetime(2020, 2, 1)),
    ("2020年2月1日 9：00", datetime(2020, 2, 1, 9)),
    ("2020/02/01 9:00:30", datetime(2020, 2, 1, 9, 0, 30)),
    ("43862", datetime(2020, 2, 1)),
    ("43862.375", datetime(2020, 2, 1, 9)),
])
def test_date_forms(text, expected):
    assert parse_timestamps(pd.Series([text], dtype=object)).iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("text", ["2020-13-01", "昨天", "2020-02-30", "12345", "2020-02-01 25:00"])
def test_not_dates(text):
    assert pd.isna(parse_timestamps(pd.Series([text], dtype=object)).iloc[0])


def test_money_and_times():
    values, bad = parse_column(pd.Series(["¥1,200.50", " 3 元", "￥0", "12,34x", None], dtype=object), "DECIMAL(14,2)")
    assert values.tolist()[:3] == [1200.5, 3.0, 0.0] and bad.tolist() == [False, False, False, True, False]
    values, bad = parse_column(pd.Series(["9：00", "21:30:15", "0.5", "25:00"], dtype=object), "TIME")
    assert values.tolist()[:3] == ["09:00:00", "21:30:15", "12:00:00"] and bad.tolist() == [False] * 3 + [True]


def test_parquet_typed_columns_and_zoned_timestamps(tmp_path):
    frame = pd.DataFrame({
        "spend_date": [date(2024, 5, 1), date(2024, 5, 2)],
        "channel_id": ["c1", "c1"],
        "spend": [Decimal("1200.50"), Decimal("0")],
    })
    frame.to_parquet(tmp_path / "channel_spend.parquet")
    pd.DataFrame({"channel_id": ["c1"], "channel_name": ["朋友圈广告"], "kind": ["paid_ad"]}).to_parquet(
        tmp_path / "channels.parquet")
    zoned = pd.DataFrame({"member_id": ["M1"], "joined_at": [pd.Timestamp("2024-05-01 01:30", tz="UTC")]})
    zoned.to_parquet(tmp_path / "members.parquet")
    db = tmp_path / "x.duckdb"
    result = load([tmp_path / "channel_spend.parquet", tmp_path / "members.parquet", tmp_path / "channels.parquet"], db)
    assert result.problems == []
    assert query(db, "SELECT spend_date, spend FROM channel_spend ORDER BY 1") == [
        (date(2024, 5, 1), Decimal("1200.50")), (date(2024, 5, 2), Decimal("0.00"))]
    assert query(db, "SELECT joined_at FROM members") == [(datetime(2024, 5, 1, 9, 30),)]  # UTC 01:30 = 09:30 in China
