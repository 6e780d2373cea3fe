"""Loading monthly targets: targets.csv named after the table, and a typical
Excel plan sheet with Chinese headers through data/mappings/target_plan_sheet.yaml;
month formats normalised to YYYY-MM, bad months, levels and amounts reported."""
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from dashboard.loader import load
from dashboard.ui.loader_view import TARGET_TEMPLATE_HEADERS, target_template_xlsx
from files import csv_text, query, write

MAPPING = Path(__file__).resolve().parents[2] / "data" / "mappings" / "target_plan_sheet.yaml"


def test_targets_csv_loads_like_every_table(tmp_path):
    path = write(tmp_path / "targets.csv", csv_text("month,level,target_id,sales_target,wemall_target", [
        "2026-11,store,S1,500000,150000",
        "2026/12,store,S1,\"¥520,000\",",          # 2026/12 -> 2026-12; money cleaned; wemall empty
        "2026年1月,GUIDE,G1,60000,",                 # Chinese month, level case-folded
        "2026-13,store,S2,1000,",                    # no such month
        "2026-11,region,S2,1000,",                   # not a level
        "2026-11,store,S3,-5,",                      # negative target
        "2026-11,store,S1,1,",                       # same key as row 2 with other values
    ]))
    db = tmp_path / "x.duckdb"
    result = load([path], db)
    assert result.status == "published"
    rows = query(db, "SELECT month, level, target_id, sales_target, wemall_target FROM targets ORDER BY 1, 2, 3")
    assert rows == [("2026-01", "guide", "G1", Decimal("60000.00"), None),
                    ("2026-12", "store", "S1", Decimal("520000.00"), None)]
    reasons = {(p.row, p.column): p.reason_en for p in result.problems}
    assert reasons[(5, "month")] == "is not a month (e.g. 2026-11)"
    assert reasons[(6, "level")] == "must be one of store, guide"
    assert reasons[(7, "sales_target")] == "sales_target must not be negative"
    assert reasons[(2, "month,level,target_id")].startswith("duplicate key")


def plan_sheet(path: Path, rows) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["月份", "层级", "门店编号/导购编号", "销售目标", "微商城目标"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_excel_plan_sheet_with_chinese_headers(tmp_path):
    path = plan_sheet(tmp_path / "目标计划_2026Q4.xlsx", [
        [datetime(2026, 11, 1), "门店", "S0001", 500000, 150000],   # a date cell: its month
        ["2026年12月", "门店", "S0001", "¥520,000", None],
        ["2026-11", "导购", "G00001", 60000, None],
        ["2026-11", "区域", "华东", 1, None],                          # not a level
    ])
    db = tmp_path / "x.duckdb"
    result = load([path], db, mappings=[MAPPING])
    assert result.status == "published"
    assert query(db, "SELECT month, level, target_id, sales_target, wemall_target FROM targets ORDER BY 1, 2, 3") == [
        ("2026-11", "guide", "G00001", Decimal("60000.00"), None),
        ("2026-11", "store", "S0001", Decimal("500000.00"), Decimal("150000.00")),
        ("2026-12", "store", "S0001", Decimal("520000.00"), None)]
    assert [(p.row, p.column, p.value) for p in result.problems] == [(5, "level", "区域")]


def test_the_downloadable_template_loads_with_the_mapping(tmp_path):
    path = tmp_path / "target_plan_template.xlsx"
    path.write_bytes(target_template_xlsx("2026-12"))
    import openpyxl
    headers = [c.value for c in openpyxl.load_workbook(path).active[1]]
    assert tuple(headers) == TARGET_TEMPLATE_HEADERS
    db = tmp_path / "x.duckdb"
    result = load([path], db, mappings=[MAPPING])
    assert result.status == "published" and result.problems == []
    assert query(db, "SELECT month, level, target_id FROM targets ORDER BY 2, 3") == [
        ("2026-12", "guide", "G00001"), ("2026-12", "store", "S0001")]


def test_admin_loading_page_offers_the_template(tmp_path, monkeypatch):
    from datetime import date

    from streamlit.testing.v1 import AppTest

    from dashboard.app_context import View
    from dashboard.period import Period
    from dashboard.scope import Filters, Scope
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "live.duckdb"))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / "admin_load.py"), default_timeout=60)
    at.session_state["_view"] = View("boss", "admin", Scope.everything(), Filters(),
                                     Period(date(2024, 5, 1), date(2024, 5, 1)), date(2024, 5, 1), "yesterday")
    at.run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1 and buttons[0].proto.label == "下载目标模板（Excel）"
    assert "target_plan_sheet.yaml" in buttons[0].proto.help
