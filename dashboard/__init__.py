"""导购私域经营看板: the dashboard's data, metrics and display layers (no Streamlit in
the metric and data layers, so the CLI and tests use the same code as the pages)."""
