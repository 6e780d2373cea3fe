"""Excel and CSV download buttons for the tables pages show: bytes built by the
pure writers in dashboard/export.py (cached per table content), every click
recorded in the audit log (dashboard.auth.audit.record_export)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ..export import to_csv, to_xlsx
from ..runtime.cache import EXPORTS
from .i18n import t


def record_download(username: str, what: str, fmt: str, rows: int, **detail) -> None:
    """The audit event of one download (best effort: an audit store that is
    unavailable must not break the page, but it is reported on stderr)."""
    from ..auth.audit import record_export
    try:
        record_export(username, what, rows, format=fmt, **detail)
    except Exception as exc:  # noqa: BLE001 - keep the download working, say why
        import sys
        print(f"audit: could not record export of {what}: {exc}", file=sys.stderr)


def _files(df: pd.DataFrame, headers: tuple, name: str, formats: tuple[str, ...], language: str) -> dict:
    """Export bytes by format, built once per table content (runtime.cache.EXPORTS):
    a rerun neither rebuilds the workbook nor hashes the table once per file."""
    def build() -> tuple[bytes, ...]:
        return tuple(to_xlsx(df, list(headers), sheet=name, language=language) if fmt == "xlsx"
                     else to_csv(df, list(headers)) for fmt in formats)
    return dict(zip(formats, EXPORTS.get(df, (headers, name, formats, language), build)))


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Larger workbooks are built only when asked for: a workbook costs ~50 ms to
# open and openpyxl writes ~4k rows/s, so a region's 150 stores and 1,500
# guides would cost every filter change ~0.5 s.
EAGER_XLSX_ROWS = 50
# A CSV is cheap per row but not free: HQ's 5,800 guides cost ~50–130 ms of
# pandas formatting on every filter change, so beyond this both files wait
# for one click.
EAGER_CSV_ROWS = 2000


def download_buttons(df: pd.DataFrame, headers: dict, name: str, username: str, detail: dict | None = None,
                     key: str | None = None, labels: tuple[str, str] = ("Excel", "CSV"),
                     language: str = "zh", prepare_label: str | None = None,
                     eager_rows: int | None = None) -> None:
    """Excel and CSV download buttons for a table a page shows (exactly its rows);
    each click is audited with the table's name, format, row count and the
    view's period and filters (`detail`). A large table's workbook is built
    after a first click on `prepare_label`, so the page never waits for it
    (larger: over `eager_rows` rows, EAGER_XLSX_ROWS unless the page says);
    a very large one's (over EAGER_CSV_ROWS) CSV too, after one click for both."""
    detail = {k: str(v) for k, v in (detail or {}).items()}
    header_list = tuple(str(headers.get(c, c)) for c in df.columns)
    key = key or name
    cols = st.columns(2)
    # Ready for this very table (its view and size), not for every later one.
    ready_key, table = f"_xlsx_ready_{key}", (tuple(sorted(detail.items())), len(df))
    ready = st.session_state.get(ready_key) == table
    if len(df) > EAGER_CSV_ROWS and not ready:
        with cols[0]:
            if st.button(t("lb.prepare_both"), key=f"prep_{key}", width="stretch"):
                st.session_state[ready_key] = table
                st.rerun()
        return
    workbook = len(df) <= (EAGER_XLSX_ROWS if eager_rows is None else eager_rows) or ready
    files = _files(df, header_list, name, ("xlsx", "csv") if workbook else ("csv",), language)
    with cols[0]:
        if not workbook:
            if st.button(prepare_label or t("lb.prepare_xlsx"), key=f"prep_{key}", width="stretch"):
                st.session_state[ready_key] = table
                st.rerun()
        else:
            st.download_button(
                labels[0], data=files["xlsx"], file_name=f"{name}.xlsx",
                mime=XLSX_MIME, key=f"dl_{key}_xlsx", on_click=record_download,
                args=(username, name, "xlsx", len(df)), kwargs=detail, width="stretch")
    with cols[1]:
        st.download_button(
            labels[1], data=files["csv"], file_name=f"{name}.csv",
            mime="text/csv", key=f"dl_{key}_csv", on_click=record_download,
            args=(username, name, "csv", len(df)), kwargs=detail, width="stretch")
