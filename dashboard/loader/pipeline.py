"""One load: read and map every file, validate and upsert in dependency order
inside a private copy of the database, then publish it atomically (store.building).

Readers of the published file never see a half-loaded state: they keep the old
file until the rename, then `store.Database` notices the new inode and reopens.
Any exception, a --strict rejection or a dry run discards the copy.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import pandas as pd

from .. import config, rollups, schema, store
from . import history
from .mapping import (Batch, Mapping, MappingError, apply_mapping, choose_mapping, identity_mapping,
                      load_mapping, mapping_rows_batches)
from . import readers
from .readers import ReadError, iter_file
from .report import Problem, new_report_dir, open_private, write_report
from .upsert import upsert_stage
from .validate import DEPENDENCY_ORDER, check_cells, check_duplicates, check_rows_sql, combine_rows, stage_rows

Progress = Callable[[float, str], None]
MAPPINGS_DIR = config.ROOT / "data" / "mappings"


@dataclass
class FileResult:
    file: str
    table: str
    format: str = ""
    encoding: str | None = None
    rows: int = 0
    loaded: int = 0          # records upserted (rows, or combined records)
    rejected: int = 0
    excluded: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    status: str              # published, strict_rejected, failed, checked (dry run)
    files: list[FileResult]
    problems: list[Problem]
    duration_s: float = 0.0
    report_dir: Path | None = None
    load_id: int | None = None
    message: str = ""

    @property
    def rows_loaded(self) -> int:
        return sum(f.loaded for f in self.files) if self.status in ("published", "checked") else 0

    @property
    def rows_rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def rows_excluded(self) -> int:
        return sum(f.excluded for f in self.files)

    @property
    def warnings(self) -> list[str]:
        return [w for f in self.files for w in f.warnings]

    def problems_frame(self) -> pd.DataFrame:
        cols = ["file", "row", "column", "value", "reason_zh", "reason_en", "kind", "message"]
        return pd.DataFrame([{**p.as_row(), "message": p.message} for p in self.problems], columns=cols)

    def files_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{k: v for k, v in f.__dict__.items() if k != "warnings"} for f in self.files])

    def summary(self) -> dict:
        return {"status": self.status, "message": self.message, "duration_s": round(self.duration_s, 3),
                "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
                "rows_excluded": self.rows_excluded, "load_id": self.load_id,
                "files": [f.__dict__ for f in self.files]}


class _Discard(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


def _as_mappings(mappings) -> list[Mapping]:
    out = []
    for m in mappings or []:
        out.append(m if isinstance(m, Mapping) else load_mapping(m))
    return out


def available_mappings(folder: Path | None = None) -> list[Path]:
    """The shipped mapping files (data/mappings/*.yaml)."""
    folder = Path(folder or MAPPINGS_DIR)
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))


def _chunked(mapping: Mapping | None) -> int | None:
    """Rows per chunk for a file: a mapping that combines rows sharing a key
    (receipt lines) needs the whole file at once; any other is streamed."""
    if mapping is not None and any(t.combine_sum for t in mapping.targets):
        return None
    return readers.CHUNK_ROWS


def read_and_map(paths: Iterable[str | Path], mappings=None, max_rows: int | None = None
                 ) -> tuple[list[tuple[Batch, bool]], list[FileResult], list[Problem]]:
    """Read the head (max_rows rows) of every file and cut it into batches, one
    per target table: (batch, more rows follow). A file that cannot be read is
    a file-level problem, not an exception. Only for previews: a load streams."""
    maps = _as_mappings(mappings)
    batches: list[tuple[Batch, bool]] = []
    results: list[FileResult] = []
    problems: list[Problem] = []
    used: list[Mapping] = []
    for path in paths:
        path = Path(path)
        try:
            probe = choose_mapping(path.name, maps)
            (raw, more), = iter_file(path, sheet=probe.sheet if probe else None,
                                     header_row=probe.header_row if probe else 1, chunk_rows=None,
                                     max_rows=max_rows)
            mapping = probe or identity_mapping(raw)
            if probe and probe not in used:
                used.append(probe)
            file_batches = apply_mapping(raw, mapping, last=not more)
        except (ReadError, MappingError, FileNotFoundError) as exc:
            problems.append(_file_problem(path, exc))
            results.append(FileResult(path.name, "?"))
            continue
        for b in file_batches:
            results.append(FileResult(b.file, b.table, raw.format, raw.encoding, len(b.frame),
                                      warnings=list(dict.fromkeys(b.warnings))))
            batches.append((b, more))
    for m in used:
        for b in mapping_rows_batches(m):
            results.append(FileResult(b.file, b.table, "mapping", None, len(b.frame)))
            batches.append((b, False))
    return batches, results, problems


def _file_problem(path: Path, exc: Exception) -> Problem:
    return Problem(path.name, None, "", None, f"无法读取或映射：{exc}", f"cannot read or map: {exc}", "file")


PREVIEW_ROWS = 1000


def preview(paths: Iterable[str | Path], mappings=None, rows: int = 20) -> list[dict]:
    """What each file would feed, before validating: file, table, mapping, sources
    (contract column -> source column, template or "= constant"), format, encoding,
    rows, more (the file goes on beyond the rows read), columns, warnings, file
    problems (messages) and head (first rows, mapped). Reads only the head of
    each file (PREVIEW_ROWS rows, at least `rows`): cheap on every rerun of the
    admin page, whatever the file's size."""
    batches, results, problems = read_and_map(paths, mappings, max_rows=max(PREVIEW_ROWS, rows))
    out = []
    for (b, more), r in zip(batches, [r for r in results if r.table != "?"]):
        out.append({"file": b.file, "table": b.table, "mapping": b.mapping, "sources": dict(b.sources),
                    "format": r.format, "encoding": r.encoding,
                    "rows": len(b.frame), "more": more, "columns": list(b.frame.columns), "warnings": r.warnings,
                    "problems": [p.message for p in b.problems if p.kind == "file"],
                    "head": b.frame.head(rows)})
    for p in problems:
        out.append({"file": p.file, "table": "?", "mapping": "", "sources": {}, "format": "", "encoding": None,
                    "rows": 0, "more": False, "columns": [], "warnings": [], "problems": [p.message],
                    "head": pd.DataFrame()})
    return out


@dataclass
class _Stream:
    """One file's rows bound for one table (or a mapping's declared rows),
    validated cell by cell chunk after chunk and staged in the load's scratch
    database; checked as a whole (keys, ranges, references) when published."""
    stage: str
    result: FileResult
    batch: Batch                     # its first chunk: file, table, flags
    problems: list[Problem] = field(default_factory=list)
    created: bool = False

    @property
    def table(self) -> str:
        return self.batch.table


# The load's staging stays within this much DuckDB memory (the build: store.BUILD_MEMORY),
# spilling to disk beyond it: a 1 GB export loads in bounded memory.
LOAD_MEMORY = os.environ.get("DASHBOARD_LOAD_MEMORY", "1GB")


def _stage_batch(con, stream: _Stream, batch: Batch, offset: int) -> None:
    result = stream.result
    result.rows += len(batch.frame)
    result.excluded += len(batch.excluded_rows)
    result.warnings = list(dict.fromkeys(result.warnings + batch.warnings))
    # File-level problems (a missing column) are the same in every chunk: once.
    stream.problems.extend(p for p in batch.problems if p.kind != "file" or not stream.created)
    if batch.fatal:
        result.rejected += len(batch.frame)
        stream.created = True
        return
    typed, found, bad_rows = check_cells(batch)
    if batch.combine_sum:
        typed = combine_rows(batch, typed, bad_rows, found)
    stream.problems.extend(found)
    stage_rows(con, stream.stage, batch, typed[~typed["_i"].isin(bad_rows)], offset, create=not stream.created)
    stream.created = True


def _stage_files(con, paths: list[Path], mappings, progress: Progress | None
                 ) -> tuple[list[_Stream], list[FileResult], list[Problem]]:
    """Read every file in chunks, map, check every cell and stage the good
    rows in `con` (the scratch database). -> (streams, results in file order,
    file-level problems)."""
    maps = _as_mappings(mappings)
    streams: list[_Stream] = []
    results: list[FileResult] = []
    problems: list[Problem] = []
    used: list[Mapping] = []

    def new_stream(batch: Batch, raw_format: str, encoding) -> _Stream:
        s = _Stream(f"s{len(streams) + 1}", FileResult(batch.file, batch.table, raw_format, encoding), batch)
        streams.append(s)
        return s

    for path in paths:
        first = len(streams)
        try:
            probe = choose_mapping(path.name, maps)
            mapping, file_streams, offset = probe, None, 0
            for raw, more in iter_file(path, sheet=probe.sheet if probe else None,
                                       header_row=probe.header_row if probe else 1, chunk_rows=_chunked(probe)):
                mapping = mapping or identity_mapping(raw)
                file_batches = apply_mapping(raw, mapping, last=not more)
                if file_streams is None:
                    file_streams = [new_stream(b, raw.format, raw.encoding) for b in file_batches]
                for stream, batch in zip(file_streams, file_batches):
                    _stage_batch(con, stream, batch, offset)
                offset += len(raw.frame)
                if progress:
                    progress(0.05, f"{path.name}: {offset} 行 / rows")
            if probe and probe not in used:
                used.append(probe)
        except (ReadError, MappingError, FileNotFoundError) as exc:
            for stream in streams[first:]:
                con.execute(f"DROP TABLE IF EXISTS {stream.stage}")
            del streams[first:]
            problems.append(_file_problem(path, exc))
            results.append(FileResult(path.name, "?"))
            continue
        results.extend(s.result for s in streams[first:])
    for m in used:
        for batch in mapping_rows_batches(m):
            stream = new_stream(batch, "mapping", None)
            _stage_batch(con, stream, batch, 0)
            results.append(stream.result)
    return streams, results, problems


def _order(streams: list[_Stream]) -> list[_Stream]:
    rank = {t: i for i, t in enumerate(DEPENDENCY_ORDER)}
    # Declared dimension rows first, then files, each in dependency order.
    return sorted(streams, key=lambda s: (not s.batch.insert_only, rank[s.table]))


def _publish_streams(con, schema_name: str, streams: list[_Stream], problems: list[Problem],
                     progress: Progress | None) -> None:
    """Check each staged stream as a whole against the database being built
    (the published data plus this load's earlier streams, dimensions first),
    then upsert its good rows."""
    ordered = _order(streams)
    for n, stream in enumerate(ordered, start=1):
        batch, result = stream.batch, stream.result
        stage = f"{schema_name}.{stream.stage}"
        if not batch.fatal:
            stream.problems.extend(check_duplicates(con, stage, batch))
            stream.problems.extend(check_rows_sql(con, stage, batch))
            if batch.insert_only:
                keys = " AND ".join(f"t.{k} = s.{k}" for k in schema.NATURAL_KEYS[batch.table])
                con.execute(f"DELETE FROM {stage} s WHERE EXISTS (SELECT 1 FROM {batch.table} t WHERE {keys})")
            rollups.record_change(con, batch.table, stage)  # the publish refreshes what these rows change
            result.loaded = upsert_stage(con, batch.table, stage)
            result.rejected = len({p.row for p in stream.problems if p.kind == "rejected"})
            con.execute(f"DROP TABLE IF EXISTS {stage}")
        problems.extend(stream.problems)
        if progress:
            progress(0.5 + 0.45 * n / len(ordered), f"{batch.file} → {batch.table}")


def _release_memory() -> None:
    import gc
    gc.collect()
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the heap stays as it is
        pass


def load(paths: Iterable[str | Path], db_path: str | Path, mappings=None, strict: bool = False,
         user: str = "cli", ops_path: Path | None = None, progress: Progress | None = None,
         dry_run: bool = False) -> LoadResult:
    """Load export files into the database at db_path and publish it.

    Good rows are upserted by key and bad ones reported; strict=True publishes
    nothing if any row is bad; dry_run=True validates everything the same way
    and publishes nothing (the admin page's preview). Never raises for bad data:
    the outcome is LoadResult.status, the details LoadResult.problems.

    Files are streamed: read in chunks, each chunk's cells checked and its good
    rows staged in a private scratch database next to db_path (DuckDB, spilling
    to disk), so memory stays bounded whatever the files' size; keys, ranges
    and references are then checked on the staged rows as a whole.
    """
    paths = [Path(p) for p in paths]
    db_path = Path(db_path)
    started = time.monotonic()
    names = [p.name for p in paths]
    load_id = None if dry_run else history.start(user, names, ops_path)
    report_dir = new_report_dir(db_path)
    problems: list[Problem] = []
    results: list[FileResult] = []
    status, message = "published", ""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    scratch_dir = Path(tempfile.mkdtemp(prefix=f".{db_path.name}.load-", dir=db_path.parent))  # 0700
    try:
        if progress:
            progress(0.0, "读取文件 / reading files")
        scratch_path = scratch_dir / "stage.duckdb"
        scratch = duckdb.connect(str(scratch_path), config={"memory_limit": LOAD_MEMORY,
                                                            "preserve_insertion_order": False,
                                                            "temp_directory": str(scratch_dir / "tmp")})
        try:
            streams, results, read_problems = _stage_files(scratch, paths, mappings, progress)
            scratch.execute("CHECKPOINT")
        finally:
            scratch.close()
        problems.extend(read_problems)
        _release_memory()  # the chunks' frames are gone: give their heap back before the build
        if not any(r.table != "?" and r.format != "mapping" for r in results):
            raise _Discard("failed", f"no readable file among {len(paths)}: nothing loaded"
                           if paths else "no file given: nothing loaded")
        with store.building(db_path, incremental=True) as con:
            con.execute("ATTACH '" + str(scratch_path).replace("'", "''") + "' AS _load")
            try:
                _publish_streams(con, "_load", streams, problems, progress)
            finally:
                con.execute("DETACH _load")
            bad = [p for p in problems if p.kind != "excluded"]
            if strict and bad:
                raise _Discard("strict_rejected", f"--strict: {len(bad)} problems, nothing loaded")
            if dry_run:
                raise _Discard("checked", "dry run: nothing published")
            if progress:
                progress(0.97, "发布 / publishing")
        if os.environ.get("DASHBOARD_STANDBY") == "1":
            store.standby_in_background(db_path)  # the next load's copy, made now (store.prepare_standby)
    except _Discard as d:
        status, message = d.status, str(d)
    except Exception as exc:  # noqa: BLE001 - any failure leaves the published file untouched; report it
        status, message = "failed", f"{type(exc).__name__}: {exc}"
        with open_private(report_dir / "traceback.txt") as fh:
            fh.write(traceback.format_exc())
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)
    result = LoadResult(status, results, problems, time.monotonic() - started, report_dir, load_id, message)
    if status == "published" and not message:
        result.message = f"{result.rows_loaded} loaded, {result.rows_rejected} rejected, {result.rows_excluded} excluded"
    write_report(report_dir, {**result.summary(), "user": user, "db": str(db_path), "strict": strict}, problems)
    if load_id is not None:
        history.finish(load_id, status, result.rows_loaded, result.rows_rejected, result.duration_s,
                       str(report_dir), result.message, ops_path)
    if progress:
        progress(1.0, STATUS_TEXT.get(status, status))
    return result


STATUS_TEXT = {"published": "已发布 / published", "checked": "已校验 / checked", "failed": "失败 / failed",
               "strict_rejected": "严格模式：未加载任何数据 / strict: nothing loaded"}


def check(paths: Iterable[str | Path], db_path: str | Path, mappings=None,
          progress: Progress | None = None) -> LoadResult:
    """Validate as a load would, against the current data, and publish nothing."""
    return load(paths, db_path, mappings, strict=False, user="preview", progress=progress, dry_run=True)


UPLOAD_PREFIX = "dashboard-upload-"
STALE_UPLOAD_SECONDS = 24 * 3600


class StagedUploads(list):
    """The staged files (a list of Paths). Their temporary folder is removed when
    this object is dropped: the admin page keeps it in session state, so the
    folder goes when the session ends (or the process exits) even if nobody
    loads; after a publish the page removes it at once (discard_uploads)."""

    def __init__(self, paths, folder: Path | None = None):
        super().__init__(paths)
        if folder is not None and folder.name.startswith(UPLOAD_PREFIX):
            weakref.finalize(self, shutil.rmtree, str(folder), True)


def stage_uploads(files: Iterable[tuple[str, bytes]], folder: Path | None = None) -> StagedUploads:
    """Save uploaded files (name, bytes or a binary file object) under their own names in a fresh private
    folder (0700, files 0600); the name decides the table when no mapping applies.
    Stale upload folders of earlier sessions are swept first."""
    remove_stale_uploads()
    folder = Path(folder or tempfile.mkdtemp(prefix=UPLOAD_PREFIX))  # mkdtemp: mode 0700
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, data in files:
        safe = Path(name).name or "upload"
        target = folder / safe
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            if hasattr(data, "read"):  # an upload (file-like): copied in blocks, never a second whole copy
                if hasattr(data, "seek"):
                    data.seek(0)
                shutil.copyfileobj(data, fh, 4 * 1024 * 1024)
            else:
                fh.write(data)
        out.append(target)
    return StagedUploads(out, folder)


def discard_uploads(paths: Iterable[Path]) -> None:
    for folder in {Path(p).parent for p in paths}:
        if folder.name.startswith(UPLOAD_PREFIX):
            shutil.rmtree(folder, ignore_errors=True)


def remove_stale_uploads(max_age_s: float = STALE_UPLOAD_SECONDS, tmp: Path | None = None) -> list[Path]:
    """Remove upload folders older than max_age_s (a crashed server's or a
    session that never ended cleanly); returns what was removed."""
    tmp = Path(tmp or tempfile.gettempdir())
    cutoff = time.time() - max_age_s
    removed = []
    for folder in tmp.glob(UPLOAD_PREFIX + "*"):
        try:
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff \
                    and folder.stat().st_uid == os.getuid():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:
            continue
    return removed
