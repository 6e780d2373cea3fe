"""Which contract table a file feeds and which source column feeds each contract
column: either the file is named after a table (orders.csv, stores_2024.xlsx) and
its headers are the contract's names, or a YAML mapping file says so.

A mapping (see data/mappings/*.yaml for real ones):

    name: 天猫订单报表
    files: ["tmall_order_report*.csv"]     # file names it applies to (glob)
    sheet: 0                               # Excel sheet (index or name); header_row: 1
    derive:                                # new source columns cut from others
      班次开始: {from: 时段, split: "-", part: 0}
    rows:                                  # dimension rows the export lacks
      stores: [{store_id: TM01, store_name: 天猫旗舰店, ...}]
    targets:                               # one file may feed several tables
      - table: orders
        columns:                           # contract column <- source
          order_id: 订单编号               #   a source column
          ordered_at: {template: "{日期} {班次开始}"}
          channel: {column: 渠道, values: {门店: pos, 商城: wemall}, default: pos}
        defaults: {store_id: TM01, brand: 天猫}   # constants for columns it lacks
        exclude:                           # rows that are not data (reported, not errors)
          - {column: 订单付款时间, when: empty, reason_zh: 未付款订单, reason_en: unpaid order}
        distinct: true                     # collapse identical rows (a dimension repeated per fact)
        combine: {sum: [amount]}           # rows sharing a key are one record (receipt lines)
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .. import yaml_strict

from .. import schema
from .readers import RawTable, clean_header
from .report import Problem

_FIELD = re.compile(r"\{([^{}]+)\}")


class MappingError(ValueError):
    """A mapping file that does not make sense; names the file and the key."""


@dataclass
class Target:
    table: str
    columns: dict[str, dict]            # contract column -> spec {column|template, values, default}
    defaults: dict[str, str]
    exclude: list[dict] = field(default_factory=list)
    distinct: bool = False
    combine_sum: list[str] = field(default_factory=list)


@dataclass
class Mapping:
    name: str
    path: Path | None
    files: list[str]
    targets: list[Target]
    sheet: object = None
    header_row: int = 1
    derive: dict[str, dict] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def matches(self, file_name: str) -> bool:
        return any(fnmatch.fnmatch(file_name.lower(), p.lower()) for p in self.files)

    @property
    def source_name(self) -> str:
        return self.path.name if self.path else self.name


@dataclass
class Batch:
    """Text rows bound for one table, from one file (or a mapping's declared rows)."""
    file: str
    table: str
    frame: pd.DataFrame                  # contract columns present, object dtype (text/None)
    row_numbers: list[int]
    problems: list[Problem] = field(default_factory=list)   # excluded / file-level, found while mapping
    excluded_rows: set[int] = field(default_factory=set)
    rejected_rows: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    distinct: bool = False
    combine_sum: list[str] = field(default_factory=list)
    fatal: bool = False                  # the file cannot feed the table at all
    insert_only: bool = False            # declared rows: never overwrite what is already there
    mapping: str = ""                    # which mapping cut it (for previews)
    sources: dict[str, str] = field(default_factory=dict)   # contract column -> where it comes from


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v).strip()
    return s or None


def _column_spec(table: str, col: str, spec, where: str) -> dict:
    if col not in schema.COLUMNS[table]:
        raise MappingError(f"{where}: {table} has no column {col!r}; its columns: "
                           + ", ".join(schema.COLUMNS[table]))
    if isinstance(spec, str):
        return {"column": clean_header(spec)}
    if not isinstance(spec, dict) or not ({"column", "template"} & set(spec)):
        raise MappingError(f"{where}: {table}.{col} needs a source column name, "
                           "or {column: ...} or {template: ...}")
    out = dict(spec)
    if "column" in out:
        out["column"] = clean_header(out["column"])
    if "values" in out:
        out["values"] = {str(k).strip(): _text(v) for k, v in (out["values"] or {}).items()}
    return out


