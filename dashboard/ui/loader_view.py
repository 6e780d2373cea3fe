"""Drawing helpers for the admin loading page: the per-file preview, a load's
result with its problems, and the load history. Values come from dashboard.loader.
File names, header names and cell values are data: shown through plain.md()
wherever Streamlit would read markdown, in tables otherwise."""
from __future__ import annotations

import streamlit as st

from .. import loader
from .i18n import language, t
from .plain import md


def preview(paths, mappings) -> None:
    """The mapping of each staged file over its head only (loader.preview reads
    the first rows, not the file): "1000+ rows" when the file goes on."""
    st.subheader(t("loader.preview"))
    for item in loader.preview(paths, mappings, rows=10):
        enc = f", {item['encoding']}" if item["encoding"] else ""
        with st.expander(t("loader.preview_file", file=md(item["file"]), table=md(item["table"]),
                           format=md(item["format"]), encoding=md(enc),
                           rows=f"{item['rows']}+" if item.get("more") else item["rows"],
                           mapping=md(item["mapping"]) if item["mapping"] else "—"), expanded=False):
            for message in item["problems"]:
                st.error(md(message))
            for w in item["warnings"]:
                st.warning(md(w))
            if item["sources"]:
                st.dataframe({t("loader.column"): list(item["sources"]), t("loader.source"): list(item["sources"].values())},
                             hide_index=True)
            st.dataframe(item["head"], hide_index=True, width="stretch")


def show_result(result) -> None:
    reason_col = "reason_zh" if language() == "zh" else "reason_en"
    st.subheader(t("loader.result"))
    c = st.columns(4)
    done = result.status == "published"
    c[0].metric(t("loader.rows_loaded_done" if done else "loader.rows_loaded"), result.rows_loaded)
    c[1].metric(t("loader.rows_rejected"), result.rows_rejected)
    c[2].metric(t("loader.rows_excluded"), result.rows_excluded)
    c[3].metric(t("loader.duration"), round(result.duration_s, 2))
    (st.success if result.status in ("published", "checked") else st.error)(
        t(f"loader.status.{result.status}", message=md(result.message)))
    st.dataframe(result.files_frame(), hide_index=True, width="stretch")
    for w in result.warnings:
        st.warning(md(w))
    problems = result.problems_frame()
    if problems.empty:
        st.info(t("loader.no_problems"))
    else:
        st.markdown(f"**{t('loader.problems')}**")
        problems["kind"] = problems["kind"].map(lambda k: t(f"loader.kind.{k}"))
        st.dataframe(problems[["file", "row", "column", "value", reason_col, "kind"]].rename(columns={
            "file": t("loader.col.file"), "row": t("loader.col.row"), "column": t("loader.col.column"),
            "value": t("loader.col.value"), reason_col: t("loader.col.reason"), "kind": t("loader.col.kind")}),
            hide_index=True, width="stretch")
    if result.report_dir:
        st.caption(t("loader.report", path=md(result.report_dir)))


def history() -> None:
    st.subheader(t("loader.history"))
    rows = loader.load_history(limit=200)
    if rows.empty:
        st.info(t("loader.history_empty"))
    else:
        cols = ["started_at", "username", "files", "rows_loaded", "rows_rejected", "status", "duration_s", "message"]
        st.dataframe(rows[cols].rename(columns={c: t(f"loader.col.{c}") for c in cols}),
                     hide_index=True, width="stretch")


TARGET_TEMPLATE_HEADERS = ("月份", "层级", "门店编号/导购编号", "销售目标", "微商城目标")


def target_template_xlsx(month: str = "2026-12") -> bytes:
    """The monthly target plan sheet (data/mappings/target_plan_sheet.yaml reads it):
    its headers and two example rows, as .xlsx bytes."""
    import io

    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目标"
    ws.append(list(TARGET_TEMPLATE_HEADERS))
    ws.append([month, "门店", "S0001", 500000, 150000])
    ws.append([month, "导购", "G00001", 60000, None])
    for col, width in zip("ABCDE", (10, 8, 20, 12, 12)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def target_template() -> None:
    """Download button for the target plan template (load it with the mapping target_plan_sheet.yaml)."""
    st.download_button(t("ld.target_template"), target_template_xlsx(), file_name="target_plan_template.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       help=t("ld.target_template_help"), key="loader_target_template")
