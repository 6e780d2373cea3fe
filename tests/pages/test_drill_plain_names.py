"""The leaderboards' drill-down breadcrumb and subheaders show region and store
names as data: markdown links, remote images (a tracking beacon), KaTeX and HTML
in a name render literally (issue 20 item 3), through ui/drill.py."""
import pytest

from app_kit import signed_in_as, use_database
from builders import build_db, guide_row, order_row, store_row
from dashboard.auth import users
from dashboard.ui.plain import md

PASSWORD = "correct-horse-9"
REGION = "[华南](https://evil.example/r) $x^2$"
STORE = "![b](https://evil.example/beacon.png) <b>南店</b> **粗**"


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = build_db(tmp_path / "h.duckdb",
                  stores=[store_row("S1", region=REGION, store_name=STORE), store_row("E1", store_name="东一店")],
                  guides=[guide_row("g1", "S1")],
                  orders=[order_row("a", "2026-03-10 10:00", "S1", 100, guide_id="g1"),
                          order_row("b", "2026-03-10 10:00", "E1", 50)])
    use_database(monkeypatch, tmp_path, db)
    users.add_user("boss", PASSWORD, "hq")


def test_names_in_the_path_render_literally(env):
    at = signed_in_as("boss", PASSWORD, {"drill_region": REGION, "drill_store": "S1"}, page="pages/leaderboards.py")
    crumb = next(m.value for m in at.markdown if "全部 › " in str(m.value))
    assert crumb.endswith("全部 › " + md(REGION) + " › " + md(STORE))
    assert "](https" not in crumb and "<b>" not in crumb and " $x" not in crumb
    subheaders = [s.value for s in at.subheader]
    assert "门店排行 · " + md(REGION) in subheaders and "导购排行 · " + md(STORE) in subheaders
    assert not any("](https" in s or "<b>" in s for s in subheaders)
    # The drill narrowed to that region's one store and its guide.
    assert at.dataframe[1].value["门店编号"].tolist() == ["S1"] and at.dataframe[2].value["导购编号"].tolist() == ["g1"]
