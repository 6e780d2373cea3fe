"""Validate one batch against the contract and stage its good rows.

Per cell (pandas, vectorised): required, type, enum. Per row in SQL on the
typed staging table: schema.RANGE_CHECKS and references to rows already in the
database being built (the published data plus this load's earlier files, which
is why dimension files load first). Keys must be unique within a file; across
files and loads they are upserted.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pandas as pd

from .. import schema
from .mapping import Batch
from .report import Problem

STAGE = "_loader_stage"

# (table, column) -> (referenced table, column). member_id is deliberately not
# checked: orders, groups and lives carry members a CRM export may not (yet) hold.
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("guides", "store_id"): ("stores", "store_id"),
    ("members", "store_id"): ("stores", "store_id"),
    ("members", "guide_id"): ("guides", "guide_id"),
    ("groups", "store_id"): ("stores", "store_id"),
    ("groups", "owner_guide_id"): ("guides", "guide_id"),
    ("live_sessions", "host_store_id"): ("stores", "store_id"),
    ("shares", "guide_id"): ("guides", "guide_id"),
    ("shares", "store_id"): ("stores", "store_id"),
    ("shares", "group_id"): ("groups", "group_id"),
    ("share_visits", "share_id"): ("shares", "share_id"),
    ("group_members", "group_id"): ("groups", "group_id"),
    ("group_messages", "group_id"): ("groups", "group_id"),
    ("live_invites", "live_id"): ("live_sessions", "live_id"),
    ("live_invites", "guide_id"): ("guides", "guide_id"),
    ("live_views", "live_id"): ("live_sessions", "live_id"),
    ("orders", "store_id"): ("stores", "store_id"),
    ("orders", "guide_id"): ("guides", "guide_id"),
    ("orders", "share_id"): ("shares", "share_id"),
    ("orders", "live_id"): ("live_sessions", "live_id"),
    ("channel_spend", "channel_id"): ("channels", "channel_id"),
}

# Load order: every referenced table before the tables that refer to it.
DEPENDENCY_ORDER = ["stores", "channels", "guides", "groups", "live_sessions", "members", "member_tags",
                    "shares", "share_visits", "group_members", "group_messages", "live_invites",
                    "live_views", "orders", "channel_spend", "targets"]
assert set(DEPENDENCY_ORDER) == set(schema.TABLES)

REQUIRED_REASON = ("必填，不能为空", "is required and must not be empty")
TYPE_REASONS = {
    "DATE": ("不是有效日期", "is not a valid date"),
    "TIMESTAMP": ("不是有效的日期时间", "is not a valid date and time"),
    "TIME": ("不是有效的时刻（如 10:00）", "is not a valid time of day (e.g. 10:00)"),
    "DECIMAL": ("不是有效金额", "is not a valid amount"),
    "INTEGER": ("不是整数", "is not a whole number"),
}
MAX_DECIMAL = 1e12  # DECIMAL(14,2)

# Dates that say when something happened may not lie after tomorrow (China
# time; tomorrow is allowed for a clock a little ahead): an order dated 2099
# would make "yesterday" an empty day for everyone. Planned dates may: a
# store's closing day, a guide's last day, a live session's schedule.
PLANNED_DATES = {("stores", "closed_on"), ("guides", "left_on"), ("live_sessions", "started_at"),
                 ("live_sessions", "ended_at")}
FUTURE_REASON = ("日期晚于明天（中国时间），不可能已发生", "is after tomorrow (China time): it cannot have happened yet")

# Control characters are never data: NUL and the other C0/C1 codes (and DEL)
# anywhere; in ids and codes also tab and line breaks, which text may hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_ID = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_REASON = ("含有控制字符（如 NUL）", "contains a control character (such as NUL)")


def _is_id(table: str, col: str) -> bool:
    return col.endswith("_id") or col in schema.NATURAL_KEYS[table] or (table, col) in schema.ENUMS


def future_limit() -> str:
    """The first moment that is too late: the day after tomorrow, 00:00 China time, as ISO text."""
    from datetime import timedelta
    from ..clock import today
    return (today() + timedelta(days=2)).isoformat()


def _typ(sql_type: str) -> str:
    return "DECIMAL" if sql_type.startswith("DECIMAL") else sql_type


# --- cell parsers: text Series -> (normalised values, bad mask) -------------------

_DATE_PART = re.compile(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?")
_TIME_PART = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(\.\d+)?$")


def _norm_datetime_text(v: str) -> str:
    v = v.strip().replace("：", ":").replace("T", " ")
    m = _DATE_PART.match(v)
    if not m:
        return v
    rest = v[m.end():].strip()
    out = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if rest:
        t = _TIME_PART.fullmatch(rest)
        if not t:
            return out + " " + rest  # left for to_datetime to refuse
        out += f" {int(t[1]):02d}:{t[2]}:{t[3] or '00'}{t[4] or ''}"
    return out


def parse_timestamps(s: pd.Series) -> pd.Series:
    """ISO, 2020/2/1, 2020-02-01 00:00, 2020年2月1日 9：00, Excel serial days -> datetime64 (NaT if not)."""
    text = s.where(s.notna(), None)
    as_str = text.astype("string")
    serial = as_str.str.fullmatch(r"\d{5}(\.\d+)?").fillna(False).astype(bool)
    # Most exports already write ISO (2024-05-01 09:30:00): only the rest go through Python.
    iso = as_str.str.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.\d+)?)?)?").fillna(False).astype(bool)
    norm = text.copy()
    odd = ~iso & ~serial & text.notna()
    if odd.any():
        norm[odd] = text[odd].map(_norm_datetime_text)
    norm = norm.where(~serial, None)
    out = pd.to_datetime(norm, format="ISO8601", errors="coerce")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    if serial.any():
        days = pd.to_numeric(text[serial], errors="coerce")
        ok = (days > 20000) & (days < 80000)  # 1954..2119: a serial date, not some other number
        out.loc[days[ok].index] = pd.Timestamp("1899-12-30") + pd.to_timedelta(days[ok], unit="D")
    return out.dt.round("us")


def parse_times(s: pd.Series) -> pd.Series:
    def one(v):
        if not isinstance(v, str):
            return None
        v = v.strip().replace("：", ":")
        m = _TIME_PART.fullmatch(v)
        if m:
            h, mi, se = int(m[1]), int(m[2]), int(m[3] or 0)
            return f"{h:02d}:{mi:02d}:{se:02d}" if h < 24 and mi < 60 and se < 60 else None
        try:
            frac = float(v)  # Excel stores a time of day as a fraction of a day
        except ValueError:
            return None
        if 0 <= frac < 1:
            secs = round(frac * 86400)
            return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
        return None
    return s.map(one)


def parse_numbers(s: pd.Series) -> pd.Series:
    text = s.astype("string").str.replace(r"[¥￥,，\s元]", "", regex=True)
    return pd.to_numeric(text.astype(object).where(text.notna(), None), errors="coerce").astype("float64")


_MONTH = re.compile(r"^(\d{4})\s*[年/.\-]?\s*(\d{1,2})\s*月?(?:\s*[/.\-]\s*\d{1,2}\s*日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?$")


def parse_months(s: pd.Series) -> pd.Series:
    """A month as YYYY-MM (SPEC: targets.month) from what plan sheets write:
    2026-11, 2026/11, 2026.11, 2026年11月, 202611, a date of that month
    (2026-11-01, an Excel date cell) or an Excel serial day. None if not a month."""
    def one(v):
        if not isinstance(v, str):
            return None
        v = v.strip()
        if re.fullmatch(r"\d{5}(\.0+)?", v):  # Excel serial day
            days = float(v)
            if not 20000 < days < 80000:
                return None
            d = pd.Timestamp("1899-12-30") + pd.Timedelta(days=days)
            return f"{d.year:04d}-{d.month:02d}"
        m = _MONTH.match(v)
        if not m or not 1 <= int(m[2]) <= 12:
            return None
        return f"{m[1]}-{int(m[2]):02d}"
    return s.map(one)


# Text columns with a format of their own: (table, column) -> (parser, reason zh, reason en)
TEXT_FORMATS = {
    ("targets", "month"): (parse_months, "不是有效月份（如 2026-11）", "is not a month (e.g. 2026-11)"),
}


def parse_column(s: pd.Series, sql_type: str) -> tuple[pd.Series, pd.Series]:
    """-> (values ready for CAST in DuckDB, bad mask among the non-empty cells)."""
    typ = _typ(sql_type)
    empty = s.isna()
    if typ in ("DATE", "TIMESTAMP"):
        ts = parse_timestamps(s)
        bad = ~empty & ts.isna()
        fmt = "%Y-%m-%d" if typ == "DATE" else "%Y-%m-%d %H:%M:%S.%f"
        return ts.dt.strftime(fmt).astype(object).where(ts.notna(), None), bad
    if typ == "TIME":
        t = parse_times(s)
        return t, ~empty & t.isna()
    if typ in ("DECIMAL", "INTEGER"):
        n = parse_numbers(s)
        bad = ~empty & (n.isna() | (n.abs() >= MAX_DECIMAL))
        if typ == "INTEGER":
            bad |= ~empty & n.notna() & (n % 1 != 0)
        else:
            n = n.round(2)
        return n.where(~bad), bad
    return s, pd.Series(False, index=s.index)


# --- the batch ---------------------------------------------------------------------

def _range_column(table: str, cond: str) -> str:
    for word in re.findall(r"[a-z_]+", cond):
        if word in schema.COLUMNS[table]:
            return word
    return ""


def check_cells(batch: Batch) -> tuple[pd.DataFrame, list[Problem], set[int]]:
    """Type every cell. -> (typed frame with _i = batch row index, problems, bad row indexes)."""
    table, frame = batch.table, batch.frame
    problems: list[Problem] = []
    bad_rows: set[int] = set(batch.rejected_rows) | set(batch.excluded_rows)
    skip = pd.Series([i in bad_rows for i in range(len(frame))], index=frame.index)
    typed = pd.DataFrame(index=frame.index)
    too_late = future_limit()
    for col, sql_type, nullable in schema.TABLES[table]:
        raw = frame[col] if col in frame.columns else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        raw = raw.astype(object).where(raw.notna(), None)  # readers and mappings already trimmed the text
        values, bad = parse_column(raw, sql_type)
        issues = []
        ctrl = _control_mask(raw, _CONTROL_IN_ID if _is_id(table, col) else _CONTROL)
        if not nullable:
            issues.append((raw.isna(), *REQUIRED_REASON))
        issues.append((bad, *TYPE_REASONS.get(_typ(sql_type), ("", ""))))
        if (table, col) in TEXT_FORMATS:
            parser, zh, en = TEXT_FORMATS[(table, col)]
            values = parser(raw)
            issues.append((raw.notna() & values.isna(), zh, en))
        allowed = schema.ENUMS.get((table, col))
        if allowed:
            values = values.map(lambda v: v.lower() if isinstance(v, str) else v)
            not_allowed = values.notna() & ~values.isin(allowed)
            issues.append((not_allowed, f"取值须为 {'、'.join(allowed)} 之一", f"must be one of {', '.join(allowed)}"))
        if _typ(sql_type) in ("DATE", "TIMESTAMP") and (table, col) not in PLANNED_DATES:
            future = values.notna() & (values.astype("string") >= too_late).fillna(False).astype(bool)
            issues.append((future, *FUTURE_REASON))
        # A cell with a control character gets that reason alone (not also "not a valid date").
        issues = [(ctrl, *CONTROL_REASON)] + [(mask & ~ctrl, zh, en) for mask, zh, en in issues]
        for mask, zh, en in issues:
            for i in frame.index[mask & ~skip]:
                problems.append(Problem(batch.file, batch.row_numbers[i], col, _shown(raw.iloc[i]), zh, en))
                bad_rows.add(int(i))
        typed[col] = values
    typed["_i"] = range(len(frame))
    return typed, problems, bad_rows


def _control_mask(raw: pd.Series, pattern: re.Pattern) -> pd.Series:
    """Cells holding a control character. One search over the joined column
    first (C speed): the common case, a clean column, costs no per-cell work."""
    if not pattern.search("".join([v for v in raw.tolist() if isinstance(v, str)])):
        return pd.Series(False, index=raw.index)
    return raw.map(lambda v: isinstance(v, str) and pattern.search(v) is not None).astype(bool)


def _shown(value):
    """A value as the report shows it: control characters visible as \\x00 (a NUL
    would cut the text short in a terminal, a CSV or a page)."""
    if isinstance(value, str) and _CONTROL_IN_ID.search(value):
        return _CONTROL_IN_ID.sub(lambda m: m.group().encode("unicode_escape").decode(), value)
    return value


def combine_rows(batch: Batch, typed: pd.DataFrame, bad_rows: set[int], problems: list[Problem]) -> pd.DataFrame:
    """Rows sharing a key are one record (receipt lines of one receipt): sum the
    listed columns, keep the first row's other values. One bad line rejects its record."""
    key = list(schema.NATURAL_KEYS[batch.table])
    good_idx = [i for i in typed["_i"] if i not in bad_rows]
    keyed = typed.assign(_k=typed[key].astype(str).agg("\x1f".join, axis=1))
    poisoned = set(keyed.loc[keyed["_i"].isin(bad_rows), "_k"])
    for i in good_idx:
        k = keyed.at[i, "_k"]
        if k in poisoned:
            first_bad = min(batch.row_numbers[j] for j in keyed.index[(keyed["_k"] == k) & keyed["_i"].isin(bad_rows)])
            problems.append(Problem(batch.file, batch.row_numbers[i], ",".join(key), typed.loc[i, key[0]],
                                    f"同一记录的第 {first_bad} 行有错误，整条记录不导入",
                                    f"row {first_bad} of the same record is bad, so the whole record is rejected"))
            bad_rows.add(i)
    good = keyed[~keyed["_i"].isin(bad_rows)]
    if good.empty:
        return typed.iloc[0:0]
    agg = {c: "first" for c in typed.columns if c not in key}
    for c in batch.combine_sum:
        agg[c] = "sum"
    combined = good.groupby("_k", sort=False).agg({**{k: "first" for k in key}, **agg}).reset_index(drop=True)
    for c in batch.combine_sum:
        combined[c] = combined[c].round(2)
    return combined[typed.columns]


