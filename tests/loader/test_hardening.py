"""The loader refuses what cannot be data: rows dated after tomorrow (China
time), control characters in text and ids, a field over the CSV module's
128 KB default, and a load in which no file can be read."""
from datetime import timedelta

import pytest

from dashboard.clock import today
from dashboard.loader import load, load_history, preview, remove_stale_uploads, stage_uploads
from files import ORDERS_HEADER, csv_text, orders_csv, query, stores_csv, write

GOOD = "O1,2024-05-01 10:00,pos,S1,,B1,100,0"


def messages(result):
    return [p.message for p in result.problems]


def test_rows_dated_after_tomorrow_china_time_are_rejected(tmp_path):
    tomorrow, after = today() + timedelta(days=1), today() + timedelta(days=2)
    rows = [GOOD, f"O2,{tomorrow} 23:59,pos,S1,,B1,100,0", f"O3,{after} 00:00,pos,S1,,B1,100,0",
            "O4,2099-01-01 10:00,wemall,S1,,B1,100,0"]
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), orders_csv(tmp_path, rows)], db)
    reason = "日期晚于明天（中国时间），不可能已发生 / is after tomorrow (China time): it cannot have happened yet"
    assert messages(result) == [f"orders.csv 第 4 行 ordered_at={after} 00:00：{reason}",
                                f"orders.csv 第 5 行 ordered_at=2099-01-01 10:00：{reason}"]
    assert result.status == "published" and result.rows_rejected == 2
    assert query(db, "SELECT order_id FROM orders ORDER BY 1") == [("O1",), ("O2",)]


def test_a_future_opening_day_is_rejected_but_a_planned_closing_day_is_not(tmp_path):
    rows = ["S1,一店,B1,华东,上海,上海,2099-01-01,10:00,22:00",
            "S2,二店,B1,华东,上海,上海,2020-01-01,10:00,22:00,2099-12-31"]
    path = write(tmp_path / "stores.csv", csv_text(
        "store_id,store_name,brand,region,province,city,opened_on,open_time,close_time,closed_on", rows))
    result = load([path], tmp_path / "x.duckdb")
    assert [(p.row, p.column) for p in result.problems] == [(2, "opened_on")]
    assert query(tmp_path / "x.duckdb", "SELECT store_id FROM stores") == [("S2",)]


@pytest.mark.parametrize("row,column,shown", [
    ("O\x002,2024-05-01 10:00,pos,S1,,B1,100,0", "order_id", "O\\x002"),
    ('"O\t2",2024-05-01 10:00,pos,S1,,B1,100,0', "order_id", "O\\t2"),  # tab in an id
    ("O2,2024-05-01 10:00,pos,S1,,B\x071,100,0", "brand", "B\\x071"),
    ("O2,2024-05-01\x00 10:00,pos,S1,,B1,100,0", "ordered_at", "2024-05-01\\x00 10:00"),
])
def test_control_characters_reject_the_row(tmp_path, row, column, shown):
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), orders_csv(tmp_path, [GOOD, row])], db)
    assert messages(result) == [f"orders.csv 第 3 行 {column}={shown}：含有控制字符（如 NUL） / "
                                "contains a control character (such as NUL)"]
    assert query(db, "SELECT order_id FROM orders") == [("O1",)]


def test_line_breaks_and_tabs_stay_allowed_in_free_text(tmp_path):
    path = write(tmp_path / "stores.csv", csv_text(
        "store_id,store_name,brand,region,province,city,opened_on,open_time,close_time",
        ['S1,"一店\t(旗舰)",B1,华东,上海,上海,2020-01-01,10:00,22:00']))
    result = load([path], tmp_path / "x.duckdb")
    assert result.problems == [] and query(tmp_path / "x.duckdb", "SELECT store_name FROM stores") == [("一店\t(旗舰)",)]


def test_a_field_over_128_kb_is_read_and_one_over_the_limit_is_a_clear_problem(tmp_path):
    big = "长" * 200_000  # 200k characters: over Python's 128 KB default, under our 1 MB bound
    path = write(tmp_path / "stores.csv", csv_text(
        "store_id,store_name,brand,region,province,city,opened_on,open_time,close_time",
        [f"S1,{big},B1,华东,上海,上海,2020-01-01,10:00,22:00"]))
    result = load([path], tmp_path / "x.duckdb")
    assert result.status == "published" and result.rows_loaded == 1

    huge = "x" * (1024 * 1024 + 1)
    path = write(tmp_path / "stores.csv", csv_text(
        "store_id,store_name,brand,region,province,city,opened_on,open_time,close_time",
        ["S2,二店,B1,华东,上海,上海,2020-01-01,10:00,22:00", f"S3,{huge},B1,华东,上海,上海,2020-01-01,10:00,22:00"]))
    item, = preview([path])  # the admin page's preview: a problem, not a traceback
    assert item["problems"] == ["stores.csv：无法读取或映射：stores.csv: row 3: a field is longer than 1024 KB "
                                "(the limit of one cell); fix or remove that row / cannot read or map: "
                                "stores.csv: row 3: a field is longer than 1024 KB (the limit of one cell); "
                                "fix or remove that row"]
    result = load([path], tmp_path / "y.duckdb")
    assert result.status == "failed" and not (tmp_path / "y.duckdb").exists()


