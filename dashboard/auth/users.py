"""Users, roles and their data scope, kept in a YAML file outside git.

File shape (see data/users.example.yaml):

    users:
      zhang:
        name: 张三
        role: region            # hq | region | store | admin
        regions: [华东]
        stores: []
        password_hash: $2b$12$...   # bcrypt only, never a password
        disabled: false
        valid_since: 2026-03-05T09:00:00+08:00   # sessions issued before this are dead

Only our CLI/admin code writes this file, atomically (temp file + os.replace)
under a lock file, so a half-written file is never read and two writers never
lose each other's change. streamlit-authenticator gets an in-memory dict built
from it (`credentials_dict`) and never touches the file.

Default deny: an unknown, disabled or unmapped user, or a role we do not know,
maps to `Scope.nothing()`.
"""
from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import yaml

from .. import config, yaml_strict
from ..filelock import exclusive_lock
from ..scope import Scope

ROLES = ("hq", "region", "store", "admin")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
BCRYPT_RE = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")
MIN_PASSWORD_LENGTH = 8


class UsersFileError(ValueError):
    """The users file is malformed; the message names the file, user and field."""


@dataclass(frozen=True)
class User:
    """A user as the app sees it: identity, role and scope, never the hash."""
    username: str
    name: str
    role: str
    regions: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    disabled: bool = False
    demo: bool = False  # a demo account: dead outside demo mode (its password is public)

    @property
    def scope(self) -> Scope:
        return scope_of(self)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.active

    @property
    def active(self) -> bool:
        return not self.disabled and (not self.demo or config.demo_mode())


@dataclass(frozen=True)
class UserEntry:
    """One record of the users file, hash included (stays on the server side)."""
    user: User
    password_hash: str
    valid_since: float = 0.0  # epoch seconds; sessions issued earlier are revoked
    extra: dict = field(default_factory=dict, compare=False)  # unknown keys, kept on rewrite


def scope_of(user: User | None) -> Scope:
    """The data a user may see (SPEC.md Roles). Anything unexpected sees nothing."""
    if user is None or not user.active:
        return Scope.nothing()
    if user.role in ("hq", "admin"):
        return Scope.everything()
    if user.role == "region":
        regions = Scope.of(regions=user.regions).regions
        return Scope.of(regions=regions) if regions else Scope.nothing()
    if user.role == "store":
        stores = Scope.of(stores=user.stores).stores
        return Scope.of(stores=stores) if stores else Scope.nothing()
    return Scope.nothing()


def normalize_username(username: str) -> str:
    """streamlit-authenticator lower-cases and strips user names; so do we."""
    return str(username or "").strip().lower()


def validate_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME_RE.match(name):
        raise ValueError(f"invalid user name {username!r}: 2-32 characters, a-z 0-9 _ . - , "
                         "starting with a letter or digit")
    return name


def validate_password(password: str) -> str:
    # The library strips what is typed at login, so a password with outer spaces could never match.
    if password != password.strip():
        raise ValueError("the password must not start or end with a space")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode()) > 72:
        raise ValueError("the password must be at most 72 bytes (bcrypt's limit)")
    return password


def hash_password(password: str) -> str:
    """bcrypt, as streamlit-authenticator's Hasher does (imported directly: the
    CLI must not import streamlit)."""
    import bcrypt
    return bcrypt.hashpw(validate_password(password).encode(), bcrypt.gensalt()).decode()


def check_password(password: str, password_hash: str) -> bool:
    import bcrypt
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


# ---------------------------------------------------------------- reading

def _as_tuple(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int)):
        value = [value]
    if not isinstance(value, list):
        raise UsersFileError(f"{where}: expected a list, got {type(value).__name__}")
    return tuple(str(v).strip() for v in value if v is not None and str(v).strip())


def _epoch(value, where: str) -> float:
    if value in (None, ""):
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()  # YAML timestamps; naive ones read as local time
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError as exc:
        raise UsersFileError(f"{where}: not an ISO timestamp: {value!r}") from exc


