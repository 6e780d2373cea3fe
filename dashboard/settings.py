"""Analysis thresholds an admin can change (SPEC.md "Settings"): one typed
declaration each, the default written in SPEC.md, the value in force stored
with the operational records (ops.sqlite, table `settings`), every change
audited (event `setting_changed`, old and new value).

Metrics never read this module: an option of a metric is bound to a setting
(`Option(..., setting="share_k")`, metrics/base.py), and the callers — the
app's `run_metric`, the CLI, the bench — resolve options through
`metrics.base.resolved_options(metric, overrides, settings.current())`. So a
result is cached by the values in force, and a CLI flag overrides a setting for
one run.

    current()                      -> {name: value} for every setting
    value("share_k")               -> 3
    change("share_k", 4, "admin")  -> validates, stores, audits
    reset("share_k", "admin")      -> back to the default (audited)
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from . import ops


@dataclass(frozen=True)
class Setting:
    name: str
    type: type               # int or float
    default: int | float
    minimum: float
    maximum: float
    area: str                # page / area it belongs to (for the admin page's grouping)
    help: str                # English, for the CLI and docs; the page uses messages "settings.<name>"
    choices: tuple = ()      # when only some values make sense (GMV window 7 / 30 / 90)

    def parse(self, raw) -> int | float:
        """The typed value of `raw`, or ValueError saying what is allowed."""
        try:
            if self.type is int:
                as_float = float(raw)
                if not as_float.is_integer():
                    raise ValueError
                value = int(as_float)
            else:
                value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"setting {self.name}: {raw!r} is not a {self.type.__name__}") from None
        if value != value or not self.minimum <= value <= self.maximum:
            raise ValueError(f"setting {self.name}: {value} is outside {self.minimum}..{self.maximum}")
        if self.choices and value not in self.choices:
            raise ValueError(f"setting {self.name}: {value} is not one of {', '.join(map(str, self.choices))}")
        return value


# Defaults from SPEC.md. Add a threshold here, bind a metric option to it, and
# give it a message "settings.<name>" (ui/messages/settings.py): nothing else.
SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("share_k", int, 3, 1, 100, "sharing", "shares a day that meet a guide's daily share target"),
    Setting("share_target_rate", float, 0.8, 0.0, 1.0, "sharing", "share rate a guide should reach (fraction)"),
    Setting("alive_members", int, 10, 1, 10000, "community", "active members that make a group alive on a day"),
    Setting("silent_days", int, 14, 1, 365, "community", "days without a member message that make a group silent"),
    Setting("koc_window_days", int, 28, 7, 365, "community", "days up to the as-of date over which KOCs are found"),
    Setting("koc_active_days", int, 8, 1, 365, "community", "active days a KOC needs (with the repliers rule)"),
    Setting("koc_repliers", int, 5, 1, 10000, "community", "distinct other members replying to a KOC"),
    Setting("koc_referred_sales", float, 1000.0, 0.0, 1e9, "community", "referred sales (CNY) that make a KOC"),
    Setting("reply_window_minutes", int, 30, 1, 1440, "community", "minutes within which staff should reply"),
    Setting("gmv_window_days", int, 30, 7, 90, "channels", "days after joining over which a fan's GMV counts",
            choices=(7, 30, 90)),
    Setting("fall_places", int, 5, 1, 1000, "morning", "rank places a store must fall to need attention"),
    Setting("anomaly_threshold", float, 3.5, 1.0, 100.0, "morning",
            "robust z (MAD units) from which a store's day counts as an anomaly"),
    Setting("anomaly_weeks", int, 8, 3, 52, "morning", "same weekdays before a day that make its baseline"),
)}

DDL = """CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL
)"""


def _connect(path: Path | None = None):
    con = ops.connect(path)
    con.execute(DDL)
    return con


def _setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise ValueError(f"unknown setting {name!r} (known: {', '.join(SETTINGS)})") from None


def current(path: Path | None = None) -> dict[str, int | float]:
    """Every setting's value in force (stored values that no longer parse fall back to the default)."""
    values = {name: s.default for name, s in SETTINGS.items()}
    with closing(_connect(path)) as con:
        for name, raw in con.execute("SELECT name, value FROM settings"):
            if name in SETTINGS:
                try:
                    values[name] = SETTINGS[name].parse(raw)
                except ValueError:
                    pass
    return values


def value(name: str, path: Path | None = None) -> int | float:
    _setting(name)
    return current(path)[name]


def change(name: str, raw, username: str, path: Path | None = None) -> int | float:
    """Validate, store and audit a new value; returns it typed."""
    s = _setting(name)
    new = s.parse(raw)
    old = current(path)[name]
    with closing(_connect(path)) as con:
        con.execute("INSERT INTO settings (name, value, changed_at, changed_by) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at, "
                    "changed_by = excluded.changed_by", (name, repr(new), ops.now_text(), username))
    ops.record_audit(username, "setting_changed", {"setting": name, "old": old, "new": new}, path)
    return new


def reset(name: str, username: str, path: Path | None = None) -> int | float:
    s = _setting(name)
    old = current(path)[name]
    with closing(_connect(path)) as con:
        con.execute("DELETE FROM settings WHERE name = ?", (name,))
    ops.record_audit(username, "setting_changed", {"setting": name, "old": old, "new": s.default, "reset": True}, path)
    return s.default


def history(path: Path | None = None, limit: int = 200) -> list[dict]:
    """The stored (non-default) values with who changed them last."""
    with closing(_connect(path)) as con:
        rows = con.execute("SELECT name, value, changed_at, changed_by FROM settings ORDER BY changed_at DESC "
                           "LIMIT ?", (limit,)).fetchall()
    return [dict(zip(("name", "value", "changed_at", "changed_by"), r)) for r in rows]
