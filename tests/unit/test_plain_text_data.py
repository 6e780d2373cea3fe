"""Data values (store, region, brand, guide names, file header names) render as
plain text: escaped in Plotly ticks and hover, escaped for markdown in the
admin preview's messages. Names carry markdown, KaTeX and HTML."""
import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import loader
from dashboard.app_context import View
from dashboard.period import Period
from dashboard.scope import Filters, Scope
from dashboard.ui.components import bar_by_category
from dashboard.ui.leaderboard_view import pareto_figure

ROOT = Path(__file__).resolve().parents[2]
EVIL = ["[x](http://e)", "![i](http://e/i.png)", "$x^2$", '<a href="http://e">link</a>', ":red[x]", "**b**",
        "<b>bold</b><br>line", "A&B"]


def _unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _is_plain_markdown(source: str) -> bool:
    """Every markdown-special ASCII character in `source` is backslash-escaped."""
    unescaped = re.sub(r"\\.", "", source)
    return not re.search(r"[\[\]()!$*_:<>`#&|~]", unescaped)


def test_category_bars_escape_names_in_ticks_and_hover():
    df = pd.DataFrame({"region": EVIL, "pos_sales": [1.0] * len(EVIL), "wemall_sales": [2.0] * len(EVIL)})
    fig = bar_by_category(df, "region")
    spec = json.loads(fig.to_json())
    for trace in spec["data"]:
        assert trace["x"] == [
            "[x](http://e)", "![i](http://e/i.png)", "$x^2$", "&lt;a href=&quot;http://e&quot;&gt;link&lt;/a&gt;",
            ":red[x]", "**b**", "&lt;b&gt;bold&lt;/b&gt;&lt;br&gt;line", "A&amp;B"]
        assert all("<" not in str(c) for pair in trace["customdata"] for c in pair)
    assert "<a href" not in fig.to_json()


def test_pareto_hover_escapes_guide_names():
    curve = pd.DataFrame({"guide_share": [0.5, 1.0], "wemall_share": [0.7, 1.0],
                          "guide_name": ['<a href="http://e">g</a>', "<img src=x>"]})
    fig = pareto_figure(curve)
    assert list(fig.data[0].customdata) == ["&lt;a href=&quot;http://e&quot;&gt;g&lt;/a&gt;", "&lt;img src=x&gt;"]


def test_admin_preview_shows_header_names_and_file_names_literally(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "live.duckdb"))
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(tmp_path / "ops.sqlite"))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow("store_id,store_name,brand,region,province,city,opened_on,open_time,close_time".split(",") + EVIL)
    w.writerow("S1,一店,B1,华东,上海,上海,2020-01-01,10:00,22:00".split(",") + ["x"] * len(EVIL))
    staged = loader.stage_uploads([("stores.csv", buf.getvalue().encode()),
                                   ("[x](http:e)$y$.csv", b"a\n1\n")], tmp_path / "up")
    at = AppTest.from_file(str(ROOT / "pages" / "admin_load.py"), default_timeout=60)
    at.session_state["_view"] = View("boss", "admin", Scope.everything(), Filters(),
                                     Period(date(2024, 5, 1), date(2024, 5, 1)), date(2024, 5, 1), "yesterday")
    at.session_state["loader_upload_key"] = ()
    at.session_state["loader_paths"] = staged
    at.run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    ignored = [w for w in warnings if "columns ignored" in _unescape_md(w)]
    assert len(ignored) == 1 and all(_is_plain_markdown(w) for w in warnings), warnings
    assert _unescape_md(ignored[0]) == "stores.csv: columns ignored (not in the contract for stores): " + ", ".join(EVIL)
    labels = [e.label for e in at.expander]
    assert all(_is_plain_markdown(label.split(" → ")[0]) for label in labels), labels
    assert _unescape_md(labels[1]).startswith("[x](http:e)$y$.csv → ?")
    errors = [e.value for e in at.error]
    assert errors and all(_is_plain_markdown(e) for e in errors), errors