def _parse(data, path: Path) -> dict[str, UserEntry]:
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("users", {}), dict):
        raise UsersFileError(f"{path}: expected a mapping 'users: {{name: {{...}}}}'")
    entries: dict[str, UserEntry] = {}
    for raw_name, rec in (data.get("users") or {}).items():
        where = f"{path}: user {raw_name!r}"
        username = normalize_username(raw_name)
        if not USERNAME_RE.match(username):
            raise UsersFileError(f"{where}: invalid user name")
        if username in entries:
            raise UsersFileError(f"{where}: listed twice (user names are case-insensitive)")
        if not isinstance(rec, dict):
            raise UsersFileError(f"{where}: expected a mapping of fields")
        pw = rec.get("password_hash")
        if not isinstance(pw, str) or not BCRYPT_RE.match(pw):
            raise UsersFileError(f"{where}: field 'password_hash' must be a bcrypt hash "
                                 "(set it with: python -m dashboard users passwd NAME)")
        known = {"name", "role", "regions", "stores", "password_hash", "disabled", "demo", "valid_since"}
        user = User(
            username=username,
            name=str(rec.get("name") or username),
            role=str(rec.get("role") or "").strip().lower(),  # unknown roles load, and see nothing
            regions=_as_tuple(rec.get("regions"), f"{where}, field 'regions'"),
            stores=_as_tuple(rec.get("stores"), f"{where}, field 'stores'"),
            disabled=bool(rec.get("disabled", False)),
            demo=bool(rec.get("demo", False)),
        )
        entries[username] = UserEntry(user, pw, _epoch(rec.get("valid_since"), f"{where}, field 'valid_since'"),
                                      {k: v for k, v in rec.items() if k not in known})
    return entries


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple, dict[str, UserEntry]]] = {}


def load_users(path: Path | str | None = None) -> dict[str, UserEntry]:
    """All entries of the users file; {} when it does not exist. Re-read only
    when the file changes (the app checks it on every rerun)."""
    path = Path(path or config.users_path())
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    if st.st_mode & 0o022:
        # Anyone else who can write it can make themselves admin.
        raise UsersFileError(f"{path}: writable by {'group and others' if st.st_mode & 0o002 else 'group'} "
                             f"(mode {stat.S_IMODE(st.st_mode):04o}); refusing it. Run: chmod 600 {path}")
    ident = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode)
    key = str(path.resolve())
    with _cache_lock:
        hit = _cache.get(key)
        if hit and hit[0] == ident:
            return hit[1]
    try:
        data = yaml_strict.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:  # duplicate keys too: a hand edit must not silently win
        raise UsersFileError(f"{path}: not valid YAML: {exc}") from exc
    entries = _parse(data, path)
    with _cache_lock:
        _cache[key] = (ident, entries)
    return entries


def get_entry(username: str, path: Path | str | None = None) -> UserEntry | None:
    return load_users(path).get(normalize_username(username))


def get_user(username: str, path: Path | str | None = None) -> User | None:
    entry = get_entry(username, path)
    return entry.user if entry else None


def scope_for_user(username: str, path: Path | str | None = None) -> Scope:
    """The scope of a user named on the CLI (`metric ... --user NAME`). A user
    the file does not know, or no users file at all, sees nothing."""
    return scope_of(get_user(username, path))


def credentials_dict(entries: dict[str, UserEntry]) -> dict:
    """streamlit-authenticator's credentials, in memory, active users only: a
    disabled user cannot log in, by password or by cookie."""
    return {"usernames": {
        name: {"name": e.user.name, "password": e.password_hash, "roles": [e.user.role],
               "email": None, "failed_login_attempts": 0, "logged_in": False}
        for name, e in entries.items() if e.user.active}}


# ---------------------------------------------------------------- writing

def _iso(epoch: float) -> str | None:
    if not epoch:
        return None
    from ..clock import CHINA
    return datetime.fromtimestamp(epoch, CHINA).isoformat(timespec="microseconds")


