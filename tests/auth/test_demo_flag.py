"""DASHBOARD_DEMO is read as a yes/no word in any case; anything else refuses
to start; demo accounts (public passwords) stay dead outside demo mode."""
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import config
from dashboard.auth import settings
from dashboard.auth.demo_users import DEMO_ACCOUNTS, ensure_demo_users
from dashboard.auth.users import credentials_dict, load_users, scope_for_user

ROOT = config.ROOT
OFF = ["0", "false", "False", "FALSE", "off", "Off", "OFF", "no", "No", "NO", " no "]
ON = ["1", "true", "True", "TRUE", "on", "ON", "yes", "Yes", "YES"]


@pytest.mark.parametrize("word", OFF)
def test_off_words_turn_demo_mode_off(word, auth_env, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", word)
    assert config.demo_mode() is False
    assert not ensure_demo_users()  # no demo accounts written
    assert not (auth_env / "users.yaml").exists()
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY")
    with pytest.raises(settings.AuthConfigError, match="cookie key is missing"):
        settings.cookie_key()  # no key: the app refuses to start, as outside demo mode


@pytest.mark.parametrize("word", ON)
def test_on_words_turn_demo_mode_on(word, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", word)
    assert config.demo_mode() is True


def test_unset_or_empty_is_the_default_on(monkeypatch):
    monkeypatch.delenv("DASHBOARD_DEMO", raising=False)
    assert config.demo_mode() is True
    monkeypatch.setenv("DASHBOARD_DEMO", "")
    assert config.demo_mode() is True


@pytest.mark.parametrize("word", ["maybe", "2", "nein", "f", "y", "offf"])
def test_other_values_refuse(word, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", word)
    with pytest.raises(config.ConfigError, match="DASHBOARD_DEMO"):
        config.demo_mode()


def test_cli_refuses_an_unknown_word(auth_env):
    env = {"PATH": "/usr/bin:/bin", "DASHBOARD_DEMO": "maybe", "DASHBOARD_USERS": str(auth_env / "u.yaml"),
           "DASHBOARD_OPS_DB": str(auth_env / "ops.sqlite")}
    out = subprocess.run([sys.executable, "-m", "dashboard", "users", "list"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "DASHBOARD_DEMO='maybe'" in out.stderr and "Traceback" not in out.stderr


def test_app_refuses_an_unknown_word(auth_env, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", "Maybe")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("DASHBOARD_DEMO" in str(e.value) for e in at.error), [e.value for e in at.error]
    assert not [w for w in at.text_input if w.key == "auth_username"]  # no login form


@pytest.mark.parametrize("word", ["False", "OFF", "No"])
def test_demo_accounts_kept_in_the_file_stay_dead(word, auth_env, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    assert ensure_demo_users()
    monkeypatch.setenv("DASHBOARD_DEMO", word)
    entries = load_users()
    assert credentials_dict(entries)["usernames"] == {}  # none can sign in
    for name in DEMO_ACCOUNTS:
        assert scope_for_user(name).denies_all
        assert not entries[name].user.active and not entries[name].user.is_admin
