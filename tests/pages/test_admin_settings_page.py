"""pages/admin_settings.py through the real app: an admin changes a threshold
(stored, audited, shown as in force); other roles are refused by the frame."""
import json
import sqlite3

import pytest

from app_kit import signed_in
from dashboard import settings


def open_settings(username):
    at = signed_in(username)
    at.switch_page("pages/admin_settings.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_admin_changes_k_and_the_change_is_audited(page_env, tmp_path):
    at = open_settings("admin")
    assert [t.value for t in at.title] == ["阈值设置"]
    assert at.number_input(key="set_share_k").value == 3
    at.number_input(key="set_share_k").set_value(4)
    at.button(key="save_share_k").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已保存" in s.value for s in at.success)
    assert settings.value("share_k") == 4
    with sqlite3.connect(tmp_path / "ops.sqlite") as con:
        rows = con.execute("SELECT username, detail FROM audit WHERE event = 'setting_changed'").fetchall()
    assert [(u, json.loads(d)) for u, d in rows] == [("admin", {"setting": "share_k", "old": 3, "new": 4})]
    # Reset brings the SPEC default back, audited too.
    at.button(key="reset_share_k").click()
    at.run()
    assert settings.value("share_k") == 3


@pytest.mark.parametrize("username", ["hq", "east", "store"])
def test_other_roles_are_refused(page_env, username):
    at = open_settings(username)
    assert not at.number_input, "a non-admin must not see the settings"
    assert any("无权" in e.value for e in at.error)
