"""Paths and settings, each overridable by an environment variable so tests,
CI and a brand's deployment can point the same code at their own files."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DASHBOARD_DATA_DIR", ROOT / "data"))


def db_path() -> Path:
    """The published business database the dashboard reads."""
    return Path(os.environ.get("DASHBOARD_DB", DATA_DIR / "demo.duckdb"))


def users_path() -> Path:
    """Users, roles and scopes (bcrypt hashes only); outside git."""
    return Path(os.environ.get("DASHBOARD_USERS", DATA_DIR / "users.yaml"))


def ops_path() -> Path:
    """Audit log and load history: SQLite, separate from the business data,
    because the app, the CLI and loaders all append to it concurrently."""
    return Path(os.environ.get("DASHBOARD_OPS_DB", DATA_DIR / "ops.sqlite"))


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class ConfigError(ValueError):
    """A setting has a value the app must not guess about: it refuses to start."""


def env_flag(name: str, default: bool) -> bool:
    """A boolean environment variable: 1/0, true/false, yes/no, on/off in any
    case (outer spaces ignored); unset or empty means `default`. Anything else
    raises ConfigError, so a typo never silently keeps a mode on."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value: use one of "
                      f"{'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)} (any case)")


def demo_mode() -> bool:
    """Demo mode: the built-in demo dataset and demo accounts. On unless
    DASHBOARD_DEMO is off (0/false/no/off in any case; a real deployment sets
    it off). Any other value raises ConfigError: the app and CLI refuse to start."""
    return env_flag("DASHBOARD_DEMO", True)


def trust_proxy() -> bool:
    """DASHBOARD_TRUST_PROXY=on: the app sits behind a reverse proxy on another
    host, so the client's address is the last one the proxy appended to
    X-Forwarded-For (otherwise every visitor would look like the proxy to the
    sign-in throttle). Off by default: a direct client could forge that header."""
    return env_flag("DASHBOARD_TRUST_PROXY", False)


def check() -> None:
    """Raise ConfigError when a setting is unusable (app.py and the CLI call it first)."""
    demo_mode()
    trust_proxy()


def demo_scale() -> float:
    """Size of the demo built on first start (1 = about 1M orders)."""
    return float(os.environ.get("DASHBOARD_DEMO_SCALE", "1"))
