"""达成率, anomalies and 昨日要点 on the morning check, the overview and the
leaderboards, through the real app frame with AppTest.

As-of day Tue 2026-03-10 (March: 31 days, time progress 10/31 = 32.3%, 21 days
left). E1 (华东): target ¥31,000, sales 2000 (03-02) + 1000 (03-10) = 3000 →
attainment 9.7%, gap 31000 × 10/31 − 3000 = ¥7,000, needed (31000 − 3000)/21 =
¥1,333 a day. S1 (华南) is behind too but must never show for `east`.
E2's eight previous Tuesdays: 1000 1100 900 1000 1050 950 1000 1000 → median
1000, MAD 25; on 03-10 it sold 300: z = −700 / 37.065 = −18.9 → an anomaly.
"""
from datetime import date, timedelta

import pytest

from app_kit import use_database

from builders import build_db, guide_row, order_row, store_row
from dashboard.auth import users

from test_leaderboard_pages import PASSWORD, open_page, signed_in

DAY = date(2026, 3, 10)
TUESDAYS = [1000, 1100, 900, 1000, 1050, 950, 1000, 1000]


@pytest.fixture
def env(tmp_path, monkeypatch):
    orders = [order_row(f"h{k}", f"{DAY - timedelta(days=7 * (k + 1))} 12:00", "E2", v)
              for k, v in enumerate(TUESDAYS)]
    orders += [order_row("e1a", "2026-03-02 12:00", "E1", 2000, guide_id="gE1"),
               order_row("e1b", "2026-03-10 12:00", "E1", 1000, guide_id="gE1"),
               order_row("e2", "2026-03-10 13:00", "E2", 300),
               order_row("s1", "2026-03-10 13:00", "S1", 100)]
    db = build_db(
        tmp_path / "tg.duckdb",
        stores=[store_row("E1", store_name="东一店"), store_row("E2", store_name="东二店"),
                store_row("S1", region="华南", store_name="南一店")],
        guides=[guide_row("gE1", "E1", guide_name="东一导购"), guide_row("gS1", "S1", guide_name="南一导购")],
        orders=orders,
        targets=[{"month": "2026-03", "level": "store", "target_id": "E1", "sales_target": 31000},
                 {"month": "2026-03", "level": "store", "target_id": "S1", "sales_target": 50000},
                 {"month": "2026-03", "level": "guide", "target_id": "gE1", "sales_target": 20000},
                 {"month": "2026-03", "level": "guide", "target_id": "gS1", "sales_target": 20000}],
    )
    use_database(monkeypatch, tmp_path, db)
    users.add_user("boss", PASSWORD, "hq")
    users.add_user("east", PASSWORD, "region", regions=["华东"])
    return tmp_path


def page_html(at) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def test_morning_check_shows_behind_pace_anomalies_and_the_digest(env):
    at = open_page(signed_in("east"), "morning_check")
    html = page_html(at)
    assert [s.value for s in at.subheader][:2] == ["昨日要点", "目标达成（2026-03）"]
    # the attainment card and the behind-pace items
    assert "¥3,000 / ¥3.1万" in html and "9.7%" in html and "32.3%" in html
    assert "东一店（E1）：达成 9.7%，差 ¥7,000，日均需 ¥1,333" in html
    assert "东一导购（gE1）：达成 15.0%" in html          # 3000 / 20000
    # the anomaly, in "needs attention", with a plain reason
    assert "东二店（E2）：销售异常偏低：¥300，同星期基线 ¥1,000（偏离 18.9 个MAD）" in html
    # 昨日要点: rule-made lines for 华东 only
    digest = next(str(m.value) for m in at.markdown if 'data-tg="digest"' in str(m.value))
    assert "目标进度" in digest and "东一店 达成 9.7%，差 ¥7,000，日均需 ¥1,333" in digest
    assert "东二店 销售 ¥300，远低于同星期基线 ¥1,000（−18.9 MAD）" in digest
    assert "南一店" not in html and "南一导购" not in html


def test_the_digest_follows_the_settings_in_force(env):
    """昨日要点 is kept per view and settings in force (runtime.cache.VIEW_VALUES):
    a rerun shows the same lines, and raising the anomaly threshold above E2's
    18.9 MADs drops its line at the next rerun, as the page's own anomalies do."""
    from dashboard import settings
    at = open_page(signed_in("east"), "morning_check")
    digest = lambda: next(str(m.value) for m in at.markdown if 'data-tg="digest"' in str(m.value))  # noqa: E731
    line = "东二店 销售 ¥300，远低于同星期基线 ¥1,000（−18.9 MAD）"
    assert line in digest()
    at.run()
    assert line in digest()
    settings.change("anomaly_threshold", "20", "admin")
    at.run()
    assert not at.exception
    assert line not in digest() and "东一店 达成 9.7%" in digest()
    assert "东二店（E2）：销售异常偏低" not in page_html(at)


def test_overview_and_leaderboards_show_attainment(env):
    at = open_page(signed_in("boss"), "overview")
    html = page_html(at)
    # hq: E1 + S1 targets 81000; sales 3000 + 100 = 3100 -> 3.8%
    assert "¥3,100 / ¥8.1万" in html and "3.8%" in html and "2/2 家门店落后时间进度" in html
    at = open_page(at, "leaderboards")
    stores = at.dataframe[1].value
    assert "达成率" in stores.columns
    shown = dict(zip(stores["门店编号"], stores["达成率"]))
    assert shown["E1"] == "9.7%" and shown["E2"] == "—"


def test_a_long_behind_pace_list_lists_the_largest_gaps_and_exports_them_all(tmp_path, monkeypatch):
    """Over targets_view.LISTED guides behind pace, the expander lists the first
    LISTED by gap (then id), says how many there are, and offers the export."""
    from dashboard.ui import targets_view
    n = targets_view.LISTED + 8
    guides = [guide_row(f"g{i:03d}", "E1", guide_name=f"导购{i:03d}") for i in range(n)]
    # Targets 20000 + i: gap (20000 + i) × 10/31, so the largest gap is the last guide's.
    targets = [{"month": "2026-03", "level": "guide", "target_id": f"g{i:03d}", "sales_target": 20000 + i}
               for i in range(n)] + [{"month": "2026-03", "level": "store", "target_id": "E1", "sales_target": 1e6}]
    db = build_db(tmp_path / "many.duckdb", stores=[store_row("E1", store_name="东一店")], guides=guides,
                  orders=[order_row("o1", "2026-03-10 12:00", "E1", 100)], targets=targets)
    use_database(monkeypatch, tmp_path, db)
    users.add_user("east", PASSWORD, "region", regions=["华东"])
    at = open_page(signed_in("east"), "morning_check")
    html = page_html(at)
    first = html.index(f"导购{n - 1:03d}（g{n - 1:03d}）")            # the largest gap comes first
    assert first < html.index(f"导购{n - 5:03d}（g{n - 5:03d}）")
    rest = next(str(m.value) for m in at.markdown if 'data-tg="behind_guide_rest"' in str(m.value))
    assert rest.count('data-tg="behind_guide_rest"') == targets_view.LISTED - 5
    assert "导购007（g007）" not in html and "导购008（g008）" in rest   # the 8 smallest gaps are not listed
    assert any(f"此处列出差距最大的前 {targets_view.LISTED} 条（共 {n} 条）" in c.value for c in at.caption)
    assert [b for b in at.get("download_button") if b.proto.label == "导出 CSV" and "behind_guide" in b.proto.id]
