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


def demo_mode() -> bool:
    """Demo mode: the built-in demo dataset and demo accounts. On unless
    DASHBOARD_DEMO=0 (a real deployment sets it off)."""
    return os.environ.get("DASHBOARD_DEMO", "1") not in ("0", "false", "no")


def demo_scale() -> float:
    """Size of the demo built on first start (1 = about 1M orders)."""
    return float(os.environ.get("DASHBOARD_DEMO_SCALE", "1"))
