"""`users add|list|disable|enable|passwd|role|unlock|logout|remove`: manage the users file.

The same functions as the admin page (dashboard.auth.manage): every change is
audited as `cli:<os user>`, and the last active administrator cannot be
disabled, demoted or removed.

Passwords are never taken from the command line (they would sit in the shell
history and the process list): they are prompted without echo, or, for scripts
and tests, read from stdin with --password-stdin.
"""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from .. import config


def _path(args) -> Path:
    return Path(args.file) if args.file else config.users_path()


def _by() -> str:
    return f"cli:{getpass.getuser()}"


def _read_password(args, confirm: bool = True) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ValueError("--password-stdin: nothing on stdin")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError("stdin is not a terminal: pass --password-stdin to read the password from it")
    password = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Repeat password: ") != password:
        raise ValueError("the two passwords differ")
    return password


def _scope_args(p, required_role: bool) -> None:
    p.add_argument("--role", required=required_role, choices=("hq", "region", "store", "admin"),
                   help="hq: all data; region: --region list; store: --store list; admin: hq + loading + users")
    p.add_argument("--region", action="append", default=[], help="a region the user sees (repeatable; role region)")
    p.add_argument("--store", action="append", default=[], help="a store id the user sees (repeatable; role store)")


def register(sub) -> None:
    p = sub.add_parser("users", help="manage dashboard users (roles, scopes, passwords)",
                       description="Manage the users file ($DASHBOARD_USERS or data/users.yaml).")
    p.add_argument("--file", help="users file (default: $DASHBOARD_USERS or data/users.yaml)")
    ops = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    a = ops.add_parser("add", help="add a user; the password is prompted")
    a.add_argument("username")
    _scope_args(a, required_role=True)
    a.add_argument("--name", help="display name (default: the user name)")
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    a.set_defaults(func=run_add)

    ls = ops.add_parser("list", help="list users with role and scope (never hashes)")
    ls.add_argument("--format", choices=("table", "json"), default="table")
    ls.set_defaults(func=run_list)

    d = ops.add_parser("disable", help="disable a user and end their sessions")
    d.add_argument("username")
    d.set_defaults(func=run_disable, disabled=True)

    e = ops.add_parser("enable", help="enable a disabled user")
    e.add_argument("username")
    e.set_defaults(func=run_disable, disabled=False)

    pw = ops.add_parser("passwd", help="set a new password (ends the user's sessions)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    pw.set_defaults(func=run_passwd)

    r = ops.add_parser("role", help="change a user's role and scope")
    r.add_argument("username")
    _scope_args(r, required_role=True)
    r.set_defaults(func=run_role)

    u = ops.add_parser("unlock", help="lift a brute-force lockout early")
    u.add_argument("username")
    u.set_defaults(func=run_unlock)

    o = ops.add_parser("logout", help="end all of a user's sessions (e.g. a lost phone)")
    o.add_argument("username")
    o.set_defaults(func=run_logout)

    rm = ops.add_parser("remove", help="delete a user (not the last active administrator)")
    rm.add_argument("username")
    rm.set_defaults(func=run_remove)


def _describe(user) -> str:
    scope = {"region": ",".join(user.regions), "store": ",".join(user.stores)}.get(user.role, "all")
    flags = (" disabled" if user.disabled else "") + (" demo" if user.demo else "")
    return f"{user.username}\t{user.role}\t{scope or '-'}\t{user.name}{flags}"


def run_add(args) -> int:
    from ..auth import manage
    from ..auth.users import validate_password, validate_username
    validate_username(args.username)  # fail before asking for a password
    user, _ = manage.add(_by(), args.username, args.role, args.region, args.store, name=args.name,
                         password=validate_password(_read_password(args)), path=_path(args))
    print(f"added {_describe(user)}")
    return 0


def run_list(args) -> int:
    from ..auth.users import load_users
    users = [e.user for e in load_users(_path(args)).values()]
    if args.format == "json":
        print(json.dumps([{"username": u.username, "name": u.name, "role": u.role, "regions": list(u.regions),
                           "stores": list(u.stores), "disabled": u.disabled, "demo": u.demo} for u in users],
                         ensure_ascii=False))
        return 0
    print("username\trole\tscope\tname")
    for u in users:
        print(_describe(u))
    return 0


def run_disable(args) -> int:
    from ..auth import manage
    user = manage.set_disabled(_by(), args.username, args.disabled, path=_path(args))
    print(f"{'disabled' if user.disabled else 'enabled'} {user.username}")
    return 0


def run_passwd(args) -> int:
    from ..auth import manage
    from ..auth.users import get_user, validate_password
    if get_user(args.username, _path(args)) is None:
        raise ValueError(f"no such user {args.username!r}")
    user, _ = manage.reset_password(_by(), args.username, validate_password(_read_password(args)),
                                    path=_path(args))
    print(f"password changed for {user.username}; their sessions have ended")
    return 0


def run_role(args) -> int:
    from ..auth import manage
    user = manage.change_role(_by(), args.username, args.role, args.region, args.store, path=_path(args))
    print(f"changed {_describe(user)}")
    return 0


def run_unlock(args) -> int:
    from ..auth import manage
    print(f"unlocked {manage.unlock(_by(), args.username)}")
    return 0


def run_logout(args) -> int:
    from ..auth import manage
    user = manage.end_sessions(_by(), args.username, path=_path(args))
    print(f"ended all sessions of {user.username}")
    return 0


def run_remove(args) -> int:
    from ..auth import manage
    user = manage.remove(_by(), args.username, path=_path(args))
    print(f"removed {user.username}")
    return 0
