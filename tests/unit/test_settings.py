"""The typed settings (dashboard/settings.py): SPEC.md defaults, validation,
storage in the ops database, audit of every change, and resolution into a
metric's options (a CLI/page override beats the setting, which beats the default)."""
import json
import sqlite3

import pytest

from dashboard import settings
from dashboard.metrics import METRICS, resolved_options


@pytest.fixture
def ops_db(tmp_path):
    return tmp_path / "ops.sqlite"


def test_defaults_are_spec_values(ops_db):
    v = settings.current(ops_db)
    assert (v["share_k"], v["share_target_rate"], v["alive_members"], v["silent_days"]) == (3, 0.8, 10, 14)
    assert (v["koc_window_days"], v["koc_active_days"], v["koc_repliers"], v["koc_referred_sales"]) == (28, 8, 5, 1000)
    assert (v["reply_window_minutes"], v["gmv_window_days"]) == (30, 30)


def test_change_is_typed_stored_and_audited(ops_db):
    assert settings.change("share_k", "4", "admin", ops_db) == 4
    assert settings.value("share_k", ops_db) == 4
    with sqlite3.connect(ops_db) as con:
        (event, detail, who), = con.execute("SELECT event, detail, username FROM audit").fetchall()
    assert (event, who) == ("setting_changed", "admin")
    assert json.loads(detail) == {"setting": "share_k", "old": 3, "new": 4}
    assert settings.reset("share_k", "admin", ops_db) == 3
    assert settings.value("share_k", ops_db) == 3


@pytest.mark.parametrize("name, raw", [("share_k", "2.5"), ("share_k", "0"), ("share_target_rate", "1.5"),
                                       ("gmv_window_days", "14"), ("share_k", "abc"), ("share_k", "nan")])
def test_bad_values_are_refused_and_change_nothing(ops_db, name, raw):
    before = settings.current(ops_db)
    with pytest.raises(ValueError, match=name):
        settings.change(name, raw, "admin", ops_db)
    assert settings.current(ops_db) == before


def test_unknown_setting_is_an_error(ops_db):
    with pytest.raises(ValueError, match="unknown setting"):
        settings.change("no_such", 1, "admin", ops_db)


def test_options_resolve_override_then_setting_then_default():
    m = METRICS["morning-attention"]
    assert dict(resolved_options(m)) == {"fall_places": 5}
    assert dict(resolved_options(m, settings={"fall_places": 7})) == {"fall_places": 7}
    assert dict(resolved_options(m, {"fall_places": 2}, {"fall_places": 7})) == {"fall_places": 2}
    with pytest.raises(ValueError, match="no option"):
        resolved_options(m, {"k": 3})


def test_every_setting_and_area_has_a_label_in_both_languages():
    from dashboard.ui.i18n import CATALOG
    keys = {f"settings.{n}" for n in settings.SETTINGS} | {f"settings.area.{s.area}" for s in settings.SETTINGS.values()}
    missing = sorted(k for k in keys if k not in CATALOG or not all(CATALOG[k]))
    assert not missing, missing
