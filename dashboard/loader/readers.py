"""Read an export file into text cells, whatever its format and encoding.

Every reader returns the same shape, a `RawTable`: trimmed header names, cells as
text (None for empty) and the row number a person sees in the source file (the
header is row 1 for CSV and Excel, so the first data row is row 2). Typing is the
validator's job, so a wrong value is reported as written, not as pandas mangled it.
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pandas as pd

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".xls": "xls", ".parquet": "parquet", ".pq": "parquet"}

# Tried in order; gb18030 is a superset of GBK and GB2312, so it reads all three.
ENCODINGS = ("utf-8-sig", "gb18030")

_SPACE = re.compile(r"[\s\u3000\ufeff]+")

# The longest CSV field read (Python's csv module stops at 128 KB by default
# with an uncaught _csv.Error). Longer than any real cell (a group message is
# a few KB); a longer one is reported as a file problem naming its row.
MAX_FIELD_CHARS = 1024 * 1024


class ReadError(ValueError):
    """A file that cannot be read at all (unknown format, undecodable, empty)."""


@dataclass
class RawTable:
    name: str                      # file name as the user knows it
    format: str                    # csv, xlsx, xls, parquet
    encoding: str | None           # for CSV: the encoding that decoded it
    frame: pd.DataFrame            # object dtype, text or None, header names trimmed
    row_numbers: list[int]         # source row number of each frame row
    warnings: list[str] = field(default_factory=list)


def clean_header(name) -> str:
    return _SPACE.sub(" ", str(name if name is not None else "")).strip()


def cell_text(value) -> str | None:
    """One cell as text: None for empty; Excel numbers without a spurious '.0';
    dates and times in ISO form so the date parser sees one shape."""
    if type(value) is str:  # the common case (every CSV cell): keep it cheap
        value = value.strip()
        return value or None
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (pd.Timestamp, datetime)):
        if pd.isna(value):
            return None
        if value.tzinfo is not None:  # the contract stores local China time without a zone
            value = pd.Timestamp(value).tz_convert("Asia/Shanghai").tz_localize(None).to_pydatetime()
        if value.hour == value.minute == value.second == 0 and not getattr(value, "microsecond", 0):
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(f"{path.name}: unknown file type {path.suffix!r}; expected one of "
                        + ", ".join(sorted(FORMATS)))
    return fmt


def decode(data: bytes, name: str) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{name}: not UTF-8 or GB18030/GBK text; save it as UTF-8 CSV")


def _header(name: str, raw_header: list, header_row: int) -> tuple[list[str], list[str]]:
    """-> (header names, warnings): blanks named _blank_N, repeats _dup_N_name (dropped)."""
    header = [clean_header(h) for h in raw_header]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise ReadError(f"{name}: header row {header_row} is empty")
    warnings = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        if h == "":
            header[i] = f"_blank_{i + 1}"
        elif h in seen:
            warnings.append(f"{name}: column {h!r} appears twice; the later one is ignored")
            header[i] = f"_dup_{i + 1}_{h}"
        seen.add(header[i])
    return header, warnings


def _body(name: str, fmt: str, encoding: str | None, header: list[str], warnings: list[str],
          records, first_number: int) -> RawTable:
    """records[k] is source row first_number + k (rows after the header)."""
    width = len(header)
    data, numbers = [], []
    for offset, raw in enumerate(records):
        cells = [cell_text(v) for v in raw[:width]]
        cells += [None] * (width - len(cells))
        if all(c is None for c in cells) and all(cell_text(v) is None for v in raw[width:]):
            continue  # blank line: not a row anyone meant
        data.append(cells)
        numbers.append(first_number + offset)
    frame = pd.DataFrame(data, columns=header, dtype=object)
    frame = frame[[h for h in header if not h.startswith("_dup_")]]
    return RawTable(name, fmt, encoding, frame, numbers, list(warnings))


def _from_rows(name: str, fmt: str, encoding: str | None, rows: list[list], header_row: int,
               first_row_number: int = 1) -> RawTable:
    """rows[i] is source row first_row_number + i; header_row is a source row number."""
    hidx = header_row - first_row_number
    if hidx < 0 or hidx >= len(rows):
        raise ReadError(f"{name}: no header row {header_row} (the file has {len(rows)} rows)")
    header, warnings = _header(name, rows[hidx], header_row)
    return _body(name, fmt, encoding, header, warnings, rows[hidx + 1:], first_row_number + hidx + 1)


# Rows per chunk when a CSV is streamed: a chunk's text cells and their typed
# copies stay well under a few hundred MB whatever the file's size.
CHUNK_ROWS = int(os.environ.get("DASHBOARD_LOAD_CHUNK_ROWS") or 200_000)
_SCAN_BYTES = 4 * 1024 * 1024
HEAD_BYTES = 1024 * 1024  # a preview decides the encoding from the file's first MB


def detect_encoding(path: Path, name: str, limit: int | None = None) -> str:
    """The encoding that decodes the whole file (or its first `limit` bytes),
    read in blocks so a big file is never held whole: utf-8-sig or gb18030."""
    import codecs
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        seen = 0
        try:
            with open(path, "rb") as fh:
                while block := fh.read(min(_SCAN_BYTES, limit or _SCAN_BYTES)):
                    decoder.decode(block)
                    seen += len(block)
                    if limit is not None and seen >= limit:
                        break
                else:
                    decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{name}: not UTF-8 or GB18030/GBK text; save it as UTF-8 CSV")


def _encoding_name(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _csv_records(fh, name: str):
    """Records of a text CSV stream (delimiter from the first line) as
    (number, cells); a record the csv module cannot read is a ReadError naming it."""
    first = fh.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)  # process-wide; only ever raised, to this bound
    import itertools
    reader = csv.reader(itertools.chain([first], fh) if first else fh, delimiter=delimiter)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_no = number + 1  # the record that failed, counted as the file's rows are (header = 1)
            if "field larger than field limit" in str(exc):
                raise ReadError(f"{name}: row {row_no}: a field is longer than {MAX_FIELD_CHARS // 1024} KB "
                                "(the limit of one cell); fix or remove that row") from None
            raise ReadError(f"{name}: row {row_no}: not readable as CSV ({exc})") from None
        number += 1
        yield number, row


def iter_csv(path: Path, name: str, header_row: int = 1, chunk_rows: int | None = CHUNK_ROWS,
             encoding: str | None = None, max_rows: int | None = None):
    """Stream a CSV file as RawTable chunks of at most chunk_rows source rows
    (None: one chunk), each with the rows' own source numbers. Yields
    (raw, more): `more` tells whether further rows follow (the last chunk is
    the one a totals row may end). max_rows stops after that many data rows
    (a preview: `more` is then True if the file goes on)."""
    encoding = encoding or detect_encoding(path, name)
    with open(path, encoding=encoding, newline="") as fh:
        records = _csv_records(fh, name)
        header, seen = None, 0
        for number, row in records:
            seen = number
            if number == header_row:
                header = row
                break
        if header is None:
            raise ReadError(f"{name}: no header row {header_row} (the file has {seen} rows)")
        names, warnings = _header(name, header, header_row)
        enc = _encoding_name(encoding)
        pending: list = []
        first_number = header_row + 1
        limit = chunk_rows if chunk_rows else None
        taken = 0
        current = None
        for number, row in records:
            if max_rows is not None and taken >= max_rows:  # the head only: more rows follow
                if current is not None:
                    yield current, True
                yield _body(name, "csv", enc, names, warnings, pending, first_number), True
                return
            pending.append(row)
            taken += 1
            if limit is not None and len(pending) >= limit:
                if current is not None:
                    yield current, True
                current = _body(name, "csv", enc, names, warnings, pending, first_number)
                first_number += len(pending)
                pending = []
        if current is not None:
            tail = _body(name, "csv", enc, names, warnings, pending, first_number) if pending else None
            if tail is not None and len(tail.frame):
                yield current, True
                yield tail, False
            else:  # only blank lines after it: this chunk holds the file's last row
                yield current, False
        else:
            yield _body(name, "csv", enc, names, warnings, pending, first_number), False


def read_csv_bytes(data: bytes, name: str, header_row: int = 1) -> RawTable:
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        tmp.write(data)
        tmp.flush()
        return read_csv(Path(tmp.name), name, header_row)


def read_csv(path: Path, name: str, header_row: int = 1) -> RawTable:
    (raw, _more), = iter_csv(path, name, header_row, chunk_rows=None)
    return raw


def read_xlsx(path: Path, name: str, sheet=None, header_row: int = 1, max_rows: int | None = None) -> RawTable:
    """max_rows: stop after the header and that many rows plus one (a preview's head)."""
    import itertools
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet or 0]
        it = ws.iter_rows(values_only=True)
        if max_rows is not None:
            it = itertools.islice(it, header_row + max_rows + 1)
        rows = [list(r) for r in it]
    finally:
        wb.close()
    return _from_rows(name, "xlsx", None, rows, header_row)