def _serialize(entries: dict[str, UserEntry]) -> str:
    users = {}
    for name in sorted(entries):
        e = entries[name]
        rec = {"name": e.user.name, "role": e.user.role, "regions": list(e.user.regions),
               "stores": list(e.user.stores), "password_hash": e.password_hash,
               "disabled": e.user.disabled}
        if e.user.demo:
            rec["demo"] = True
        if e.valid_since:
            rec["valid_since"] = _iso(e.valid_since)
        rec.update(e.extra)
        users[name] = rec
    header = ("# Dashboard users: bcrypt hashes only. Managed by `python -m dashboard users`;\n"
              "# keep this file out of git.\n")
    return header + yaml.safe_dump({"users": users}, allow_unicode=True, sort_keys=False)


def _write_atomic(path: Path, text: str) -> None:
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)  # hashes: readable by the service account only
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def update_users(mutate, path: Path | str | None = None):
    """Read, change and atomically rewrite the users file under its lock.
    `mutate(entries)` changes the dict in place and returns a result."""
    path = Path(path or config.users_path())
    with exclusive_lock(path):
        with _cache_lock:
            _cache.pop(str(path.resolve()), None)
        entries = dict(load_users(path))
        result = mutate(entries)
        _write_atomic(path, _serialize(entries))
        return result


def _now() -> float:
    import time
    return time.time()


def add_user(username: str, password: str, role: str, regions=(), stores=(), name: str | None = None,
             demo: bool = False, path: Path | str | None = None) -> User:
    username = validate_username(username)
    user = _checked_role(User(username, name or username, role, tuple(regions), tuple(stores), demo=demo))
    password_hash = hash_password(password)

    def mutate(entries):
        if username in entries:
            raise ValueError(f"user {username!r} already exists")
        entries[username] = UserEntry(user, password_hash, 0.0)
        return user
    return update_users(mutate, path)


def _checked_role(user: User) -> User:
    """Roles must come with a usable scope: refuse to create a user that could see nothing by mistake."""
    if user.role not in ROLES:
        raise ValueError(f"unknown role {user.role!r}: one of {', '.join(ROLES)}")
    regions = Scope.of(regions=user.regions).regions or ()
    stores = Scope.of(stores=user.stores).stores or ()
    if user.role == "region" and not regions:
        raise ValueError("role 'region' needs at least one --region")
    if user.role == "store" and not stores:
        raise ValueError("role 'store' needs at least one --store")
    if user.role in ("hq", "admin"):
        regions, stores = (), ()
    if user.role == "region":
        stores = ()
    if user.role == "store":
        regions = ()
    return replace(user, regions=regions, stores=stores)


def _change(username: str, path, change) -> User:
    username = normalize_username(username)

    def mutate(entries):
        if username not in entries:
            raise ValueError(f"no such user {username!r}")
        entries[username] = change(entries[username])
        return entries[username].user
    return update_users(mutate, path)


def set_password(username: str, password: str, path: Path | str | None = None) -> User:
    """New hash, and every session issued before now is revoked."""
    password_hash = hash_password(password)
    return _change(username, path, lambda e: replace(e, password_hash=password_hash, valid_since=_now()))


def set_disabled(username: str, disabled: bool = True, path: Path | str | None = None) -> User:
    """Disabling revokes the user's sessions at their next rerun."""
    return _change(username, path, lambda e: replace(e, user=replace(e.user, disabled=disabled),
                                                      valid_since=_now() if disabled else e.valid_since))


def set_role(username: str, role: str, regions=(), stores=(), path: Path | str | None = None) -> User:
    """The new scope applies at the user's next rerun (the app re-reads the user each time)."""
    return _change(username, path, lambda e: replace(
        e, user=_checked_role(replace(e.user, role=role, regions=tuple(regions), stores=tuple(stores)))))


def revoke_sessions(username: str, path: Path | str | None = None) -> User:
    """Log a user out everywhere (e.g. a lost phone)."""
    return _change(username, path, lambda e: replace(e, valid_since=_now()))
