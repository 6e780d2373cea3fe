"""Data loading (admins only): upload exports, preview the mapping, validate, publish; load history."""
from dashboard.app_context import require_role

require_role("admin")

import streamlit as st  # noqa: E402

from dashboard import config, loader  # noqa: E402
from dashboard.app_context import current_view  # noqa: E402
from dashboard.ui.i18n import language, t  # noqa: E402

st.title(t("loader.title"))
st.caption(t("loader.caption"))

uploads = st.file_uploader(t("loader.upload"), accept_multiple_files=True, help=t("loader.upload_help"),
                           type=["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "parquet"], key="loader_files")
mappings = st.multiselect(t("loader.mapping"), loader.available_mappings(), format_func=lambda p: p.name,
                          placeholder=t("loader.mapping_none"), key="loader_mappings")
strict = st.checkbox(t("loader.strict"), key="loader_strict")

# Save each set of uploads once per session; a new selection resets the last validation.
upload_key = tuple((f.name, f.size, f.file_id) for f in uploads or [])
if st.session_state.get("loader_upload_key") != upload_key:
    loader.discard_uploads(st.session_state.get("loader_paths", []))
    st.session_state["loader_paths"] = loader.stage_uploads((f.name, f.getvalue()) for f in uploads or [])
    st.session_state["loader_upload_key"] = upload_key
    st.session_state.pop("loader_result", None)
paths = st.session_state["loader_paths"]
reason_col = "reason_zh" if language() == "zh" else "reason_en"


def show_result(result) -> None:
    st.subheader(t("loader.result"))
    c = st.columns(4)
    done = result.status == "published"
    c[0].metric(t("loader.rows_loaded_done" if done else "loader.rows_loaded"), result.rows_loaded)
    c[1].metric(t("loader.rows_rejected"), result.rows_rejected)
    c[2].metric(t("loader.rows_excluded"), result.rows_excluded)
    c[3].metric(t("loader.duration"), round(result.duration_s, 2))
    (st.success if result.status in ("published", "checked") else st.error)(
        t(f"loader.status.{result.status}", message=result.message))
    st.dataframe(result.files_frame(), hide_index=True, width="stretch")
    for w in result.warnings:
        st.warning(w)
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
        st.caption(t("loader.report", path=str(result.report_dir)))


if paths:
    st.subheader(t("loader.preview"))
    for item in loader.preview(paths, mappings, rows=10):
        enc = f", {item['encoding']}" if item["encoding"] else ""
        with st.expander(t("loader.preview_file", file=item["file"], table=item["table"], format=item["format"],
                           encoding=enc, rows=item["rows"], mapping=item["mapping"] or "—"), expanded=False):
            for message in item["problems"]:
                st.error(message)
            for w in item["warnings"]:
                st.warning(w)
            if item["sources"]:
                st.dataframe({t("loader.column"): list(item["sources"]), t("loader.source"): list(item["sources"].values())},
                             hide_index=True)
            st.dataframe(item["head"], hide_index=True, width="stretch")

    left, right = st.columns(2)
    if left.button(t("loader.validate"), key="loader_validate"):
        bar = st.progress(0.0, text=t("loader.validating"))
        st.session_state["loader_result"] = loader.check(
            paths, config.db_path(), mappings, progress=lambda f, text: bar.progress(min(max(f, 0.0), 1.0), text=text))
    checked = st.session_state.get("loader_result")
    if right.button(t("loader.publish"), key="loader_publish", type="primary", disabled=checked is None):
        bar = st.progress(0.0, text=t("loader.publishing"))
        st.session_state["loader_result"] = loader.load(
            paths, config.db_path(), mappings, strict=strict, user=current_view().username,
            progress=lambda f, text: bar.progress(min(max(f, 0.0), 1.0), text=text))
    if st.session_state.get("loader_result") is not None:
        show_result(st.session_state["loader_result"])
    else:
        st.info(t("loader.validate_first"))

st.subheader(t("loader.history"))
history = loader.load_history(limit=200)
if history.empty:
    st.info(t("loader.history_empty"))
else:
    cols = ["started_at", "username", "files", "rows_loaded", "rows_rejected", "status", "duration_s", "message"]
    st.dataframe(history[cols].rename(columns={c: t(f"loader.col.{c}") for c in cols}),
                 hide_index=True, width="stretch")
