"""Issue 14's "done means": a metric with a money and a rate column, registered
here and nowhere else (no edit outside its own module and its messages), shows
both formatted on screen and in Excel, from its declaration alone. And the
concentration's "top 10%" is a declared column the page text and chart read."""
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from dashboard.columns import DECLARED
from dashboard.export import MONEY, RATE, to_xlsx
from dashboard.metrics import METRICS, MetricArgs
from dashboard.metrics.base import metric
from dashboard.period import Period
from dashboard.ui import leaderboard_view as lv
from dashboard.ui.i18n import CATALOG

NAME = "test-only-spend"
COLS = ["tst_channel", "tst_spend", "tst_hit_rate"]


@pytest.fixture
def test_metric(monkeypatch):
    # "Its messages": the labels of its columns.
    monkeypatch.setitem(CATALOG, "col.tst_channel", ("渠道", "Channel"))
    monkeypatch.setitem(CATALOG, "col.tst_spend", ("投放金额", "Spend"))
    monkeypatch.setitem(CATALOG, "col.tst_hit_rate", ("命中率", "Hit rate"))

    @metric(NAME, ["tst_channel", "tst_spend:money", "tst_hit_rate:rate"], grain="one row per channel")
    def spend(reader, args):
        return pd.DataFrame({"tst_channel": ["朋友圈", "社群"], "tst_spend": [123456.0, 800.0],
                             "tst_hit_rate": [0.1234, 0.5]})
    yield METRICS[NAME]
    METRICS.pop(NAME)
    for c in COLS:
        DECLARED.pop(c)


def test_money_and_rate_are_formatted_on_screen(test_metric):
    df = test_metric(None, MetricArgs(Period(date(2026, 3, 1), date(2026, 3, 1)), date(2026, 3, 1)))
    shown = lv.display_frame(df, COLS)
    assert list(shown.columns) == ["渠道", "投放金额", "命中率"]
    assert shown["投放金额"].tolist() == ["¥12.3万", "¥800"]
    assert shown["命中率"].tolist() == ["12.3%", "50.0%"]


def test_money_and_rate_are_formatted_in_excel(test_metric):
    df = test_metric(None, MetricArgs(Period(date(2026, 3, 1), date(2026, 3, 1)), date(2026, 3, 1)))
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(df[COLS], lv.headers(COLS)))).active
    assert [c.value for c in ws[1]] == ["渠道", "投放金额", "命中率"]
    assert ws["B2"].value == 123456.0 and ws["B2"].number_format == MONEY
    assert ws["C2"].value == pytest.approx(0.1234) and ws["C2"].number_format == RATE


def test_top_share_is_declared_and_drawn():
    assert "top_share" in METRICS["guide-concentration"].columns and DECLARED["top_share"].kind == "rate"
    c = pd.Series({"top_share": 0.1, "top_guides": 1, "guides": 4, "concentration": 5 / 6})
    assert lv.concentration_text(c) == "前 10.0% 的导购（1 / 4 人）贡献了 83.3% 的微商城销售额"
    curve = pd.DataFrame({"guide_share": [0, 1], "wemall_share": [0, 1], "guide_name": [None, "甲"]})
    fig = lv.pareto_figure(curve, 0.25)
    assert [s["x0"] for s in fig.layout.shapes] == [0.25]


def test_the_house_style_set_directly_equals_update_layout():
    """components.style_figure / show_chart set layout properties one by one
    (update_layout is slow); the figure's layout is the one update_layout gives."""
    import plotly.graph_objects as go
    from dashboard.ui import components
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    components.style_figure(fig, height=280)
    components.set_layout(fig, modebar=components.MODEBAR)
    expected = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    expected.update_layout(height=280, modebar=components.MODEBAR, **components.HOUSE_LAYOUT)
    assert fig.to_dict()["layout"] == expected.to_dict()["layout"]
    assert fig.layout.margin.t == 28 and fig.layout.legend.orientation == "h"
