"""Connection lifecycle for the DuckDB file: hardened read-only opening for the
dashboard, one writer for builds, and an atomic publish that readers notice.

DuckDB allows one read-write process or many read-only ones per file. So nothing
ever writes to a published file: a writer builds a new, uniquely named version
file next to it, checkpoints and closes it, then atomically swaps the published
path (a symlink) to point at it. Readers resolve the link: a query already
running finishes on the old version, the next one reopens on the new.

Unique version names matter: DuckDB caches one database instance per file path
in a process, so reopening "the same" path after a rename would silently serve
the old instance while any connection to it is still open.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import threading
import time
from pathlib import Path

import duckdb

from . import rollups, schema
from .filelock import exclusive_lock

# The dashboard's connection can read its own file and nothing else.
READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


class SchemaMismatch(RuntimeError):
    pass


def open_read_only(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    if not Path(path).exists():
        raise FileNotFoundError(f"database not found: {path}")
    con = duckdb.connect(str(path), read_only=True, config=dict(READ_ONLY_CONFIG))
    try:
        row = con.execute("SELECT value FROM _meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        row = None
    if not row or row[0] != str(schema.SCHEMA_VERSION):
        con.close()
        raise SchemaMismatch(
            f"{path}: schema version {row[0] if row else 'missing'}, this code needs {schema.SCHEMA_VERSION}; "
            "rebuild it (python -m dashboard demo) or reload the data")
    return con


def _file_identity(path: Path) -> tuple[str, int, int]:
    real = os.path.realpath(path)
    st = os.stat(real)
    return real, st.st_ino, st.st_mtime_ns


class Database:
    """Owns the one read-only connection of this process to a published file.

    Every query takes its own cursor (`cursor()`), since a DuckDB connection is
    not safe to share between threads but its cursors are.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[str, int, int] | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            identity = _file_identity(self.path)
            if self._con is None or identity != self._identity:
                # The old connection is dropped, not closed: cursors still running
                # on it finish on the old version and release it when done.
                self._con = open_read_only(identity[0])
                self._identity = identity
            return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection().cursor()

    @property
    def version(self) -> str:
        """Changes whenever a new file is published; part of every cache key."""
        real, ino, mtime = _file_identity(self.path)
        return f"{Path(real).name}:{ino}:{mtime}"

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


def _version_files(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.v*"), key=lambda p: p.stat().st_mtime_ns)


def _swap_link(target: Path, version_file: Path) -> None:
    """Point `target` at `version_file` atomically (rename of a fresh symlink)."""
    link = target.with_name(f".{target.name}.link-{os.getpid()}-{secrets.token_hex(4)}")
    os.symlink(version_file.name, link)
    os.replace(link, target)


def _prune_versions(target: Path, keep: int = 2) -> None:
    """Delete old versions but the newest `keep`: a reader that resolved the link
    a moment ago can still open the previous one; open files stay readable."""
    current = Path(os.path.realpath(target))
    old = [p for p in _version_files(target) if p != current and not p.name.endswith((".building", ".wal"))]
    for p in old[: max(0, len(old) - (keep - 1))]:
        p.unlink(missing_ok=True)


@contextlib.contextmanager
def building(target: str | os.PathLike, start_from_current: bool = True):
    """Yield a read-write connection to a new version of `target` (a copy of the
    current one, or empty); on success build the rollups (dashboard/rollups.py),
    checkpoint it and publish it atomically.
    On any exception the new version is deleted and `target` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(target):  # one writer of a published file at a time
        stamp = time.strftime("%Y%m%dT%H%M%S")
        version = target.with_name(f".{target.name}.v{stamp}-{secrets.token_hex(4)}")
        published = False
        try:
            if start_from_current and target.exists():
                shutil.copyfile(target, version)
            con = duckdb.connect(str(version))
            try:
                schema.create_all(con)
                yield con
                rollups.build(con)  # every published file carries rollups of its own facts
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _swap_link(target, version)
            published = True
            _prune_versions(target)
        finally:
            if not published:
                for leftover in (version, version.with_name(version.name + ".wal")):
                    leftover.unlink(missing_ok=True)
