"""Hand-edited files are refused when unsafe: a users file others may write, a
key written twice (users and mapping files); the app's own files are private."""
import os
import stat
import subprocess
import sys

import pytest

from dashboard import config
from dashboard.auth.users import UsersFileError, add_user, load_users, scope_for_user
from dashboard.loader.mapping import MappingError, load_mapping

PW = "pass-word-123"
H = "$2b$12$" + "a" * 53


@pytest.mark.parametrize("mode", [0o666, 0o646, 0o620, 0o660])
def test_a_users_file_others_can_write_is_refused(auth_env, mode):
    add_user("east", PW, "region", regions=["华东"])
    path = auth_env / "users.yaml"
    assert load_users()["east"].user.role == "region"
    os.chmod(path, mode)
    with pytest.raises(UsersFileError, match=f"writable by .*mode {mode:04o}.*chmod 600"):
        load_users()
    with pytest.raises(UsersFileError):
        scope_for_user("east")  # the CLI's --user then stops with the error (exit 2)
    os.chmod(path, 0o640)  # readable by the group is allowed (hashes only), writable is not
    assert load_users()["east"].user.role == "region"


def test_the_cli_refuses_a_world_writable_users_file(auth_env):
    add_user("east", PW, "region", regions=["华东"])
    os.chmod(auth_env / "users.yaml", 0o666)
    env = {**os.environ, "DASHBOARD_USERS": str(auth_env / "users.yaml")}
    out = subprocess.run([sys.executable, "-m", "dashboard", "users", "list"], cwd=config.ROOT, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 2 and "writable by group and others (mode 0666)" in out.stderr


def test_duplicate_keys_in_the_users_file_are_refused(auth_env):
    path = auth_env / "users.yaml"
    path.write_text(f"users:\n  east:\n    role: region\n    regions: [华东]\n    password_hash: '{H}'\n"
                    "    role: hq\n", encoding="utf-8")
    os.chmod(path, 0o600)
    with pytest.raises(UsersFileError, match=r"key 'role' appears twice \(lines 3 and 6\)"):
        load_users()
    path.write_text(f"users:\n  east:\n    role: region\n    regions: [华东]\n    password_hash: '{H}'\n"
                    f"  east:\n    role: hq\n    password_hash: '{H}'\n", encoding="utf-8")
    with pytest.raises(UsersFileError, match="key 'east' appears twice"):
        load_users()


def test_duplicate_keys_in_a_mapping_file_are_refused(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("name: x\nfiles: ['*.csv']\ntables:\n  orders:\n    columns:\n      order_id: 单号\n"
                    "      order_id: 订单号\n", encoding="utf-8")
    with pytest.raises(MappingError, match="key 'order_id' appears twice"):
        load_mapping(path)


def test_users_file_and_folder_are_created_private(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "new" / "users.yaml"))
    add_user("east", PW, "region", regions=["华东"])
    assert stat.S_IMODE((tmp_path / "new" / "users.yaml").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_the_ops_store_is_created_private_and_an_open_one_is_tightened(tmp_path, monkeypatch):
    from dashboard import ops
    path = tmp_path / "fresh" / "ops.sqlite"
    ops.record_audit("x", "login", path=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    old = tmp_path / "old.sqlite"
    old.touch()
    os.chmod(old, 0o644)  # left by an earlier version
    ops.record_audit("x", "login", path=old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