def test_a_load_with_no_readable_file_fails(tmp_path):
    bad_xlsx = tmp_path / "orders.xlsx"
    bad_xlsx.write_bytes(b"this is not a workbook")
    undecodable = write(tmp_path / "stores.csv", "x")
    undecodable.write_bytes(b"store_id\n\xff\xfe\xff\n")
    db = tmp_path / "x.duckdb"
    result = load([bad_xlsx, undecodable], db, user="ops")
    assert result.status == "failed" and result.message == "no readable file among 2: nothing loaded"
    assert [p.kind for p in result.problems] == ["file", "file"]
    assert "orders.xlsx: cannot be read as xlsx" in result.problems[0].message
    assert not db.exists()
    assert load_history().iloc[0]["status"] == "failed"


# --- uploads in /tmp/dashboard-upload-* do not stay forever -----------------------------

def test_staged_uploads_are_private_and_go_when_dropped():
    import gc
    import stat
    staged = stage_uploads([("stores.csv", b"store_id\nS1\n")])
    folder = staged[0].parent
    assert folder.name.startswith("dashboard-upload-") and folder.is_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(staged[0].stat().st_mode) == 0o600
    del staged  # the session ends: its session state, holding the list, is dropped
    gc.collect()
    assert not folder.exists()


def test_stale_upload_folders_are_swept(tmp_path):
    import os
    import time
    old, fresh = tmp_path / "dashboard-upload-old", tmp_path / "dashboard-upload-new"
    other = tmp_path / "unrelated-old"
    for f in (old, fresh, other):
        f.mkdir()
        (f / "x.csv").write_text("a\n")
    two_days_ago = time.time() - 2 * 86400
    for f in (old, other):
        os.utime(f, (two_days_ago, two_days_ago))
    assert remove_stale_uploads(tmp=tmp_path) == [old]
    assert not old.exists() and fresh.exists() and other.exists()


def test_the_admin_page_removes_the_uploads_after_publishing(tmp_path, monkeypatch):
    from datetime import date
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from dashboard.app_context import View
    from dashboard.period import Period
    from dashboard.scope import Filters, Scope
    from files import STORES_HEADER, STORES_ROWS
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "live.duckdb"))
    staged = stage_uploads([("stores.csv", csv_text(STORES_HEADER, STORES_ROWS).encode())])
    folder = staged[0].parent
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / "admin_load.py"), default_timeout=60)
    at.session_state["_view"] = View("boss", "admin", Scope.everything(), Filters(),
                                     Period(date(2024, 5, 1), date(2024, 5, 1)), date(2024, 5, 1), "yesterday")
    at.session_state["loader_upload_key"] = ()
    at.session_state["loader_paths"] = staged
    at.run()
    at.button(key="loader_validate").click().run()
    assert folder.exists()  # validating keeps them: the admin may publish next
    at.button(key="loader_publish").click().run()
    assert not at.exception, at.exception
    assert not folder.exists()
    assert any("已发布" in s.value for s in at.success)  # the result stays on screen
    at.run()
    assert not at.exception and not at.error


# --- after kill -9 during a load -------------------------------------------------------

def test_the_next_load_cleans_a_killed_build_and_keeps_the_previous_good_version(tmp_path):
    import os
    db = tmp_path / "x.duckdb"
    assert load([stores_csv(tmp_path)], db).status == "published"
    first = os.path.realpath(db)
    assert load([stores_csv(tmp_path)], db).status == "published"
    good = os.path.realpath(db)  # the version in use now; `first` is the previous good one
    # What kill -9 half way through a third load leaves: a version file newer than
    # every other (half-written), its WAL and a temporary link.
    half = tmp_path / ".x.duckdb.v20990101T000000-deadbeef"
    half.write_bytes(b"DUCK" + b"\0" * 4096)
    (tmp_path / ".x.duckdb.v20990101T000000-deadbeef.wal").write_bytes(b"wal")
    os.symlink(half.name, tmp_path / ".x.duckdb.link-99999-abcd")

    assert load([stores_csv(tmp_path)], db).status == "published"
    versions = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".x.duckdb.v"))
    assert os.path.basename(good) in versions  # the previous good version is kept
    assert half.name not in versions and not any(v.endswith(".wal") for v in versions)
    assert len(versions) == 2 and os.path.basename(first) not in versions
    assert not list(tmp_path.glob(".x.duckdb.link-*"))
    assert query(db, "SELECT count(*) FROM stores") == [(2,)]


