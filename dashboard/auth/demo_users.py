"""Demo accounts for the demo dataset, created only in demo mode.

Their passwords are public (README), so they are marked `demo: true` in the
users file and are dead outside demo mode (User.active), even if the file is
kept when a deployment turns demo mode off.
"""
from __future__ import annotations

from pathlib import Path

from .. import config
from .users import User, UserEntry, _checked_role, hash_password, update_users

DEMO_REGION = "华东"
# Used only when the demo database is missing or has no store in DEMO_REGION.
FALLBACK_STORES = ("S0001", "S0002")

# username -> (display name, role, password)
DEMO_ACCOUNTS = {
    "hq": ("总部管理层", "hq", "hq-demo-2026"),
    "east": ("华东区域经理", "region", "east-demo-2026"),
    "store": ("门店店长", "store", "store-demo-2026"),
    "admin": ("系统管理员", "admin", "admin-demo-2026"),
}


def demo_region_and_stores(db_path: Path | None) -> tuple[str, tuple[str, ...]]:
    """The regional manager's region and the store manager's stores, taken from
    the demo database: 华东 (else its first region) and that region's first two stores."""
    try:
        from ..reader import Reader
        from ..scope import Scope
        from ..store import Database
        reader = Reader(Database(db_path or config.db_path()), Scope.everything())
        df = reader.query("SELECT region, store_id FROM stores ORDER BY region, store_id")
    except Exception:  # no demo database yet: documented fallbacks
        return DEMO_REGION, FALLBACK_STORES
    if df.empty:
        return DEMO_REGION, FALLBACK_STORES
    region = DEMO_REGION if (df["region"] == DEMO_REGION).any() else str(df["region"].iloc[0])
    stores = tuple(str(s) for s in df.loc[df["region"] == region, "store_id"].head(2))
    return region, stores or FALLBACK_STORES


def ensure_demo_users(users_path: Path | None = None, db_path: Path | None = None) -> bool:
    """Create the demo accounts when there is no users file, in demo mode only.
    Returns True when it created them."""
    users_path = Path(users_path or config.users_path())
    if not config.demo_mode() or users_path.exists():
        return False
    region, stores = demo_region_and_stores(db_path)
    created = {}
    for username, (name, role, password) in DEMO_ACCOUNTS.items():
        user = _checked_role(User(username, name, role, regions=(region,) if role == "region" else (),
                                  stores=stores if role == "store" else (), demo=True))
        created[username] = UserEntry(user, hash_password(password))

    def mutate(entries):
        if entries:  # another session created the file meanwhile: leave it alone
            return False
        entries.update(created)
        return True
    return update_users(mutate, users_path)