def read_xls(path: Path, name: str, sheet=None, header_row: int = 1) -> RawTable:
    import xlrd
    book = xlrd.open_workbook(str(path))
    ws = book.sheet_by_name(sheet) if isinstance(sheet, str) else book.sheet_by_index(sheet or 0)
    rows = []
    for r in range(ws.nrows):
        row = []
        for c in range(ws.ncols):
            cell = ws.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                stamp = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                # A date cell under 1 day is a time of day only (16:12:27), not 1899-12-31.
                row.append(stamp.time() if 0 <= cell.value < 1 else stamp)
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                row.append(None)
            else:
                row.append(cell.value)
        rows.append(row)
    return _from_rows(name, "xls", None, rows, header_row)


def read_parquet(path: Path, name: str) -> RawTable:
    df = pd.read_parquet(path)
    header = [str(c) for c in df.columns]
    rows = [header] + df.astype(object).where(df.notna(), None).values.tolist()
    # Parquet has no header line: record 1 is the first data row.
    return _from_rows(name, "parquet", None, rows, header_row=0, first_row_number=0)


def iter_file(path: str | Path, name: str | None = None, sheet=None, header_row: int = 1,
              chunk_rows: int | None = CHUNK_ROWS, max_rows: int | None = None):
    """A file as (RawTable chunk, more) pairs: a CSV streamed in chunks of
    chunk_rows rows, any other format as one chunk (max_rows: only the head,
    for a preview). Errors as read_file raises them, when met."""
    path = Path(path)
    name = name or path.name
    if not path.exists():
        raise FileNotFoundError(f"{name}: file not found")
    fmt = detect_format(Path(name))
    if fmt != "csv":
        if fmt == "xlsx" and max_rows is not None:  # a preview: the sheet's head only
            try:
                raw = read_xlsx(path, name, sheet, header_row, max_rows)
            except (ReadError, FileNotFoundError):
                raise
            except Exception as exc:  # noqa: BLE001 - as read_file
                raise ReadError(f"{name}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
        else:
            raw = read_file(path, name, sheet, header_row)
        if max_rows is not None and len(raw.frame) > max_rows:
            yield RawTable(raw.name, raw.format, raw.encoding, raw.frame.head(max_rows),
                           raw.row_numbers[:max_rows], raw.warnings), True
        else:
            yield raw, False
        return
    try:
        encoding = detect_encoding(path, name, limit=HEAD_BYTES if max_rows is not None else None)
        yield from iter_csv(path, name, header_row, chunk_rows, encoding, max_rows)
    except (ReadError, FileNotFoundError):
        raise
    except UnicodeDecodeError:  # a preview's head decoded, a later block did not
        raise ReadError(f"{name}: not UTF-8 or GB18030/GBK text; save it as UTF-8 CSV") from None
    except Exception as exc:  # noqa: BLE001 - as read_file
        raise ReadError(f"{name}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None


def read_file(path: str | Path, name: str | None = None, sheet=None, header_row: int = 1) -> RawTable:
    path = Path(path)
    name = name or path.name
    if not path.exists():
        raise FileNotFoundError(f"{name}: file not found")
    fmt = detect_format(Path(name))
    try:
        if fmt == "csv":
            return read_csv(path, name, header_row)
        if fmt == "xlsx":
            return read_xlsx(path, name, sheet, header_row)
        if fmt == "xls":
            return read_xls(path, name, sheet, header_row)
        return read_parquet(path, name)
    except (ReadError, FileNotFoundError):
        raise
    except Exception as exc:  # a corrupt or mislabelled file: a problem naming it, never a traceback
        raise ReadError(f"{name}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
