"""The users file: bcrypt only, atomic locked writes, clear errors, default-deny scopes."""
import stat
import threading

import pytest
import yaml

from dashboard.auth import settings
from dashboard.auth.users import (User, UsersFileError, add_user, check_password, load_users, scope_for_user,
                                  scope_of, set_disabled, set_password, set_role)
from dashboard.auth.demo_users import DEMO_ACCOUNTS, ensure_demo_users
from dashboard.scope import Scope

PW = "pass-word-123"


def write_raw(path, users):
    path.write_text(yaml.safe_dump({"users": users}, allow_unicode=True), encoding="utf-8")


def test_file_holds_bcrypt_hashes_only_and_is_private(auth_env):
    path = auth_env / "users.yaml"
    add_user("alice", PW, "region", regions=["华东", " 华东 "], name="爱丽丝")
    text = path.read_text(encoding="utf-8")
    assert PW not in text and "$2b$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entry = load_users()["alice"]
    assert check_password(PW, entry.password_hash) and not check_password("nope-nope", entry.password_hash)
    assert entry.user == User("alice", "爱丽丝", "region", ("华东",), ())


def test_scopes_per_role(auth_env):
    add_user("hq1", PW, "hq")
    add_user("ad1", PW, "admin")
    add_user("re1", PW, "region", regions=["华南", "华东"])
    add_user("st1", PW, "store", stores=["S2", "S1"])
    assert scope_for_user("hq1") == Scope.everything()
    assert scope_for_user("AD1") == Scope.everything()
    assert scope_for_user("re1") == Scope(("华东", "华南"), None)
    assert scope_for_user("st1") == Scope(None, ("S1", "S2"))


def test_default_deny(auth_env):
    path = auth_env / "users.yaml"
    h = "$2b$12$" + "a" * 53
    write_raw(path, {
        "noregions": {"role": "region", "regions": [], "password_hash": h},
        "blankregion": {"role": "region", "regions": ["  "], "password_hash": h},
        "nostores": {"role": "store", "password_hash": h},
        "weird": {"role": "superuser", "password_hash": h},
        "norole": {"password_hash": h},
        "off": {"role": "hq", "disabled": True, "password_hash": h},
        "demohq": {"role": "hq", "demo": True, "password_hash": h},
    })
    for name in ("noregions", "blankregion", "nostores", "weird", "norole", "off", "demohq", "nobody"):
        assert scope_for_user(name, path) == Scope.nothing(), name
        assert scope_for_user(name, path).denies_all
    assert scope_of(None).denies_all


def test_demo_accounts_live_only_in_demo_mode(auth_env, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    assert ensure_demo_users()
    assert not ensure_demo_users()  # the file exists: left alone
    entries = load_users()
    assert set(entries) == set(DEMO_ACCOUNTS)
    for name, (_, role, password) in DEMO_ACCOUNTS.items():
        assert entries[name].user.role == role and check_password(password, entries[name].password_hash)
    # No demo database: documented fallbacks.
    assert entries["east"].user.regions == ("华东",)
    assert entries["store"].user.stores == ("S0001", "S0002")
    assert scope_for_user("hq") == Scope.everything()
    monkeypatch.setenv("DASHBOARD_DEMO", "0")
    assert scope_for_user("hq").denies_all  # public passwords: dead outside demo mode


def test_demo_accounts_take_stores_from_the_demo_database(auth_env, monkeypatch):
    from builders import build_db, store_row
    db = build_db(auth_env / "demo.duckdb", stores=[
        store_row("B9", region="华南"), store_row("A7", region="华东"), store_row("A3", region="华东"),
        store_row("A5", region="华东")])
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    ensure_demo_users(db_path=db)
    assert load_users()["store"].user.stores == ("A3", "A5")
    assert load_users()["east"].user.regions == ("华东",)


def test_demo_accounts_never_created_outside_demo_mode(auth_env):
    assert not ensure_demo_users()
    assert not (auth_env / "users.yaml").exists()


def test_changes(auth_env):
    add_user("bob", PW, "store", stores=["S1"])
    with pytest.raises(ValueError, match="already exists"):
        add_user("BOB", PW, "hq")
    before = load_users()["bob"]
    set_password("bob", "new-pass-456")
    after = load_users()["bob"]
    assert after.password_hash != before.password_hash and after.valid_since > before.valid_since
    set_role("bob", "region", regions=["华北"], stores=["S1"])
    assert scope_for_user("bob") == Scope(("华北",), None)  # a region user keeps no store list
    set_disabled("bob")
    assert load_users()["bob"].user.disabled and scope_for_user("bob").denies_all
    set_disabled("bob", False)
    assert scope_for_user("bob") == Scope(("华北",), None)
    with pytest.raises(ValueError, match="needs at least one --region"):
        set_role("bob", "region")
    with pytest.raises(ValueError, match="unknown role"):
        set_role("bob", "boss")
    with pytest.raises(ValueError, match="no such user"):
        set_password("nobody", "whatever-123")


@pytest.mark.parametrize("bad", ["short", " leading-space", "x" * 73])
def test_password_rules(auth_env, bad):
    with pytest.raises(ValueError):
        add_user("carol", bad, "hq")


def test_concurrent_writers_lose_nothing(auth_env):
    errors = []

    def add(i):
        try:
            add_user(f"user{i}", PW, "hq")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert set(load_users()) == {f"user{i}" for i in range(8)}


def test_malformed_file_names_file_user_and_field(auth_env):
    path = auth_env / "users.yaml"
    write_raw(path, {"zhang": {"role": "hq", "password": "plaintext!"}})
    with pytest.raises(UsersFileError, match=r"users.yaml: user 'zhang': field 'password_hash' must be a bcrypt"):
        load_users(path)
    write_raw(path, {"zhang": {"role": "region", "regions": {"a": 1}, "password_hash": "$2b$12$" + "a" * 53}})
    with pytest.raises(UsersFileError, match=r"user 'zhang', field 'regions': expected a list"):
        load_users(path)
    path.write_text("users: [oops", encoding="utf-8")
    with pytest.raises(UsersFileError, match="not valid YAML"):
        load_users(path)


def test_cookie_key_rules(auth_env, monkeypatch):
    assert settings.cookie_key() == "auth-test-cookie-key-0123456789abcdefghijklmn"
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "too-short")
    with pytest.raises(settings.AuthConfigError, match="shorter than 32"):
        settings.cookie_key()
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "change-me-to-a-long-random-string")
    with pytest.raises(settings.AuthConfigError, match="example value"):
        settings.cookie_key()
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY")
    with pytest.raises(settings.AuthConfigError, match="missing"):
        settings.cookie_key()
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    key = settings.cookie_key()
    assert len(key) == 64 and int(key, 16) >= 0 and settings.cookie_key() == key  # random, fixed per process
