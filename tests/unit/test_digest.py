"""昨日要点 (dashboard/digest.py) on a hand-built day, Mon 2026-11-23: the rules
pick movers, anomalies and targets behind pace; data values stay plain text;
the WeCom markdown keeps to its byte limit and ends with a link when cut."""
from datetime import date, timedelta

import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard import digest
from dashboard.metrics import METRICS
from dashboard.scope import Scope

DAY = date(2026, 11, 23)   # a Monday
EVIL = "坏店*[点我](http://x.example)<b>#"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    orders = []
    # Eight Mondays before DAY: every store sells 1000 (S3 a little more or less), S1 collapses on DAY.
    for k in range(1, 9):
        d = DAY - timedelta(days=7 * k)
        for s, v in (("S1", 1000), ("S2", 1000), ("S3", 900 + 25 * k), ("S4", 1000)):
            orders.append(order_row(f"{s}-h{k}", f"{d} 12:00", s, v))
    # the day before: S1 first, S2 last; DAY: S2 first, S1 last (rank moves of 3)
    for s, v in (("S1", 4000), ("S3", 3000), ("S4", 2000), ("S2", 1000)):
        orders.append(order_row(f"{s}-prev", f"{DAY - timedelta(days=1)} 12:00", s, v))
    for s, v in (("S2", 1040), ("S4", 1000), ("S3", 600), ("S1", 100)):
        orders.append(order_row(f"{s}-day", f"{DAY} 12:00", s, v))
    return build_db(
        tmp_path_factory.mktemp("dg") / "dg.duckdb",
        stores=[store_row("S1", store_name=EVIL), store_row("S2", store_name="南京店"),
                store_row("S3", store_name="广州店", region="华南"), store_row("S4", store_name="深圳店", region="华南")],
        guides=[guide_row("G1", "S1", guide_name="小王")],
        orders=orders,
        targets=[{"month": "2026-11", "level": "store", "target_id": "S1", "sales_target": 100000},
                 {"month": "2026-11", "level": "store", "target_id": "S3", "sales_target": 1000},
                 {"month": "2026-11", "level": "guide", "target_id": "G1", "sales_target": 5000}],
    )


def test_rules_pick_movers_anomalies_and_targets(db):
    d = digest.build(reader_for(db), DAY)
    keys = [(ln.section, ln.key) for ln in d.lines]
    assert keys[0] == ("summary", "dg.summary")
    # S2 rose from 4th to 1st, S1 fell from 1st to 4th
    risers = [ln.values for ln in d.lines if ln.key == "dg.riser"]
    fallers = [ln.values for ln in d.lines if ln.key == "dg.faller"]
    assert risers[0] == {"name": "南京店", "places": 3, "prev": 4, "now": 1}
    assert fallers[0] == {"name": EVIL, "places": 3, "prev": 1, "now": 4}
    # S1: 100 against all-equal Mondays (1000 x 8): no spread at all, not judged.
    # S3's Mondays 925, 950 … 1100: median 1012.5, MAD 50; z = (600 - 1012.5) / 74.13 = -5.56 -> down
    anomalies = [ln.values for ln in d.lines if ln.section == "anomalies"]
    assert len(anomalies) == 1 and anomalies[0]["name"] == "广州店" and anomalies[0]["baseline"] == 1012.5
    assert anomalies[0]["deviation"] == pytest.approx(412.5 / (1.4826 * 50))
    # targets: S1 has 8000+... month to date far below pace; S3 far ahead
    summary = next(ln.values for ln in d.lines if ln.key == "dg.target_summary")
    assert summary["stores"] == 2 and summary["behind"] == 1
    behind = [ln.values["name"] for ln in d.lines if ln.key == "dg.behind_store"]
    assert behind == [EVIL]
    assert any(ln.key == "dg.behind_guides" and ln.values == {"behind": 1, "guides": 1} for ln in d.lines)
    # the text in Chinese and in English
    texts = dict(digest.lines_text(d, "zh"))
    assert "名次变化" in texts and "目标进度" in texts
    assert any("up 3 places" in text for _, text in digest.lines_text(d, "en"))


