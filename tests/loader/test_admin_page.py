"""pages/admin_load.py through AppTest: admins preview, validate and publish staged
uploads and see the load history; other roles are stopped. (AppTest cannot drive
st.file_uploader, so the test stages the files the way the page does, through
dashboard.loader.stage_uploads, and hands them over in session state.)"""
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import loader
from dashboard.app_context import View
from dashboard.period import Period
from dashboard.scope import Filters, Scope
from dashboard.ui.i18n import CATALOG
from files import ORDERS_HEADER, STORES_HEADER, STORES_ROWS, csv_text, query

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "admin_load.py")


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "live.duckdb"
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    return path


def page_as(role, staged=None):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["_view"] = View("boss", role, Scope.everything(), Filters(),
                                     Period(date(2024, 5, 1), date(2024, 5, 1)), date(2024, 5, 1), "yesterday")
    if staged is not None:
        at.session_state["loader_upload_key"] = ()  # what the page keys "no new upload" by
        at.session_state["loader_paths"] = staged
    at.run()
    assert not at.exception, at.exception
    return at


def test_admin_previews_validates_publishes_and_sees_history(db, tmp_path):
    staged = loader.stage_uploads([
        ("stores.csv", csv_text(STORES_HEADER, STORES_ROWS).encode("gbk")),
        ("orders.csv", csv_text(ORDERS_HEADER, ["O1,2024-05-01,pos,S1,,B1,100,0",
                                                "O2,2024-05-01,pos,S1,,B1,100,120"]).encode()),
    ], tmp_path / "up")
    at = page_as("admin", staged)
    labels = [re.sub(r"\\(.)", r"\1", e.label) for e in at.expander]  # file names are md()-escaped
    assert labels == ["stores.csv → stores（csv, gb18030，2 行，映射：—）", "orders.csv → orders（csv, utf-8，2 行，映射：—）"]
    assert at.button(key="loader_publish").disabled  # validate first

    at.button(key="loader_validate").click().run()
    assert not at.exception
    assert [m.value for m in at.metric][:3] == ["3", "1", "0"]  # 2 stores + 1 order would load
    problems = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    assert problems.iloc[0].tolist() == ["orders.csv", 3, "refund_amount", "120", "退款须在 0 与金额之间", "拒绝"]
    assert not db.exists()  # validating publishes nothing

    at.button(key="loader_publish").click().run()
    assert not at.exception
    assert any("已发布" in s.value for s in at.success)
    assert query(db, "SELECT count(*) FROM orders") == [(1,)]
    history = next(d.value for d in at.dataframe if "操作人" in d.value.columns)
    assert history.iloc[0][["操作人", "文件", "加载行", "拒绝行", "状态"]].tolist() == [
        "boss", "stores.csv, orders.csv", 3, 1, "published"]


def test_admin_without_uploads_sees_the_empty_history(db):
    at = page_as("admin")
    assert [i.value for i in at.info] == ["还没有加载记录。"]


@pytest.mark.parametrize("role", ["hq", "region", "store"])
def test_other_roles_are_stopped(db, role):
    at = page_as(role)
    assert [e.value for e in at.error] == [CATALOG["app.forbidden"][0]]
    assert not at.button and not at.dataframe


def test_every_loader_message_key_the_page_uses_exists():
    text = Path(PAGE).read_text(encoding="utf-8")
    keys = set(re.findall(r't\("(loader\.[a-z_.]+)"', text))
    dynamic = {f"loader.{prefix}.{k}" for prefix, ks in {
        "status": ["published", "checked", "strict_rejected", "failed"],
        "kind": ["rejected", "excluded", "file"],
        "col": ["file", "row", "column", "value", "reason", "kind", "started_at", "username", "files",
                "rows_loaded", "rows_rejected", "status", "duration_s", "message"]}.items() for k in ks}
    assert keys and sorted((keys | dynamic) - set(CATALOG)) == []
