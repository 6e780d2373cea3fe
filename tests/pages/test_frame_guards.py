"""The frame through AppTest (real app.py, real login, a real DuckDB file):
extreme dates and over-long periods from a URL fall back with a notice instead
of a traceback, and a restricted page registered in frame.PAGES alone (no guard
of its own) is closed to every other role."""
from datetime import date

import pytest

from app_kit import signed_in_as, use_database
from builders import build_db, order_row, store_row
from dashboard import frame
from dashboard.auth import users
from dashboard.period import MAX_PERIOD_DAYS

PASSWORD = "correct-horse-9"
LAST_DAY = date(2026, 3, 10)


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = build_db(tmp_path / "g.duckdb", stores=[store_row("S1"), store_row("S2", region="华南")],
                  orders=[order_row("a", "2026-03-10 10:00", "S1", 100), order_row("b", "2026-03-09 10:00", "S2", 50)])
    use_database(monkeypatch, tmp_path, db)
    users.add_user("boss", PASSWORD, "hq")
    users.add_user("root", PASSWORD, "admin")
    users.add_user("east", PASSWORD, "region", regions=["华东"])
    return tmp_path


def signed_in(username, query=None, page=None):
    return signed_in_as(username, PASSWORD, query, page)


def view_of(at):
    return at.session_state["_view"]


@pytest.mark.parametrize("asof", ["9999-12-31", "0001-01-01"])
def test_an_extreme_as_of_date_falls_back_with_a_notice(env, asof):
    at = signed_in("boss", {"asof": asof})
    assert view_of(at).as_of == LAST_DAY
    assert any(asof in w.value and str(LAST_DAY) in w.value for w in at.warning), [w.value for w in at.warning]


def test_an_unbounded_custom_range_falls_back_with_a_notice(env):
    at = signed_in("boss", {"preset": "custom", "start": "1500-01-01", "end": "2500-12-31"})
    v = view_of(at)
    assert v.preset == "yesterday" and (v.period.start, v.period.end) == (LAST_DAY, LAST_DAY)
    assert any("自定义区间" in w.value for w in at.warning)


def test_a_custom_range_longer_than_the_cap_is_cut_with_a_notice(env):
    at = signed_in("boss", {"preset": "custom", "start": "2019-01-01", "end": "2026-03-10"})
    v = view_of(at)
    assert v.period.end == LAST_DAY and v.period.days == MAX_PERIOD_DAYS
    assert any("最长" in w.value and str(v.period.start) in w.value for w in at.warning)


@pytest.fixture
def secret_page(env, tmp_path, monkeypatch):
    """frame.PAGES plus an admins-only page whose script has no guard at all."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for script, *_ in frame.PAGES:
        if (frame.PAGES_DIR / script).exists():
            (pages / script).symlink_to(frame.PAGES_DIR / script)
    (pages / "secret.py").write_text('import streamlit as st\nst.text("SECRET-CONTENT")\n', encoding="utf-8")
    monkeypatch.setattr(frame, "PAGES_DIR", pages)
    monkeypatch.setattr(frame, "PAGES", frame.PAGES + (
        ("secret.py", "secret", "nav.admin_audit", ":material/lock:", ("admin",)),))
    return str(pages / "secret.py")


def test_the_frame_opens_a_restricted_page_for_its_role(secret_page):
    at = signed_in("root", page=secret_page)
    assert "SECRET-CONTENT" in [t.value for t in at.text]


@pytest.mark.parametrize("username", ["boss", "east"])
def test_the_frame_closes_a_restricted_page_to_other_roles(secret_page, username):
    at = signed_in(username, page=secret_page)
    assert "SECRET-CONTENT" not in [t.value for t in at.text]
    assert any("无权" in e.value for e in at.error)


def test_a_file_with_rollups_of_older_code_gets_a_message_naming_the_fix(env, monkeypatch):
    """A file published by code whose rollups differ (a rollup redefined since)
    is refused with the command that rebuilds them, not a traceback."""
    import duckdb
    from dashboard import config, store
    path = config.db_path().resolve()
    con = duckdb.connect(str(path))
    con.execute("UPDATE _meta SET value = 'older' WHERE key = 'rollup:buyer_days'")
    con.close()
    with pytest.raises(store.RollupsOutdated, match=r"buyer_days.*python -m dashboard rollups --db"):
        store.open_read_only(path)
    at = signed_in("boss")
    assert not at.exception
    shown = " ".join(str(e.value) for e in at.error)
    assert "数据库与当前程序版本不符" in shown and "buyer\\_days" in shown and "dashboard rollups" in shown, shown