def quoted_columns(table: str) -> list[str]:
    """Columns a range or reference problem names: their text as the file wrote
    it (120, not 120.00) is staged beside the typed value, to quote it."""
    cols = [_range_column(table, cond) for t, cond, _, _ in schema.RANGE_CHECKS if t == table]
    cols += [col for (t, col) in REFERENCES if t == table]
    return list(dict.fromkeys(c for c in cols if c))


def stage_rows(con: duckdb.DuckDBPyConnection, stage: str, batch: Batch, typed: pd.DataFrame, offset: int,
               create: bool) -> None:
    """Append typed good rows of one batch (a file, or one chunk of it) to the
    staging table `stage` with the contract's column types (CAST from
    text/numbers), `_i` (row index in the whole file: offset + index in the
    batch), `_row` (the source row number) and the quoted columns' text."""
    table = batch.table
    incoming = typed.copy()
    for col, sql_type, _ in schema.TABLES[table]:
        if _typ(sql_type) in ("DECIMAL", "INTEGER"):
            incoming[col] = pd.to_numeric(incoming[col], errors="coerce").astype("float64")
        else:
            incoming[col] = incoming[col].astype("string")
    local = typed["_i"].astype("int64").tolist()
    incoming["_i"] = pd.Series([offset + i for i in local], index=incoming.index, dtype="int64")
    incoming["_row"] = pd.Series([batch.row_numbers[i] for i in local], index=incoming.index, dtype="int64")
    quoted = quoted_columns(table)
    for col in quoted:
        if col in batch.frame.columns and col not in batch.combine_sum:
            text = batch.frame[col].iloc[local].tolist()
        else:
            text = [None] * len(local)
        incoming[f"_raw_{col}"] = pd.Series(text, index=incoming.index, dtype="string")
    con.register("_loader_incoming", incoming)
    try:
        casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t, _ in schema.TABLES[table])
        raws = "".join(f", CAST(_raw_{c} AS VARCHAR) AS _raw_{c}" for c in quoted)
        select = f"SELECT _i, _row, {casts}{raws} FROM _loader_incoming"
        if create:
            con.execute(f"DROP TABLE IF EXISTS {stage}")
            con.execute(f"CREATE TABLE {stage} AS {select}")
        else:
            con.execute(f"INSERT INTO {stage} {select}")
    finally:
        con.unregister("_loader_incoming")


