"""The data loader: exports (CSV in UTF-8/GBK, XLSX, XLS, Parquet) -> mapping ->
validation against the contract -> upsert into a private copy -> atomic publish.

Public API (the CLI and the admin page use only these):
    load(paths, db_path, mappings=None, strict=False, user="cli", ops_path=None,
         progress=None, dry_run=False) -> LoadResult
    check(paths, db_path, mappings=None, progress=None) -> LoadResult   # validate, publish nothing
    preview(paths, mappings=None, rows=20) -> list[dict]                 # what each file feeds
    available_mappings(folder=None) -> list[Path]
    load_mapping(path) -> Mapping
    load_history(limit=100, ops_path=None) -> DataFrame
    stage_uploads([(name, bytes), ...]) -> StagedUploads (list of Paths; folder removed when dropped)
    discard_uploads(paths); remove_stale_uploads(max_age_s=86400)
"""
from .history import load_history
from .mapping import Mapping, MappingError, load_mapping
from .pipeline import (FileResult, LoadResult, StagedUploads, available_mappings, check, discard_uploads, load,
                       preview, remove_stale_uploads, stage_uploads)
from .readers import ReadError, read_file
from .report import Problem

__all__ = ["load", "check", "preview", "available_mappings", "load_mapping", "load_history",
           "stage_uploads", "discard_uploads", "remove_stale_uploads", "StagedUploads", "LoadResult", "FileResult", "Problem", "Mapping",
           "MappingError", "ReadError", "read_file"]
