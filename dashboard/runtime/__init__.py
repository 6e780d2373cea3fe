"""The Streamlit side of the data layer, one module per job:

- `database`: the process's one handle on the published file, and the version
  pinned for the current rerun (every panel of one rerun reads one version).
- `demo_build`: the demo dataset's build thread on first start.
- `view`: the signed-in user's current view and the page the frame runs.
- `cache`: metric results (bounded by size, entries and age) and filter
  options (plain values for the filter bar), keyed by version, scope, filters.

`dashboard.app_context` re-exports what pages and the frame use."""