def parse_mapping(data: dict, path: Path | None = None) -> Mapping:
    where = path.name if path else "mapping"
    if not isinstance(data, dict) or "targets" not in data:
        raise MappingError(f"{where}: a mapping needs 'targets' (a list of {{table, columns}})")
    targets = []
    for i, t in enumerate(data["targets"] or []):
        table = t.get("table")
        if table not in schema.TABLES:
            raise MappingError(f"{where}: targets[{i}].table {table!r} is not a contract table; "
                               "tables: " + ", ".join(schema.TABLES))
        cols = {c: _column_spec(table, c, s, where) for c, s in (t.get("columns") or {}).items()}
        defaults = {}
        for c, v in (t.get("defaults") or {}).items():
            if c not in schema.COLUMNS[table]:
                raise MappingError(f"{where}: default for unknown column {table}.{c}")
            defaults[c] = _text(v)
        for rule in t.get("exclude") or []:
            if not {"column", "reason_zh", "reason_en"} <= set(rule) or rule.get("when", "empty") not in ("empty", "equals"):
                raise MappingError(f"{where}: each exclude rule needs column, when (empty|equals), reason_zh, reason_en")
        combine = (t.get("combine") or {}).get("sum") or []
        targets.append(Target(table, cols, defaults, list(t.get("exclude") or []),
                              bool(t.get("distinct")), list(combine)))
    rows = {}
    for table, items in (data.get("rows") or {}).items():
        if table not in schema.TABLES:
            raise MappingError(f"{where}: rows for unknown table {table!r}")
        rows[table] = [{k: _text(v) for k, v in r.items()} for r in items]
    derive = {clean_header(k): v for k, v in (data.get("derive") or {}).items()}
    files = data.get("files") or []
    return Mapping(str(data.get("name") or where), path, [files] if isinstance(files, str) else list(files),
                   targets, data.get("sheet"), int(data.get("header_row") or 1), derive, rows)


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        data = yaml_strict.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:  # duplicate keys too (yaml_strict)
        raise MappingError(f"{path.name}: not valid YAML: {exc}") from exc
    return parse_mapping(data, path)


def table_for_name(file_name: str) -> str | None:
    """orders.csv, orders_2024-05.xlsx, group_members-1.parquet -> the table; longest name wins."""
    stem = Path(file_name).name.split(".")[0].lower()
    for table in sorted(schema.TABLES, key=len, reverse=True):
        if stem == table or re.match(rf"{table}[_\-\s]", stem):
            return table
    return None


def choose_mapping(file_name: str, mappings: list[Mapping]) -> Mapping | None:
    for m in mappings:
        if m.files and m.matches(file_name):
            return m
    if table_for_name(file_name) is None:
        unscoped = [m for m in mappings if not m.files]
        if unscoped:
            return unscoped[0]
    return None


def identity_mapping(raw: RawTable) -> Mapping:
    table = table_for_name(raw.name)
    if table is None:
        raise MappingError(
            f"{raw.name}: the name is not a contract table ({', '.join(schema.TABLES)}) and no mapping "
            "file applies to it; rename it or pass --mapping")
    lower = {h.lower(): h for h in raw.frame.columns}
    cols = {c: {"column": lower[c]} for c in schema.COLUMNS[table] if c in lower}
    return Mapping(f"{table} ({raw.name})", None, [], [Target(table, cols, {})])


def _derive(frame: pd.DataFrame, derive: dict[str, dict], where: str) -> pd.DataFrame:
    frame = frame.copy()
    for new, spec in derive.items():
        src = clean_header(spec.get("from", ""))
        if src not in frame.columns:
            raise MappingError(f"{where}: derive {new!r} reads column {src!r}, which the file lacks")
        s = frame[src].astype("string").str.replace("：", ":", regex=False)
        if "split" in spec:
            parts = s.str.split(str(spec["split"]), regex=False)
            part = int(spec.get("part", 0))
            s = parts.map(lambda p: p[part].strip() if isinstance(p, list) and len(p) > part else None)
        frame[new] = s.astype(object).where(s.notna(), None)
    return frame


