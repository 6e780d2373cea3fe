"""Row-level scope at the metric layer and through the CLI, for every role:
each user sees only their rows; filters, crafted ids and SQL fragments only
narrow; a user without a valid scope sees nothing.

Hand-worked data (one day, 2026-03-02):
  S1 华东/上海/B1  order 100 (guide g1)
  S2 华东/杭州/B2  order 200
  S3 华南/广州/B1  order 400 (guide g3)
"""
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard.auth.users import hash_password, scope_for_user
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 3, 2)
ALL = 700.0

# username -> (users-file record without hash, expected sales on DAY)
USERS = {
    "hq1": ({"role": "hq"}, ALL),
    "admin1": ({"role": "admin"}, ALL),
    "east": ({"role": "region", "regions": ["华东"]}, 300.0),
    "south": ({"role": "region", "regions": ["华南"]}, 400.0),
    "store3": ({"role": "store", "stores": ["S3"]}, 400.0),
    "stores12": ({"role": "store", "stores": ["S1", "S2"]}, 300.0),
    # Default deny: each of these sees nothing.
    "noregion": ({"role": "region", "regions": []}, 0.0),
    "nostore": ({"role": "store"}, 0.0),
    "ghostregion": ({"role": "region", "regions": ["不存在"]}, 0.0),
    "strange": ({"role": "owner"}, 0.0),
    "off": ({"role": "hq", "disabled": True}, 0.0),
    "demohq": ({"role": "hq", "demo": True}, 0.0),  # demo mode is off in these tests
}
INJECTIONS = ["华东' OR 1=1 --", "'; DROP TABLE orders; --", "S1') OR ('1'='1", "%", "*",
              '" OR ""="', "x' UNION SELECT * FROM main.orders --", "华东\x00", "$_scope_regions"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scope")
    db = build_db(
        tmp / "s.duckdb",
        stores=[store_row("S1", region="华东", city="上海"),
                store_row("S2", region="华东", city="杭州", brand="B2"),
                store_row("S3", region="华南", province="广东", city="广州")],
        guides=[guide_row("g1", "S1"), guide_row("g3", "S3")],
        orders=[order_row("o1", "2026-03-02 10:00", "S1", 100, guide_id="g1"),
                order_row("o2", "2026-03-02 11:00", "S2", 200, brand="B2"),
                order_row("o3", "2026-03-02 12:00", "S3", 400, guide_id="g3")],
    )
    pw = hash_password("irrelevant-1")
    users = tmp / "users.yaml"
    users.write_text(yaml.safe_dump({"users": {n: {**rec, "password_hash": pw} for n, (rec, _) in USERS.items()}},
                                    allow_unicode=True), encoding="utf-8")
    return db, users


@pytest.fixture(autouse=True)
def not_demo(monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", "0")


def sales(db, scope, filters=None):
    df = METRICS["kpis"](reader_for(db, scope, filters), MetricArgs(Period(DAY, DAY), DAY))
    return float(df.iloc[0]["sales"])


def cli_sales(db, users, *args):
    env = dict(os.environ, DASHBOARD_USERS=str(users), DASHBOARD_DEMO="0")
    r = subprocess.run([sys.executable, "-m", "dashboard", "metric", "kpis", "--db", str(db), "--start", "2026-03-02",
                        "--end", "2026-03-02", "--format", "json", *args],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return float(json.loads(r.stdout)[0]["sales"])


@pytest.mark.parametrize("username", list(USERS))
def test_each_user_sees_only_their_rows(world, username):
    db, users = world
    assert sales(db, scope_for_user(username, users)) == USERS[username][1]


def test_unknown_user_and_missing_users_file_see_nothing(world, tmp_path):
    db, users = world
    assert sales(db, scope_for_user("nobody", users)) == 0
    assert sales(db, scope_for_user("east' OR 1=1 --", users)) == 0
    assert sales(db, scope_for_user("hq1", tmp_path / "absent.yaml")) == 0


@pytest.mark.parametrize("username", ["hq1", "east", "store3", "noregion"])
def test_cli_applies_the_users_scope(world, username):
    db, users = world
    expected = USERS[username][1] if username in USERS else 0.0
    assert cli_sales(db, users, "--user", username) == expected


@pytest.mark.parametrize("username, why", [("off", "disabled"), ("nobody", "no such user"),
                                           ("demohq", "disabled")])
def test_cli_refuses_an_unknown_or_disabled_user(world, username, why):
    # Issue 20 item 6 (this replaces "off"/"nobody" answering zeros with exit 0
    # above): a typo or a disabled account is refused, as the login refuses it,
    # with a clear message and no traceback; nothing is printed on stdout.
    db, users = world
    env = dict(os.environ, DASHBOARD_USERS=str(users), DASHBOARD_DEMO="0")
    r = subprocess.run([sys.executable, "-m", "dashboard", "metric", "kpis", "--db", str(db), "--user", username],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert why in r.stderr and username in r.stderr and "Traceback" not in r.stderr


def test_regional_manager_cannot_reach_another_region(world):
    db, users = world
    east = scope_for_user("east", users)
    assert sales(db, east, Filters.of(stores=["S3"])) == 0  # another region's store
    assert sales(db, east, Filters.of(regions=["华南"])) == 0
    assert sales(db, east, Filters.of(regions=["华南", "华东"])) == 300  # only narrows
    assert sales(db, east, Filters.of(stores=["S1", "S3"])) == 100
    assert sales(db, east, Filters.of(cities=["广州"])) == 0
    assert sales(db, east, Filters.of(guides=["g3"])) == 0
    assert cli_sales(db, users, "--user", "east", "--store", "S3") == 0
    assert cli_sales(db, users, "--user", "east", "--region", "华南") == 0
    assert cli_sales(db, users, "--user", "east", "--region", "华南", "--region", "华东", "--store", "S3") == 0
    store3 = scope_for_user("store3", users)
    assert sales(db, store3, Filters.of(stores=["S1"])) == 0
    assert sales(db, store3, Filters.of(regions=["华东"])) == 0


@pytest.mark.parametrize("field", ["brands", "regions", "cities", "stores", "guides"])
@pytest.mark.parametrize("username", ["hq1", "east"])
def test_injection_strings_in_every_filter_are_harmless(world, field, username):
    db, users = world
    scope = scope_for_user(username, users)
    for text in INJECTIONS:
        assert sales(db, scope, Filters.of(**{field: [text]})) == 0, (field, text)
        # Mixed with a real value, the crafted one adds nothing.
        real = {"brands": "B1", "regions": "华东", "cities": "上海", "stores": "S1", "guides": "g1"}[field]
        assert sales(db, scope, Filters.of(**{field: [real, text]})) == sales(db, scope, Filters.of(**{field: [real]}))
    assert sales(db, scope_for_user("hq1", users)) == ALL  # nothing was dropped or changed


@pytest.mark.parametrize("flag", ["--brand", "--region", "--city", "--store", "--guide"])
def test_injection_through_the_cli_is_harmless(world, flag):
    db, users = world
    assert cli_sales(db, users, "--user", "hq1", flag, "华东' OR 1=1 --") == 0
    assert cli_sales(db, users) == ALL
