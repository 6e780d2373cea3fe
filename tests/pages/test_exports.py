"""Exports: the Excel file opens with openpyxl and holds exactly the shown rows with
Chinese headers and number formats; the CSV carries a UTF-8 BOM; a download is
recorded in the audit log."""
import io
import json
from datetime import date

import openpyxl
import pytest

from builders import build_db, order_row, reader_for, store_row
from dashboard import ops
from dashboard.export import RANK_CHANGE, RATE, MONEY, record_download, to_csv, to_xlsx
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.ui.leaderboard_view import headers

DAY = date(2026, 3, 10)
COLS = ["rank", "rank_change", "store_name", "store_id", "sales", "sales_pop", "orders"]


@pytest.fixture
def board(tmp_path):
    db = build_db(tmp_path / "x.duckdb",
                  stores=[store_row("S1", store_name="一店"), store_row("S2", store_name="二店"),
                          store_row("S3", store_name="三店")],
                  orders=[order_row("a", "2026-03-10 10:00", "S1", 1234.5),
                          order_row("b", "2026-03-10 11:00", "S2", 100),
                          order_row("c", "2026-03-09 11:00", "S2", 200),
                          order_row("d", "2026-03-09 12:00", "S1", 100)])
    df = METRICS["store-leaderboard"](reader_for(db), MetricArgs(Period(DAY, DAY), DAY))
    return df[COLS]


def test_xlsx_holds_the_shown_rows(board):
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(board, headers(COLS), sheet="门店排行")))
    ws = wb["门店排行"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("排名", "名次变化", "门店", "门店编号", "销售额", "环比", "订单数")
    # S1 1234.5 (yesterday 100 -> rank 2, now 1: ↑1, +1134.5%), S2 100 (2 <- 1: ↓1, -50%), S3 0 (new).
    assert rows[1] == (1, 1, "一店", "S1", 1234.5, pytest.approx(11.345), 1)
    assert rows[2] == (2, -1, "二店", "S2", 100, -0.5, 1)
    assert rows[3] == (3, "新", "三店", "S3", 0, None, 0)
    assert len(rows) == 1 + len(board)
    assert ws["B2"].number_format == RANK_CHANGE and ws["E2"].number_format == MONEY
    assert ws["F2"].number_format == RATE


def test_csv_has_a_bom_and_plain_numbers(board):
    data = to_csv(board, headers(COLS))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "排名,名次变化,门店,门店编号,销售额,环比,订单数"
    assert lines[1].startswith("1,1,一店,S1,1234.5,")
    assert lines[3] == "3,,三店,S3,0.0,,0"


def test_download_is_audited(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(tmp_path / "ops.sqlite"))
    record_download("east", "store_leaderboard", "xlsx", 3, period="2026-03-10..2026-03-10")
    row = ops.audit_rows()[0]
    assert (row["username"], row["event"]) == ("east", "export")
    assert json.loads(row["detail"]) == {"what": "store_leaderboard", "rows": 3, "format": "xlsx",
                                         "period": "2026-03-10..2026-03-10"}
