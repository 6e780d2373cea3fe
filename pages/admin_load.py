"""Data loading (admins only): upload exports, preview the mapping, validate, publish; load history."""
import streamlit as st

from dashboard import config, loader
from dashboard.app_context import current_view
from dashboard.ui import loader_view
from dashboard.ui.i18n import t

current_view()  # only inside the frame, which admits admins alone (frame.PAGES)

st.title(t("loader.title"))
st.caption(t("loader.caption"))
loader_view.target_template()

uploads = st.file_uploader(t("loader.upload"), accept_multiple_files=True, help=t("loader.upload_help"),
                           type=["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "parquet"], key="loader_files")
mappings = st.multiselect(t("loader.mapping"), loader.available_mappings(), format_func=lambda p: p.name,
                          placeholder=t("loader.mapping_none"), key="loader_mappings")
strict = st.checkbox(t("loader.strict"), key="loader_strict")

# Save each set of uploads once per session; a new selection resets the last validation.
# The staged folder goes after a publish, when the session ends, or after a day (loader.stage_uploads).
upload_key = tuple((f.name, f.size, f.file_id) for f in uploads or [])
if st.session_state.get("loader_upload_key") != upload_key:
    loader.discard_uploads(st.session_state.get("loader_paths", []))
    st.session_state["loader_paths"] = loader.stage_uploads((f.name, f) for f in uploads or [])
    st.session_state["loader_upload_key"] = upload_key
    st.session_state.pop("loader_result", None)
paths = st.session_state["loader_paths"]
if paths:
    loader_view.preview(paths, mappings)
    left, right = st.columns(2)
    if left.button(t("loader.validate"), key="loader_validate"):
        bar = st.progress(0.0, text=t("loader.validating"))
        st.session_state["loader_result"] = loader.check(
            paths, config.db_path(), mappings, progress=lambda f, text: bar.progress(min(max(f, 0.0), 1.0), text=text))
    checked = st.session_state.get("loader_result")
    if right.button(t("loader.publish"), key="loader_publish", type="primary", disabled=checked is None):
        bar = st.progress(0.0, text=t("loader.publishing"))
        result = loader.load(paths, config.db_path(), mappings, strict=strict, user=current_view().username,
                             progress=lambda f, text: bar.progress(min(max(f, 0.0), 1.0), text=text))
        st.session_state["loader_result"] = result
        if result.status == "published":  # done with these files: remove them now
            loader.discard_uploads(paths)
            st.session_state["loader_paths"] = paths = []
    if st.session_state.get("loader_result") is None:
        st.info(t("loader.validate_first"))
if st.session_state.get("loader_result") is not None:
    loader_view.show_result(st.session_state["loader_result"])

loader_view.history()