def _typed_text(value) -> str:
    """A key value as the typed text the validator compares (and reports)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return str(float(value))
    return str(value)


def _drop_rows(con, stage: str, indexes) -> None:
    indexes = sorted(set(indexes))
    if not indexes:
        return
    con.register("_loader_bad", pd.DataFrame({"_i": indexes}, dtype="int64"))
    try:
        con.execute(f"DELETE FROM {stage} WHERE _i IN (SELECT _i FROM _loader_bad)")
    finally:
        con.unregister("_loader_bad")


def check_duplicates(con, stage: str, batch: Batch) -> list[Problem]:
    """Keys must be unique within a file (across all its chunks): identical
    repeats are dropped (reported unless the mapping says distinct), rows sharing
    a key with different values are all rejected. Removes them from `stage`."""
    key = list(schema.NATURAL_KEYS[batch.table])
    data = [c for c, _, _ in schema.TABLES[batch.table]]
    kcols = ", ".join(key)
    same = " AND ".join(f"d.{k} IS NOT DISTINCT FROM s.{k}" for k in key)
    dups = "_loader_dups"
    con.execute(f"DROP TABLE IF EXISTS {dups}")
    con.execute(f"""CREATE TEMP TABLE {dups} AS
        SELECT k.*, v.variants FROM
          (SELECT {kcols}, count(*) AS n FROM {stage} GROUP BY {kcols} HAVING count(*) > 1) k
          JOIN (SELECT {kcols}, count(*) AS variants FROM (SELECT DISTINCT {", ".join(data)} FROM {stage}) x
                GROUP BY {kcols}) v ON {" AND ".join(f"k.{c} IS NOT DISTINCT FROM v.{c}" for c in key)}""")
    try:
        if con.execute(f"SELECT count(*) FROM {dups}").fetchone()[0] == 0:
            return []
        if batch.distinct:  # identical repeats of a dimension: keep the first, silently
            con.execute(f"""DELETE FROM {stage} WHERE _i IN (
                SELECT _i FROM (SELECT s._i, row_number() OVER (PARTITION BY {", ".join(f"s.{k}" for k in key)}
                                ORDER BY s._i) AS rn
                                FROM {stage} s JOIN {dups} d ON {same} WHERE d.variants = 1) t WHERE rn > 1)""")
            con.execute(f"DELETE FROM {dups} WHERE variants = 1")
        rows = con.execute(f"""SELECT s._i, s._row, d.variants, {", ".join(f"s.{k}" for k in key)}
                               FROM {stage} s JOIN {dups} d ON {same} ORDER BY s._i""").fetchall()
    finally:
        con.execute(f"DROP TABLE IF EXISTS {dups}")
    groups: dict[tuple, list] = {}
    for i, row, variants, *values in rows:
        groups.setdefault(tuple(values), []).append((i, row, variants))
    problems, bad = [], []
    for values, members in groups.items():
        numbers = [row for _, row, _ in members]
        key_text = ",".join(_typed_text(v) for v in values)
        if members[0][2] == 1:
            for i, row, _ in members[1:]:
                bad.append(i)
                problems.append(Problem(batch.file, row, ",".join(key), key_text,
                                        f"与第 {numbers[0]} 行完全重复", f"duplicate of row {numbers[0]}"))
        else:
            listed = "、".join(map(str, numbers))
            for i, row, _ in members:
                bad.append(i)
                problems.append(Problem(batch.file, row, ",".join(key), key_text,
                                        f"主键重复且内容不同（第 {listed} 行）",
                                        f"duplicate key with different values (rows {', '.join(map(str, numbers))})"))
    _drop_rows(con, stage, bad)
    return problems


def check_rows_sql(con, stage: str, batch: Batch) -> list[Problem]:
    """Range rules and references, on the staged rows; the bad ones are removed from the stage."""
    table = batch.table
    problems = []
    found: list[tuple[int, int, str, object, str, str]] = []
    for t, cond, zh, en in schema.RANGE_CHECKS:
        if t != table:
            continue
        col = _range_column(table, cond)
        for i, row, value, raw in con.execute(
                f"SELECT _i, _row, {col}, _raw_{col} FROM {stage} WHERE NOT ({cond}) ORDER BY _i").fetchall():
            found.append((i, row, col, value if raw is None else raw, zh, en))
    for (t, col), (ref_table, ref_col) in REFERENCES.items():
        if t != table:
            continue
        rows = con.execute(
            f"SELECT s._i, s._row, s.{col}, s._raw_{col} FROM {stage} s WHERE s.{col} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {ref_table} r WHERE r.{ref_col} = s.{col}) ORDER BY s._i").fetchall()
        for i, row, value, raw in rows:
            found.append((i, row, col, value if raw is None else raw, f"{ref_table} 中没有这个 {ref_col}",
                          f"no {ref_table} row has this {ref_col}"))
    # Values as the file wrote them (the staged text), except for summed columns.
    for i, row, col, value, zh, en in sorted(found, key=lambda f: f[0]):
        problems.append(Problem(batch.file, row, col, _plain(value), zh, en))
    _drop_rows(con, stage, [f[0] for f in found])
    return problems


def _plain(value):
    if hasattr(value, "is_integer") and not isinstance(value, float):  # Decimal
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "year") else value
