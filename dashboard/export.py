"""Table exports, pure writers: Excel (.xlsx, the user's-language headers, real
numbers with number formats) and CSV (UTF-8 with a BOM so Excel on Windows
reads Chinese). The Streamlit download buttons (cached bytes, audit of every
click) are in dashboard/ui/downloads.py.

Exports hold exactly the rows a page shows — the metric's rows, which the scope
already narrowed where they were read.

Text from data is never a formula (a store named `=HYPERLINK(...)` or
`@SUM(...)`): in .xlsx every text cell is written with the string type (never
type f), and in CSV a text value beginning with = + - @ tab or CR gets a
leading apostrophe (OWASP, "CSV Injection"). Numbers stay numbers: a negative
number is not text and is written as it is.
"""
from __future__ import annotations

import io
import math
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .columns import kind_of

MONEY = "#,##0.00"
INTEGER = "0"
RATE = "0.0%"
RANK_CHANGE = '"↑"0;"↓"0;"—"'
DAY = "yyyy-mm-dd"

NUMBER = "#,##0.00"
DATETIME = "yyyy-mm-dd hh:mm"
# The Excel number format of each declared column kind (dashboard/columns.py).
FORMAT_BY_KIND = {"money": MONEY, "rate": RATE, "growth": RATE, "count": INTEGER, "rank": INTEGER,
                  "rank_change": RANK_CHANGE, "number": NUMBER, "date": DAY, "datetime": DATETIME}
NEW_ENTRY = {"zh": "新", "en": "New"}


def number_format(column: str, dtype) -> str | None:
    """From the column's declared kind; an undeclared column by its dtype."""
    kind = kind_of(column, default="")
    if kind:
        return FORMAT_BY_KIND.get(kind)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DAY
    if pd.api.types.is_integer_dtype(dtype):
        return INTEGER
    if pd.api.types.is_float_dtype(dtype):
        return NUMBER
    return None


def _cell(value):
    """A plain Python value for openpyxl: None for undefined, dates as dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str):
        # Characters XML cannot hold (NUL, other control characters) would make
        # openpyxl refuse the whole workbook: they become U+FFFD.
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(cell) -> None:
    """A text value stays text: openpyxl marks any str starting with '=' as a
    formula (type f); force the string type."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def csv_safe(value):
    """OWASP's rule for CSV: a text value beginning with = + - @ tab or CR is
    prefixed with an apostrophe, so a spreadsheet never evaluates it. Anything
    that is not text (numbers, dates, empty) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _headers(df: pd.DataFrame, headers) -> list[str]:
    if headers is None:
        return [str(c) for c in df.columns]
    if isinstance(headers, dict):
        return [str(headers.get(c, c)) for c in df.columns]
    headers = list(headers)
    if len(headers) != len(df.columns):
        raise ValueError(f"{len(headers)} headers for {len(df.columns)} columns")
    return [str(h) for h in headers]


def to_xlsx(df: pd.DataFrame, headers=None, sheet: str = "Sheet1", language: str = "zh") -> bytes:
    """One sheet: a bold header row (labels from `headers`, a column → label dict
    or a list), then the rows with number formats by column (money #,##0.00,
    rates 0.0%, ranks as integers, rank changes ↑3 / ↓2 / —, a new entry 新).
    About 4,000 rows a second (openpyxl without lxml)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    labels = _headers(df, headers)
    ws.append([_cell(h) for h in labels])
    for cell in ws[1]:
        _text_cell(cell)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center")
    rank_cols = [kind_of(c) == "rank_change" for c in df.columns]
    new_text = NEW_ENTRY.get(language, NEW_ENTRY["zh"])
    for row in df.itertuples(index=False):
        ws.append([new_text if v is None and is_rank else v
                   for v, is_rank in zip(map(_cell, row), rank_cols)])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            _text_cell(cell)
    for idx, col in enumerate(df.columns, start=1):
        fmt = number_format(str(col), df[col].dtype)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                if isinstance(cell.value, (int, float, date, datetime)) and not isinstance(cell.value, bool):
                    cell.number_format = fmt
        width = max([_width(labels[idx - 1])] + [_width(v) for v in df.iloc[:200, idx - 1].tolist()])
        ws.column_dimensions[get_column_letter(idx)].width = min(max(width + 2, 8), 40)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters are double width


def to_csv(df: pd.DataFrame, headers=None) -> bytes:
    """CSV with the given headers, plain numbers, empty where undefined, and a
    UTF-8 BOM (utf-8-sig) so Excel opens Chinese text correctly. Text cells
    that a spreadsheet would read as a formula are defused (csv_safe)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(csv_safe).astype(object)
    out.columns = [csv_safe(h) for h in _headers(df, headers)]
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