def test_a_killed_load_left_running_is_marked_interrupted(tmp_path, ops_db):
    import os
    import sqlite3
    import subprocess
    import sys
    db = tmp_path / "x.duckdb"
    assert load([stores_csv(tmp_path)], db).status == "published"  # creates the history table
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has exited, as a killed loader has
    with sqlite3.connect(ops_db) as con:
        has_pid = "pid" in {r[1] for r in con.execute("PRAGMA table_info(load_history)")}
        insert = ("INSERT INTO load_history (started_at, username, files, status{}) VALUES "
                  "('2026-11-01T09:00:00', 'ops', '[\"orders.csv\"]', 'running'{})")
        if has_pid:
            con.execute(insert.format(", pid", ", ?"), (dead_pid,))
            con.execute(insert.format(", pid", ", ?").replace("2026-11-01", "2026-12-01"), (os.getpid(),))
        con.execute(insert.format("", ""))  # a row from before process ids were kept, a month old
        ids = [r[0] for r in con.execute("SELECT id FROM load_history WHERE status = 'running' ORDER BY id")]
    assert load([stores_csv(tmp_path)], db).status == "published"
    history = load_history().set_index("id")
    assert has_pid and len(ids) == 3
    killed, live, old = ids
    assert history.loc[killed, "status"] == "interrupted" and history.loc[old, "status"] == "interrupted"
    assert history.loc[killed, "message"].startswith("interrupted: the loading process stopped")
    assert history.loc[live, "status"] == "running"  # a load still in progress (this process) is left alone


def test_report_folders_and_the_ops_store_are_private(tmp_path, ops_db):
    import stat
    db = tmp_path / "x.duckdb"
    result = load([stores_csv(tmp_path), orders_csv(tmp_path, [GOOD, "O2,2024-05-01,pos,S9,,B1,1,0"])], db)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(result.report_dir.parent) == 0o700 and mode(result.report_dir) == 0o700
    assert mode(result.report_dir / "rejected.csv") == 0o600 and mode(result.report_dir / "report.json") == 0o600
    assert mode(ops_db) == 0o600


def test_a_real_kill_9_during_a_load(tmp_path, ops_db):
    """The loading process is killed with SIGKILL inside the build; the next load
    cleans up after it and keeps the good data."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path
    db = tmp_path / "x.duckdb"
    assert load([stores_csv(tmp_path)], db).status == "published"
    good = os.path.realpath(db)
    orders = orders_csv(tmp_path, [GOOD])
    script = (
        "import sys, time\n"
        "from dashboard.loader import load\n"
        "def progress(f, text):\n"
        "    if 0.1 < f < 0.97:\n"
        "        print('building', flush=True); time.sleep(120)\n"
        f"load([{str(orders)!r}], {str(db)!r}, user='ops', progress=progress)\n")
    env = {**os.environ, "DASHBOARD_OPS_DB": str(ops_db)}
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "building"
        half = [p for p in tmp_path.iterdir() if p.name.startswith(".x.duckdb.v") and str(p) != good]
        assert half  # the half-built version file is there
        assert load_history().iloc[0]["status"] == "running"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert os.path.realpath(db) == good  # nothing was published
    assert load([stores_csv(tmp_path)], db).status == "published"
    versions = {p.name for p in tmp_path.iterdir() if p.name.startswith(".x.duckdb.v")}
    assert versions == {os.path.basename(good), os.path.basename(os.path.realpath(db))}
    assert not any(p.name in versions for p in half)
    history = load_history()
    assert list(history["status"])[:3] == ["published", "interrupted", "published"]


def test_the_admin_page_shows_a_huge_csv_field_as_a_problem(tmp_path, monkeypatch):
    from datetime import date
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from dashboard.app_context import View
    from dashboard.period import Period
    from dashboard.scope import Filters, Scope
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "live.duckdb"))
    huge = "x" * (1024 * 1024 + 1)
    staged = stage_uploads([("stores.csv", f"store_id,store_name\nS1,{huge}\n".encode())], tmp_path / "up")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / "admin_load.py"), default_timeout=60)
    at.session_state["_view"] = View("boss", "admin", Scope.everything(), Filters(),
                                     Period(date(2024, 5, 1), date(2024, 5, 1)), date(2024, 5, 1), "yesterday")
    at.session_state["loader_upload_key"] = ()
    at.session_state["loader_paths"] = staged
    at.run()
    assert not at.exception
    assert any("1024 KB" in e.value and "row 2" in e.value for e in at.error), [e.value for e in at.error]
    at.button(key="loader_validate").click().run()
    assert not at.exception


def test_versions_are_kept_when_the_data_folder_is_reached_through_a_symlink(tmp_path):
    import os
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "via")
    db = tmp_path / "via" / "x.duckdb"
    for _ in range(3):
        assert load([stores_csv(tmp_path)], db).status == "published"
    versions = [p for p in real.iterdir() if p.name.startswith(".x.duckdb.v")]
    assert len(versions) == 2 and os.path.realpath(db) in {os.path.realpath(p) for p in versions}
    assert query(db, "SELECT count(*) FROM stores") == [(2,)]
