import pytest


@pytest.fixture(autouse=True)
def ops_db(tmp_path, monkeypatch):
    """Load history goes to a private ops database per test."""
    path = tmp_path / "ops.sqlite"
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(path))
    return path
