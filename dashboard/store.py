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
from dataclasses import dataclass, field
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


class RollupsOutdated(SchemaMismatch):
    """The file's rollups were built by other code (a rollup added or redefined
    since): metrics would read columns or rows this code does not expect."""


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
    stale = outdated_rollups(con)
    if stale:
        con.close()
        shown = ", ".join(stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")
        raise RollupsOutdated(
            f"{path}: rollups built by other code ({shown}); "
            f"rebuild them: python -m dashboard rollups --db {path}")
    return con


def outdated_rollups(con) -> list[str]:
    """The rollups this code defines whose stamp in `_meta` (rollups.fingerprint
    of the code that built them) is missing or different."""
    stamps = dict(con.execute("SELECT key, value FROM _meta WHERE key LIKE 'rollup:%'").fetchall())
    return [r.name for r in rollups.ROLLUPS if stamps.get(f"rollup:{r.name}") != rollups.fingerprint(r)]


def _file_identity(path: Path) -> tuple[str, int, int]:
    real = os.path.realpath(path)
    st = os.stat(real)
    return real, st.st_ino, st.st_mtime_ns


def _version_name(identity: tuple[str, int, int]) -> str:
    real, ino, mtime = identity
    return f"{Path(real).name}:{ino}:{mtime}"


@dataclass(frozen=True)
class Pinned:
    """One published version, held: every query through it reads that version,
    even if a load publishes another meanwhile (one page rerun sees one version
    across all its panels). Quacks like a Database for a Reader (`cursor()`)."""
    path: Path
    version: str
    con: duckdb.DuckDBPyConnection = field(repr=False, compare=False)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()


class Database:
    """Owns the read-only connections of this process to a published file.

    Every query takes its own cursor (`cursor()`), since a DuckDB connection is
    not safe to share between threads but its cursors are. `pin()` resolves the
    published version once and holds it; the newest two versions' connections
    are kept, so a rerun that pinned the previous one finishes on it.
    """

    KEEP = 2

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cons: dict[str, duckdb.DuckDBPyConnection] = {}  # version -> connection, oldest first

    def _open(self, identity: tuple[str, int, int]) -> tuple[str, duckdb.DuckDBPyConnection]:
        version = _version_name(identity)
        con = self._cons.get(version)
        if con is None:
            con = open_read_only(identity[0])
            self._cons[version] = con
            while len(self._cons) > self.KEEP:
                # Dropped, not closed: cursors still running on it finish on the
                # old version and release it when done.
                self._cons.pop(next(iter(self._cons)))
        return version, con

    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._open(_file_identity(self.path))[1]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection().cursor()

    def pin(self) -> Pinned:
        """The version published now, held for as long as the caller keeps it."""
        with self._lock:
            version, con = self._open(_file_identity(self.path))
            return Pinned(self.path, version, con)

    def pinned(self, version: str) -> Pinned:
        """The held version `version`; if it is no longer held (two publishes
        since), the version published now."""
        with self._lock:
            con = self._cons.get(version)
        return Pinned(self.path, version, con) if con is not None else self.pin()

    @property
    def version(self) -> str:
        """Changes whenever a new file is published; part of every cache key."""
        return _version_name(_file_identity(self.path))

    def close(self) -> None:
        with self._lock:
            for con in self._cons.values():
                con.close()
            self._cons.clear()


def _version_files(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.v*"), key=lambda p: p.stat().st_mtime_ns)


def _previous_link(target: Path) -> Path:
    """A symlink to the version published before the current one: kept, so a
    reader that resolved the link a moment ago can still open it."""
    return target.with_name(f".{target.name}.previous")


def _resolved(link: Path) -> Path | None:
    try:
        return Path(os.path.realpath(link)) if link.exists() else None
    except OSError:
        return None


def _swap_link(target: Path, version_file: Path) -> None:
    """Point `target` at `version_file` atomically (rename of a fresh symlink)."""
    link = target.with_name(f".{target.name}.link-{os.getpid()}-{secrets.token_hex(4)}")
    os.symlink(version_file.name, link)
    os.replace(link, target)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, OverflowError):
        return True
    return pid > 0


def clean_orphans(target: Path) -> list[Path]:
    """Delete every version file that is neither published nor the previous good
    one: a build killed half-way (kill -9, power loss) leaves its version file,
    its .wal and temporary links behind. Called under the writer lock, so no
    build is running. Returns what was removed."""
    target = Path(target)
    keep = {p for p in (_resolved(target), _resolved(_previous_link(target))) if p is not None}
    removed = []
    current = _resolved(target)
    for p in target.parent.glob(f".{target.name}.standby-*"):
        # a finished copy of a version no longer published, or a copy whose process died
        # (copies in progress are their writer's)
        if ".tmp-" in p.name:
            stale = not _alive(int(p.name.rsplit(".tmp-", 1)[1] or 0))
        else:
            stale = current is None or p != _standby_path(target, _file_identity(target))
        if stale:
            p.unlink(missing_ok=True)
            removed.append(p)
    leftovers = list(target.parent.glob(f".{target.name}.v*")) + list(target.parent.glob(f".{target.name}.link-*"))
    for p in leftovers:
        if ".link-" not in p.name:  # temporary links are always leftovers; versions unless kept
            base = p.with_name(p.name[:-len(".wal")]) if p.name.endswith(".wal") else p
            if Path(os.path.realpath(base)) in keep and not p.name.endswith((".building", ".tmp")):
                continue
        with contextlib.suppress(FileNotFoundError):
            if p.is_dir() and not p.is_symlink():  # a killed build's DuckDB spill folder (.tmp)
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
    return removed


def _prune_versions(target: Path, previous: Path | None) -> None:
    """After a publish: keep the new version and the one it replaced (readers
    that resolved the link a moment ago can still open it; open files stay
    readable anyway), delete every other version file."""
    link = _previous_link(target)
    if previous is not None and previous.exists() and previous.name.startswith(f".{target.name}.v"):
        tmp = target.with_name(f".{target.name}.link-{os.getpid()}-{secrets.token_hex(4)}")
        os.symlink(previous.name, tmp)
        os.replace(tmp, link)
    else:
        link.unlink(missing_ok=True)
    clean_orphans(target)


# -- a standby copy: the next load's copy made ahead of it -------------------
#
# A load starts from a copy of the published file (nothing writes to a
# published file). At 100M orders that file is ~20 GB, a copy of 20-50 s on
# this disk: most of a publish's budget. So after a publish the copy for the
# next load can be made at once, off the load's path (`prepare_standby`, run
# in the background when DASHBOARD_STANDBY=1): a plain file beside the
# published one, named after the identity (inode, mtime, size) of the version
# it copies, renamed into place only once complete and synced. The next build
# takes it (a rename) when the published version is still that one, and
# copies as before otherwise. Readers never see it: it is published, like any
# build, only by the atomic swap of the link.

def _standby_path(target: Path, identity: tuple[str, int, int]) -> Path:
    real, ino, mtime = identity
    return target.with_name(f".{target.name}.standby-{ino}-{mtime}-{os.stat(real).st_size}")


def prepare_standby(target: str | os.PathLike) -> Path | None:
    """Copy the published version of `target` for the next load to start from;
    -> the standby file, or None when there is nothing to copy or a publish
    happened meanwhile. Safe beside readers and a running load (it writes only
    its own file; a load that finds no finished standby copies as before)."""
    target = Path(target)
    if not target.exists():
        return None
    identity = _file_identity(target)
    final = _standby_path(target, identity)
    if final.exists():
        return final
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    try:
        shutil.copyfile(identity[0], tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if not target.exists() or _file_identity(target) != identity:
            tmp.unlink()
            return None  # published meanwhile: this copy is of an old version
        for old in target.parent.glob(f".{target.name}.standby-*"):
            if old != tmp and ".tmp-" not in old.name:
                old.unlink(missing_ok=True)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def standby_in_background(target: str | os.PathLike) -> None:
    """prepare_standby in a detached process (the CLI's load exits at once)."""
    import subprocess
    import sys
    subprocess.Popen([sys.executable, "-c", "import sys; from dashboard import store; store.prepare_standby(sys.argv[1])",
                      str(target)], cwd=str(Path(__file__).resolve().parent.parent), start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _take_standby(target: Path, version: Path) -> bool:
    """Move a finished standby copy of the published version to `version`."""
    standby = _standby_path(target, _file_identity(target))
    try:
        os.replace(standby, version)
    except FileNotFoundError:
        return False
    return True


# A build's DuckDB work (the writer's inserts, the rollups) stays within this
# much memory and spills to a folder beside the version file beyond it, so a
# publish at 100M orders runs in bounded memory (DuckDB's default is 80% of RAM).
BUILD_MEMORY = os.environ.get("DASHBOARD_BUILD_MEMORY", "1GB")


def build_config(version: Path) -> dict:
    # Insertion order need not be kept: every write of a build that cares says
    # ORDER BY (facts by time, rollups by day), which DuckDB still honours.
    return {"memory_limit": BUILD_MEMORY, "temp_directory": str(version) + ".tmp",
            "preserve_insertion_order": False}


@contextlib.contextmanager
def building(target: str | os.PathLike, start_from_current: bool = True, incremental: bool = False):
    """Yield a read-write connection to a new version of `target` (a copy of the
    current one, or empty); on success build the rollups (dashboard/rollups/),
    checkpoint it and publish it atomically.
    On any exception the new version is deleted and `target` is untouched.

    incremental=True (the loader): the writer records every write with
    `rollups.record_change`, and only the rollups those rows can change are
    refreshed (`rollups.refresh`) instead of all rebuilt.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(target):  # one writer of a published file at a time
        clean_orphans(target)  # what a killed build left behind; never the current or previous version
        previous = _resolved(target)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        version = target.with_name(f".{target.name}.v{stamp}-{secrets.token_hex(4)}")
        published = False
        try:
            copied = start_from_current and target.exists()
            if copied and not _take_standby(target, version):
                shutil.copyfile(target, version)
            con = duckdb.connect(str(version), config=build_config(version))
            try:
                schema.create_all(con)
                yield con
                if incremental and copied:
                    rollups.refresh(con)  # what the recorded writes can change; the rest as they were
                else:
                    rollups.build(con)  # every published file carries rollups of its own facts
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _swap_link(target, version)
            published = True
            _prune_versions(target, previous)
        finally:
            if not published:
                for leftover in (version, version.with_name(version.name + ".wal")):
                    leftover.unlink(missing_ok=True)
            shutil.rmtree(str(version) + ".tmp", ignore_errors=True)
