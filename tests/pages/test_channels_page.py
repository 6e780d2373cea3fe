"""The channels page (渠道ROI) through AppTest on the demo data: HQ sees spend,
cost and ROI, the scatter and the cohorts, with the table's numbers equal to
channel-roi-windows; a regional manager (and HQ with a region filter) sees the
fans and GMV of their members without spend, cost or ROI, and the note why."""
from datetime import timedelta

from app_kit import signed_in
from dashboard.metrics import METRICS, MetricArgs, latest_complete_day
from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import Filters, Scope
from dashboard.store import Database


def rows_for(db, period, as_of, scope=Scope.everything(), filters=Filters()):
    reader = Reader(Database(db), scope, filters)
    return METRICS["channel-roi-windows"](reader, MetricArgs(period, as_of))


def open_page(user, query):
    at = signed_in(user, query)
    at.switch_page("pages/channels.py").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []
    return at


def test_hq_sees_spend_cost_roi_scatter_and_cohorts(page_env):
    at = open_page("hq", {"preset": "last30"})
    as_of = latest_complete_day(Reader(Database(page_env), Scope.everything()))
    period = Period(as_of - timedelta(days=29), as_of)
    assert [s.value for s in at.subheader][:3] == ["各渠道获客与回报", "单粉成本 vs 单粉贡献", "月度粉丝队列：累计单粉贡献"]
    assert not any("投放花费由总部统一采买" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert list(table.columns[:6]) == ["渠道", "投放花费", "新增粉丝", "沉淀粉丝", "单粉成本", "单沉淀粉成本"]
    assert "ROI·30天" in table.columns and "粉丝GMV·90天" in table.columns and "单粉贡献·7天" in table.columns
    want = rows_for(page_env, period, as_of)
    w30 = want[want.window_days == 30].set_index("channel_name")
    shown = table.set_index("渠道")
    assert sorted(shown.index) == sorted(w30.index)
    # the table holds the metric's numbers (the cells only format them)
    for name, r in w30.iterrows():
        assert shown.loc[name, "新增粉丝"] == r.new_fans
        assert shown.loc[name, "投放花费"] == r.spend
        assert shown.loc[name, "粉丝GMV·30天"] == r.gmv
        w7 = want[(want.window_days == 7) & (want.channel_name == name)].iloc[0]
        assert shown.loc[name, "粉丝GMV·7天"] == w7.gmv
    # a period ending on the as-of day: the 30-day windows still run, and the note says so
    assert any("窗口没有走完" in i.value for i in at.info)
    # rows with complete windows never sit below running ones (no ranking across them)
    # (channels without new fans come last whatever their flag)
    with_fans = table[table["新增粉丝"] > 0]
    complete = list(with_fans["窗口已满·30天"].astype(bool))
    assert complete == sorted(complete, reverse=True)
    assert list(table["新增粉丝"] > 0) == sorted(table["新增粉丝"] > 0, reverse=True)
    assert len(at.get("plotly_chart")) == 2
    assert at.selectbox(key="ch_cohort_month").options


def test_a_complete_period_ranks_by_roi(page_env):
    as_of = latest_complete_day(Reader(Database(page_env), Scope.everything()))
    start, end = as_of - timedelta(days=120), as_of - timedelta(days=91)
    at = open_page("hq", {"preset": "custom", "start": str(start), "end": str(end)})
    table = at.dataframe[0].value
    assert table["窗口已满·30天"].astype(bool).all()
    assert any("均已走完" in c.value for c in at.caption)
    with_fans = table[table["新增粉丝"] > 0]
    roi = with_fans["ROI·30天"].fillna(-1).tolist()
    assert roi == sorted(roi, reverse=True)
    # the cohorts of that period have elapsed cells
    assert at.selectbox(key="ch_cohort_month").value


def test_regional_manager_sees_fans_and_gmv_without_spend(page_env):
    at = open_page("east", {"preset": "last30"})
    assert any("投放花费由总部统一采买" in i.value for i in at.info)
    table = at.dataframe[0].value
    for hidden in ("投放花费", "单粉成本", "单沉淀粉成本", "ROI·30天"):
        assert hidden not in table.columns
    assert "单粉成本 vs 单粉贡献" not in [s.value for s in at.subheader]
    assert len(at.get("plotly_chart")) == 1  # the cohort curves only
    as_of = latest_complete_day(Reader(Database(page_env), Scope.everything()))
    want = rows_for(page_env, Period(as_of - timedelta(days=29), as_of), as_of, Scope.of(regions=["华东"]))
    w30 = want[want.window_days == 30]
    assert w30.spend.isna().all()
    shown = table.set_index("渠道")
    for r in w30.itertuples():
        assert shown.loc[r.channel_name, "新增粉丝"] == r.new_fans
        assert shown.loc[r.channel_name, "粉丝GMV·30天"] == r.gmv
    everyone = rows_for(page_env, Period(as_of - timedelta(days=29), as_of), as_of)
    assert w30.new_fans.sum() < everyone[everyone.window_days == 30].new_fans.sum()


def test_hq_with_a_region_filter_loses_spend_too(page_env):
    at = open_page("hq", {"preset": "last30", "region": "华南"})
    assert any("投放花费由总部统一采买" in i.value for i in at.info)
    assert "投放花费" not in at.dataframe[0].value.columns


def test_english(page_env):
    from dashboard.ui.i18n import set_language
    at = signed_in("hq", {"preset": "last30", "lang": "en"})
    set_language("en")  # AppTest re-applies format_func in this thread (see test_overview_page)
    try:
        at.switch_page("pages/channels.py").run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Channel ROI"]
        columns = list(at.dataframe[0].value.columns)
        assert columns[:3] == ["Channel", "Spend", "New fans"] and "Revenue per fan 90d" in columns
    finally:
        set_language("zh")