def test_the_threshold_in_force_reaches_the_anomaly_rule(db):
    assert not [ln for ln in digest.build(reader_for(db), DAY, {"anomaly_threshold": 6.0}).lines
                if ln.section == "anomalies"]                                       # |z| = 5.56 < 6
    assert [ln.key for ln in digest.build(reader_for(db), DAY, {"anomaly_threshold": 5.0}).lines
            if ln.section == "anomalies"] == ["dg.anomaly.down"]


def test_markdown_escapes_data_values(db):
    md = digest.markdown(digest.build(reader_for(db), DAY), "zh", "https://bi.example.com")
    assert "[点我](http://x.example)" not in md and "<b>" not in md
    assert "坏店＊［点我］（http://x.example）＜b＞＃" in md      # the name, as its own text
    assert md.startswith("**昨日要点 · 2026-11-23（周一）**")


def test_markdown_keeps_to_the_byte_limit_and_links_to_the_app():
    lines = [digest.Line("movers", "dg.riser", {"name": f"门店{i:03d}号很长很长的名字", "places": 3, "prev": 9, "now": 6})
             for i in range(400)]
    d = digest.Digest(DAY, lines)
    md = digest.markdown(d, "zh", "https://bi.example.com/morning_check", limit=4096)
    assert len(md.encode("utf-8")) <= 4096
    assert md.endswith("更多内容请打开看板：[https://bi.example.com/morning_check](https://bi.example.com/morning_check)")
    assert "门店000号" in md and "门店399号" not in md
    whole = digest.markdown(digest.Digest(DAY, lines[:3]), "zh", "https://bi.example.com/morning_check")
    assert "更多内容" not in whole  # nothing cut, no pointer


def test_scope_names_only_the_users_stores(db):
    east = digest.build(reader_for(db, Scope.of(regions=["华东"])), DAY)
    assert set(east.names()) <= {EVIL, "南京店", "小王"} and "南京店" in east.names()
    md = digest.markdown(east, "zh")
    assert "广州店" not in md and "深圳店" not in md
    # within 华东 alone S2 rose from 2nd to 1st: ranks are the scope's own
    assert any(ln.key == "dg.riser" and ln.values["prev"] == 2 for ln in east.lines)
    south = digest.build(reader_for(db, Scope.of(regions=["华南"])), DAY)
    assert set(south.names()) <= {"广州店", "深圳店"}
    assert "南京店" not in digest.markdown(south, "zh")


def test_optional_sections_are_skipped_when_their_metrics_are_missing(db):
    d = digest.build(reader_for(db), DAY)
    present = {ln.section for ln in d.lines}
    for section, names in (("community", ("morning-community", "group-activity")),
                           ("negative", ("negative-messages",)), ("lives", ("morning-lives", "live-tail"))):
        if not any(n in METRICS for n in names):
            assert section not in present


def test_rows_round_trip_for_the_metric(db):
    d = digest.build(reader_for(db), DAY)
    rows = digest.to_rows(d)
    assert list(rows.columns) == ["section", "line", "params", "text"]
    assert digest.from_rows(rows, DAY).lines == d.lines


def test_optional_rules_read_flags_however_typed():
    import pandas as pd
    groups = pd.DataFrame({"group_id": ["q1", "q2", "q3"], "silent": ["true", "false", True]})
    assert digest._community(groups, DAY, {"silent_days": 14}) == ("dg.silent_groups", {"n": 2, "days": 14})
    assert digest._community(groups.drop(columns="silent"), DAY, {}) is None
    negative = pd.DataFrame({"message_id": ["m1", "m2"], "replied_within_30m": [False, "true"]})
    assert digest._negative(negative, DAY, {}) == ("dg.unanswered", {"n": 1})
    lives = pd.DataFrame({"live_id": ["L1", "L2"], "tail_sales": [100.0, 50.0],
                          "ended_at": [pd.Timestamp("2026-11-22 21:00"), pd.Timestamp("2026-11-10 21:00")]})
    assert digest._lives(lives, DAY, {}) == ("dg.lives_tail", {"n": 1, "tail": 100.0})
