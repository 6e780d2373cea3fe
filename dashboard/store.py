"""Connection lifecycle for the DuckDB file: hardened read-only opening for the
dashboard, one writer for builds, and an atomic publish that readers notice.

DuckDB allows one read-write process or many read-only ones per file. So nothing
ever writes to the published file: a writer builds a new file next to it,
checkpoints, closes and renames it over the published path (atomic on POSIX).
Open read-only connections keep serving the old inode until they reopen;
`Database.connection()` notices the new inode and reopens.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import threading
from pathlib import Path

import duckdb

from . import schema

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


def _file_identity(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


class Database:
    """Owns the one read-only connection of this process to a published file.

    Every query takes its own cursor (`cursor()`), since a DuckDB connection is
    not safe to share between threads but its cursors are.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int] | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            identity = _file_identity(self.path)
            if self._con is None or identity != self._identity:
                old = self._con
                self._con = open_read_only(self.path)
                self._identity = identity
                if old is not None:
                    old.close()
            return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection().cursor()

    @property
    def version(self) -> str:
        """Changes whenever a new file is published; part of every cache key."""
        ino, mtime = _file_identity(self.path)
        return f"{ino}:{mtime}"

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


@contextlib.contextmanager
def publish_lock(target: Path):
    """Serialise writers of one published file (readers never take it)."""
    lock_path = target.with_name(target.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def building(target: str | os.PathLike, start_from_current: bool = True):
    """Yield a read-write connection to a private copy of `target`; on success
    checkpoint it and atomically publish it over `target`. On any exception the
    copy is deleted and `target` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with publish_lock(target):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # DuckDB wants to create the file itself
        try:
            if start_from_current and target.exists():
                shutil.copyfile(target, tmp)
            con = duckdb.connect(str(tmp))
            try:
                schema.create_all(con)
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(tmp, target)
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                if leftover.exists():
                    leftover.unlink()