def _is_empty(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def _looks_like_totals(values: list) -> bool:
    """A totals row: a label such as 合计, or only numbers in under half of the cells
    (counts and sums under the columns, nothing that identifies a record)."""
    filled = [v for v in values if v is not None]
    if any(re.fullmatch(r"(合计|总计|小计|总额|total|totals|sum)[:：]?", v.strip().lower()) for v in filled):
        return True
    numeric = all(re.fullmatch(r"-?[\d,.]+", v) for v in filled)
    return bool(filled) and numeric and len(filled) < len(values) / 2


def apply_mapping(raw: RawTable, mapping: Mapping, last: bool = True) -> list[Batch]:
    """Cut one RawTable (a whole file, or one chunk of a streamed one: `last`
    says whether it holds the file's last row, which may be a totals row)."""
    where = f"{raw.name} ({mapping.source_name})"
    frame = _derive(raw.frame, mapping.derive, where)
    rows = raw.row_numbers
    # The last data row of an export is often a totals row: report it once, by name.
    totals: set[int] = set()
    if last and len(frame):
        if _looks_like_totals(frame.iloc[-1].tolist()[:len(raw.frame.columns)]):
            totals.add(len(frame) - 1)
    batches = []
    for target in mapping.targets:
        used: set[str] = set()
        out: dict[str, pd.Series] = {}
        missing_sources = []
        for col, spec in target.columns.items():
            if "template" in spec:
                fields = _FIELD.findall(spec["template"])
                lacking = [f for f in fields if clean_header(f) not in frame.columns]
                if lacking:
                    missing_sources.append((col, ", ".join(lacking)))
                    continue
                used.update(clean_header(f) for f in fields)
                series = pd.Series([spec["template"]] * len(frame), index=frame.index, dtype=object)
                empty_any = pd.Series(False, index=frame.index)
                for f in fields:
                    src = frame[clean_header(f)]
                    empty_any |= _is_empty(src)
                    series = [t.replace("{" + f + "}", "" if v is None else str(v)) for t, v in zip(series, src)]
                series = pd.Series(series, index=frame.index, dtype=object).where(~empty_any, None)
            else:
                src_name = spec["column"]
                if src_name not in frame.columns:
                    missing_sources.append((col, src_name))
                    continue
                used.add(src_name)
                series = frame[src_name].copy()
            if spec.get("values"):
                table = spec["values"]
                series = series.map(lambda v: table.get(v.strip(), v) if isinstance(v, str) else v)
            if spec.get("default") is not None:
                series = series.where(~_is_empty(series), _text(spec["default"]))
            out[col] = series
        for col, value in target.defaults.items():
            if col not in out:
                out[col] = pd.Series([value] * len(frame), index=frame.index, dtype=object)
        batch = Batch(raw.name, target.table, pd.DataFrame(out, index=frame.index).reset_index(drop=True),
                      list(rows), distinct=target.distinct, combine_sum=target.combine_sum)
        batch.warnings.extend(raw.warnings)
        batch.mapping = mapping.source_name if mapping.path else ""  # "" = named after the table
        for col in out:
            spec = target.columns.get(col)
            batch.sources[col] = (spec.get("template") or spec["column"]) if spec else f"= {target.defaults.get(col)}"
        for col, src in missing_sources:
            if col in schema.REQUIRED[target.table]:
                batch.problems.append(Problem(raw.name, None, col, src, f"缺少来源列 {src}",
                                              f"source column {src} is missing", "file"))
                batch.fatal = True
            else:
                batch.warnings.append(f"{raw.name}: source column {src} for {target.table}.{col} is missing; left empty")
        lacking = [c for c in schema.REQUIRED[target.table] if c not in out]
        for col in lacking:
            if not any(p.column == col for p in batch.problems):
                batch.problems.append(Problem(raw.name, None, col, None, "缺少必填列",
                                              "required column is missing", "file"))
                batch.fatal = True
        unused = [c for c in raw.frame.columns if c not in used and c not in mapping.derive
                  and not any(c == clean_header(s.get("from", "")) for s in mapping.derive.values())]
        if unused and len(mapping.targets) == 1:
            batch.warnings.append(f"{raw.name}: columns ignored (not in the contract for {target.table}): "
                                  + ", ".join(unused))
        for i in totals:
            batch.rejected_rows.add(i)
            batch.problems.append(Problem(raw.name, rows[i], "", " | ".join(v for v in frame.iloc[i].tolist() if v),
                                          "合计行，不是数据行", "totals row, not a data row"))
        for rule in target.exclude:
            src = clean_header(rule["column"])
            if src not in frame.columns:
                raise MappingError(f"{where}: exclude rule reads column {src!r}, which the file lacks")
            col = frame[src]
            hit = _is_empty(col) if rule.get("when", "empty") == "empty" else \
                col.astype("string").str.strip() == _text(rule.get("value"))
            for i in [i for i, h in enumerate(hit.fillna(False).tolist()) if h and i not in totals]:
                if i in batch.excluded_rows:
                    continue
                batch.excluded_rows.add(i)
                batch.problems.append(Problem(raw.name, rows[i], src, col.iloc[i], rule["reason_zh"],
                                              rule["reason_en"], "excluded"))
        batches.append(batch)
    return batches


def mapping_rows_batches(mapping: Mapping) -> list[Batch]:
    """The dimension rows a mapping declares, as batches named after the mapping file."""
    out = []
    for table, items in mapping.rows.items():
        frame = pd.DataFrame(items, dtype=object)
        unknown = [c for c in frame.columns if c not in schema.COLUMNS[table]]
        if unknown:
            raise MappingError(f"{mapping.source_name}: rows.{table} has unknown columns {unknown}")
        frame = frame.astype(object).where(frame.notna(), None)
        out.append(Batch(f"{mapping.source_name}#rows.{table}", table, frame, list(range(1, len(frame) + 1)),
                         insert_only=True, mapping=mapping.source_name))
    return out
