"""Table exports: Excel (.xlsx, the user's-language headers, real numbers with
number formats) and CSV (UTF-8 with a BOM so Excel on Windows reads Chinese).

Exports hold exactly the rows a page shows — the metric's rows, which the scope
already narrowed where they were read — and every download is recorded in the
audit log (dashboard.auth.audit.record_export).
"""
from __future__ import annotations

import io
import math
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
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
    ws.append(labels)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center")
    rank_cols = [kind_of(c) == "rank_change" for c in df.columns]
    new_text = NEW_ENTRY.get(language, NEW_ENTRY["zh"])
    for row in df.itertuples(index=False):
        ws.append([new_text if v is None and is_rank else v
                   for v, is_rank in zip(map(_cell, row), rank_cols)])
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
    UTF-8 BOM (utf-8-sig) so Excel opens Chinese text correctly."""
    out = df.copy()
    out.columns = _headers(df, headers)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def record_download(username: str, what: str, fmt: str, rows: int, **detail) -> None:
    """The audit event of one download (best effort: an audit store that is
    unavailable must not break the page, but it is reported on stderr)."""
    from .auth.audit import record_export
    try:
        record_export(username, what, rows, format=fmt, **detail)
    except Exception as exc:  # noqa: BLE001 - keep the download working, say why
        import sys
        print(f"audit: could not record export of {what}: {exc}", file=sys.stderr)


_cached_bytes = None


def _bytes(df: pd.DataFrame, headers: tuple, name: str, fmt: str, language: str) -> bytes:
    """Export bytes, cached per table content so a rerun does not rebuild the workbook."""
    global _cached_bytes
    if _cached_bytes is None:
        import streamlit as st

        @st.cache_data(max_entries=64, show_spinner=False)
        def build(df: pd.DataFrame, headers: tuple, name: str, fmt: str, language: str) -> bytes:
            if fmt == "xlsx":
                return to_xlsx(df, list(headers), sheet=name, language=language)
            return to_csv(df, list(headers))
        _cached_bytes = build
    return _cached_bytes(df, headers, name, fmt, language)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


EAGER_XLSX_ROWS = 3000  # larger workbooks are built only when asked for (openpyxl: ~4k rows/s)


def download_buttons(df: pd.DataFrame, headers: dict, name: str, username: str, detail: dict | None = None,
                     key: str | None = None, labels: tuple[str, str] = ("Excel", "CSV"),
                     language: str = "zh", prepare_label: str | None = None) -> None:
    """Excel and CSV download buttons for a table a page shows (exactly its rows);
    each click is audited with the table's name, format, row count and the
    view's period and filters (`detail`). A large table's workbook is built
    after a first click on `prepare_label`, so the page never waits for it."""
    import streamlit as st
    detail = {k: str(v) for k, v in (detail or {}).items()}
    header_list = tuple(str(headers.get(c, c)) for c in df.columns)
    key = key or name
    cols = st.columns(2)
    with cols[0]:
        ready_key = f"_xlsx_ready_{key}"
        if len(df) > EAGER_XLSX_ROWS and not st.session_state.get(ready_key):
            if st.button(prepare_label or labels[0], key=f"prep_{key}", width="stretch"):
                st.session_state[ready_key] = True
                st.rerun()
        else:
            st.download_button(
                labels[0], data=_bytes(df, header_list, name, "xlsx", language), file_name=f"{name}.xlsx",
                mime=XLSX_MIME, key=f"dl_{key}_xlsx", on_click=record_download,
                args=(username, name, "xlsx", len(df)), kwargs=detail, width="stretch")
    with cols[1]:
        st.download_button(
            labels[1], data=_bytes(df, header_list, name, "csv", language), file_name=f"{name}.csv",
            mime="text/csv", key=f"dl_{key}_csv", on_click=record_download,
            args=(username, name, "csv", len(df)), kwargs=detail, width="stretch")
