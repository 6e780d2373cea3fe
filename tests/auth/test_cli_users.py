"""`python -m dashboard users ...` as a separate process, password on stdin."""
import json
import os
import subprocess
import sys
from pathlib import Path

from dashboard.auth.users import check_password, load_users

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "dashboard", "users", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)


def test_add_list_passwd_role_disable(auth_env):
    r = cli("add", "Zhang", "--role", "region", "--region", "华东", "--name", "张三", "--password-stdin",
            stdin="first-pass-1\n")
    assert r.returncode == 0, r.stderr
    entry = load_users()["zhang"]
    assert check_password("first-pass-1", entry.password_hash)
    assert "first-pass-1" not in (auth_env / "users.yaml").read_text(encoding="utf-8")

    listed = json.loads(cli("list", "--format", "json").stdout)
    assert listed == [{"username": "zhang", "name": "张三", "role": "region", "regions": ["华东"],
                       "stores": [], "disabled": False, "demo": False}]
    assert "$2b$" not in cli("list").stdout

    assert cli("passwd", "zhang", "--password-stdin", stdin="second-pass-2\n").returncode == 0
    entry = load_users()["zhang"]
    assert check_password("second-pass-2", entry.password_hash) and entry.valid_since > 0

    assert cli("role", "zhang", "--role", "store", "--store", "S9").returncode == 0
    assert load_users()["zhang"].user.stores == ("S9",) and load_users()["zhang"].user.regions == ()

    assert cli("disable", "zhang").returncode == 0
    assert load_users()["zhang"].user.disabled
    assert cli("enable", "zhang").returncode == 0
    assert not load_users()["zhang"].user.disabled


def test_password_never_from_the_command_line(auth_env):
    r = cli("add", "bob", "--role", "hq", "--password", "secret-123")
    assert r.returncode == 2 and "unrecognized arguments" in r.stderr
    # stdin is not a terminal and --password-stdin not given: refuse rather than read it silently.
    r = cli("add", "bob", "--role", "hq", stdin="secret-123\n")
    assert r.returncode == 2 and "--password-stdin" in r.stderr
    assert not (auth_env / "users.yaml").exists()


def test_clear_errors(auth_env):
    r = cli("add", "bob", "--role", "region", "--password-stdin", stdin="secret-123\n")
    assert r.returncode == 2 and "needs at least one --region" in r.stderr
    r = cli("add", "bob", "--role", "hq", "--password-stdin", stdin="short\n")
    assert r.returncode == 2 and "at least 8 characters" in r.stderr
    r = cli("passwd", "ghost", "--password-stdin", stdin="secret-123\n")
    assert r.returncode == 2 and "no such user" in r.stderr
