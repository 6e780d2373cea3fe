"""The leaderboards (门店/导购排行) and morning-check (晨检) pages through the real
app frame with AppTest: real login, a real DuckDB file, the user's scope.

As-of day 2026-03-10 (the last day with orders; the default period is that day).
Sales that day: S1 900 (800 POS + 100 WeMall), E1 500 WeMall, E2 300, E3 0, S2 0.
Ranks: S1 1, E1 2, E2 3, E3 4, S2 4. Day before: S2 600, E2 400, E1 100, S1 50 →
S2 1, E2 2, E1 3, S1 4; so S1 ↑3, E1 ↑1, E2 ↓1, S2 ↓3, E3 新.
"""

import pytest

from app_kit import signed_in_as, use_database

from builders import build_db, guide_row, order_row, store_row
from dashboard.auth import users

PASSWORD = "correct-horse-9"


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = build_db(
        tmp_path / "pages.duckdb",
        stores=[store_row("E1", region="华东", store_name="东一店"), store_row("E2", region="华东", store_name="东二店"),
                store_row("E3", region="华东", store_name="东三店"),
                store_row("S1", region="华南", store_name="南一店"), store_row("S2", region="华南", store_name="南二店")],
        guides=[guide_row("gE1", "E1", guide_name="东一导购"), guide_row("gE2", "E2", guide_name="东二导购"),
                guide_row("gS1", "S1", guide_name="南一导购"), guide_row("gS2", "S2", guide_name="南二导购")],
        orders=[
            order_row("a1", "2026-03-10 10:00", "S1", 800, guide_id="gS1"),
            order_row("a2", "2026-03-10 11:00", "S1", 100, channel="wemall", guide_id="gS1"),
            order_row("a3", "2026-03-10 12:00", "E1", 500, channel="wemall", guide_id="gE1"),
            order_row("a4", "2026-03-10 13:00", "E2", 300, guide_id="gE2"),
            order_row("b1", "2026-03-09 10:00", "E1", 100, guide_id="gE1"),
            order_row("b2", "2026-03-09 10:00", "E2", 400, guide_id="gE2"),
            order_row("b3", "2026-03-09 10:00", "S1", 50, guide_id="gS1"),
            order_row("b4", "2026-03-09 10:00", "S2", 600, guide_id="gS2"),
            order_row("w1", "2026-03-03 10:00", "E1", 400),
        ],
    )
    use_database(monkeypatch, tmp_path, db)
    users.add_user("boss", PASSWORD, "hq")
    users.add_user("east", PASSWORD, "region", regions=["华东"])
    return tmp_path


def signed_in(username, query=None):
    return signed_in_as(username, PASSWORD, query)


def open_page(at, script):
    at.switch_page(f"pages/{script}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def leaderboards(username, **query):
    at = signed_in(username, query)
    at.switch_page("pages/leaderboards.py")
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["门店/导购排行"]
    return at


def tables(at):
    """regions, stores, guides: the three tables the page shows, in order."""
    return [d.value for d in at.dataframe]


def test_store_and_guide_tables_for_hq(env):
    at = leaderboards("boss")
    regions, stores, guides = tables(at)
    assert sorted(regions["大区"]) == ["华东", "华南"]
    assert stores["门店编号"].tolist() == ["S1", "E1", "E2", "E3", "S2"]
    assert stores["排名"].tolist() == [1, 2, 3, 4, 4]
    assert stores["名次变化"].tolist() == ["↑3", "↑1", "↓1", "新", "↓3"]
    assert stores["销售额"].tolist()[:3] == ["¥900", "¥500", "¥300"]
    assert guides["导购编号"].tolist() == ["gS1", "gE1", "gE2", "gS2"]
    # Concentration: 4 employed guides -> top 1 (gE1, WeMall 500) of 600 credited WeMall sales.
    assert any("83.3%" in str(m.value) and "1 / 4" in str(m.value) for m in at.markdown)


def test_drill_down_path_from_the_url_narrows_each_level(env):
    at = leaderboards("boss", drill_region="华南")
    _, stores, guides = tables(at)
    assert stores["门店编号"].tolist() == ["S1", "S2"]
    assert guides["导购编号"].tolist() == ["gS1", "gS2"]
    assert any("全部 › 华南" in str(m.value) for m in at.markdown)

    at = leaderboards("boss", drill_region="华南", drill_store="S2")
    _, stores, guides = tables(at)
    assert stores["门店编号"].tolist() == ["S1", "S2"]  # the store level still shows its region
    assert guides["导购编号"].tolist() == ["gS2"]
    assert any("全部 › 华南 › 南二店" in str(m.value) for m in at.markdown)
    # Going back up clears the path in the URL.
    at.button(key="lb_back_all").click()
    at.run()
    assert "drill_region" not in at.query_params and "drill_store" not in at.query_params
    assert tables(at)[1]["门店编号"].tolist() == ["S1", "E1", "E2", "E3", "S2"]


def test_a_url_cannot_widen_the_scope(env):
    # The regional manager of 华东 pastes a link drilling into 华南: the path is ignored.
    at = leaderboards("east", drill_region="华南", drill_store="S2")
    regions, stores, guides = tables(at)
    assert regions["大区"].tolist() == ["华东"]
    assert stores["门店编号"].tolist() == ["E1", "E2", "E3"]
    assert set(guides["导购编号"]) == {"gE1", "gE2"}
    assert not any("南" in str(v) for v in stores["门店"])


def test_morning_check_for_a_regional_manager(env):
    at = open_page(signed_in("east"), "morning_check")
    assert [t.value for t in at.title] == ["晨检"]
    html = "\n".join(str(m.value) for m in at.markdown)
    # 华东 on 03-10: 500 + 300 = 800; day before 100 + 400 = 500 (+60.0%); last Tuesday 400 (+100.0%).
    assert "¥800" in html and "▲60.0%" in html and "▲100.0%" in html
    # Ranked within 华东: E1 ↑1 (2 -> 1), E2 ↓1, E3 new; nothing from 华南.
    assert "东一店" in html and "↑1" in html and "↓1" in html and "新" in html
    assert "南一店" not in html and "南二店" not in html
    # E3 is open and has never sold.
    assert "东三店（E3）：营业但无销售 · 从未成交" in html



def test_a_long_guide_ranking_shows_its_top_and_says_how_many(tmp_path):
    """Over lv.TOP_ROWS guides the table shows the first TOP_ROWS in rank order
    and says how many there are (the page's export gets the whole frame)."""
    from dashboard.ui import leaderboard_view as lv
    from streamlit.testing.v1 import AppTest
    n = lv.TOP_ROWS + 7

    def app():
        import pandas as pd
        from dashboard.ui import leaderboard_view as lv
        rows = lv.TOP_ROWS + 7
        df = pd.DataFrame({"rank": range(1, rows + 1), "guide_id": [f"G{i:04d}" for i in range(rows)],
                           "sales": [float(rows - i) for i in range(rows)]})
        lv.top_table(df, ["rank", "guide_id", "sales"], key="g")

    at = AppTest.from_function(app).run()
    shown = at.dataframe[0].value
    assert len(shown) == lv.TOP_ROWS and shown.iloc[0, 1] == "G0000" and shown.iloc[-1, 1] == f"G{lv.TOP_ROWS - 1:04d}"
    assert any(f"前 {lv.TOP_ROWS} 名（共 {n} 名）" in c.value for c in at.caption)
