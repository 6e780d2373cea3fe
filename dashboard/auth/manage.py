"""User management, shared by the admin page (pages/admin_users.py) and the CLI
(`python -m dashboard users ...`): each change goes through users.py (atomic,
locked rewrite of the users file), is audited with who made it, and applies at
the user's next rerun (the login gate re-reads the user every rerun).

The last active administrator cannot be disabled, demoted or removed
(LastAdminError): otherwise nobody could manage users from the app any more.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from . import audit, lockout, users

# No look-alikes (0/O, 1/l/I): a generated password is read off a screen and typed.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 14

EVENTS = ("user_added", "user_changed", "user_password_reset", "user_disabled", "user_enabled",
          "user_sessions_ended", "user_unlocked", "user_removed")


class LastAdminError(ValueError):
    """The change would leave no active administrator."""


@dataclass(frozen=True)
class UserRow:
    """One user as the admin's list shows it (never the hash)."""
    username: str
    name: str
    role: str
    regions: tuple[str, ...]
    stores: tuple[str, ...]
    status: str                  # active | disabled | demo_off (a demo account outside demo mode)
    locked_until: float | None   # a brute-force lockout in force
    last_login: str | None       # China time, from the audit log


def generate_password(length: int = GENERATED_LENGTH) -> str:
    while True:
        pw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw


def _status(user: users.User) -> str:
    if user.disabled:
        return "disabled"
    return "active" if user.active else "demo_off"


def user_rows(path: Path | str | None = None, ops_path: Path | None = None) -> list[UserRow]:
    entries = users.load_users(path)
    last = audit.last_logins(ops_path)
    return [UserRow(u.username, u.name, u.role, u.regions, u.stores, _status(u),
                     lockout.locked_until(u.username, path=ops_path), last.get(u.username))
            for u in (e.user for e in entries.values())]


def _active_admins(entries: dict) -> set[str]:
    return {n for n, e in entries.items() if e.user.is_admin}


def _guard(before: dict, after: dict, username: str) -> None:
    if _active_admins(before) and not _active_admins(after):
        raise LastAdminError(f"{username!r} is the last active administrator: add or enable another "
                             "administrator first")


def _checked_change(username: str, change, path) -> users.User:
    """Apply `change(entry) -> entry | None` (None removes) under the file lock,
    refusing it if it would leave no active administrator."""
    username = users.normalize_username(username)

    def mutate(entries):
        if username not in entries:
            raise ValueError(f"no such user {username!r}")
        before = dict(entries)
        new = change(entries[username])
        if new is None:
            del entries[username]
        else:
            entries[username] = new
        _guard(before, entries, username)
        return (new or before[username]).user
    return users.update_users(mutate, path)


def add(by: str, username: str, role: str, regions=(), stores=(), name: str | None = None,
        password: str | None = None, path=None, ops_path=None) -> tuple[users.User, str | None]:
    """Add a user. With password=None one is generated and returned (shown once); else None."""
    generated = None
    if password is None:
        password = generated = generate_password()
    user = users.add_user(username, password, role, regions, stores, name=name, path=path)
    audit.record(by, "user_added", {"user": user.username, "role": user.role, "regions": list(user.regions),
                                    "stores": list(user.stores)}, ops_path)
    return user, generated


def change_role(by: str, username: str, role: str, regions=(), stores=(), path=None, ops_path=None) -> users.User:
    from dataclasses import replace
    old = users.get_user(username, path)

    def change(e):
        return replace(e, user=users._checked_role(replace(e.user, role=role, regions=tuple(regions),
                                                              stores=tuple(stores))))
    user = _checked_change(username, change, path)
    audit.record(by, "user_changed", {"user": user.username, "role": user.role, "regions": list(user.regions),
                                      "stores": list(user.stores), "was": old.role if old else None}, ops_path)
    return user


def reset_password(by: str, username: str, password: str | None = None, path=None,
                   ops_path=None) -> tuple[users.User, str | None]:
    """A new password (typed, or generated and returned to be shown once); ends the user's sessions."""
    if users.get_user(username, path) is None:
        raise ValueError(f"no such user {username!r}")
    generated = None
    if password is None:
        password = generated = generate_password()
    user = users.set_password(username, password, path)
    audit.record(by, "user_password_reset", {"user": user.username, "generated": generated is not None}, ops_path)
    return user, generated


def set_disabled(by: str, username: str, disabled: bool = True, path=None, ops_path=None) -> users.User:
    """Disable (ends the user's sessions at their next rerun) or enable."""
    from dataclasses import replace
    import time

    def change(e):
        return replace(e, user=replace(e.user, disabled=disabled),
                       valid_since=time.time() if disabled else e.valid_since)
    user = _checked_change(username, change, path)
    audit.record(by, "user_disabled" if disabled else "user_enabled", {"user": user.username}, ops_path)
    return user


def end_sessions(by: str, username: str, path=None, ops_path=None) -> users.User:
    user = users.revoke_sessions(username, path)
    audit.record(by, "user_sessions_ended", {"user": user.username}, ops_path)
    return user


def unlock(by: str, username: str, ops_path=None) -> str:
    name = lockout.key(username)
    lockout.unlock(name, path=ops_path)
    audit.record(by, "user_unlocked", {"user": name}, ops_path)
    return name


def remove(by: str, username: str, path=None, ops_path=None) -> users.User:
    """Delete a user from the file (their sessions die with the entry)."""
    user = _checked_change(username, lambda e: None, path)
    audit.record(by, "user_removed", {"user": user.username}, ops_path)
    return user


def scope_choices(database=None) -> tuple[tuple[str, ...], tuple[tuple[str, str, str], ...]]:
    """The regions and the stores (store_id, store_name, region) a user can be
    given, from the published data, read with the admin's (unrestricted) scope."""
    from .. import config
    from ..reader import Reader
    from ..scope import Scope
    from ..store import Database
    reader = Reader(database or Database(config.db_path()), Scope.everything())
    df = reader.query("SELECT store_id, store_name, region FROM stores ORDER BY region, store_id")
    regions = tuple(dict.fromkeys(str(r) for r in df["region"]))
    stores = tuple((str(s), str(n), str(r)) for s, n, r in df.itertuples(index=False))
    return regions, stores
