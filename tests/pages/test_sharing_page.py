"""The sharing page (分享率) and the morning check's share additions through the
real app frame (AppTest, real login, the small demo database), as hq and as
the east region manager: the numbers shown are the metrics' numbers for the
user's scope, the drill-down and the picked quadrant live in the URL, a URL
can't widen the scope, and the thresholds in force are shown (and used)."""
import re
from datetime import date

import pytest

from app_kit import signed_in
from dashboard import settings
from dashboard.metrics import METRICS, MetricArgs, resolved_options
from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import Filters, Scope
from dashboard.store import Database
from dashboard.ui import format as fmt
from dashboard.ui import sharing_view


def open_sharing(user, **query):
    at = signed_in(user, {"preset": "last30", **query})
    at.switch_page("pages/sharing.py")
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["分享率"]
    return at


def period_of(at) -> Period:
    start, end = [date.fromisoformat(s.strip()) for s in at.caption[0].value.split("至")]
    return Period(start, end)


def metric(db, name, period, scope=Scope.everything(), filters=Filters(), **options):
    m = METRICS[name]
    opts = resolved_options(m, options, settings.current())
    return m(Reader(Database(db), scope, filters), MetricArgs(period, period.end, opts))


def card(at, test_id):
    for m in at.markdown:
        found = re.search(rf'data-sh="{test_id}".*?class="kpi-value">([^<]+)<', str(m.value), re.S)
        if found:
            return found.group(1)
    raise AssertionError(f"no card {test_id}")


def table_with(at, column):
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_hq_sees_every_region_and_the_totals_of_the_metric(page_env):
    at = open_sharing("hq")
    period = period_of(at)
    captions = " ".join(c.value for c in at.caption)
    assert "达标分享次数 k（每天） 3" in captions and "目标分享率 80.0%" in captions
    total = metric(page_env, "share-rate", period, level="total").iloc[0]
    assert card(at, "share_rate") == fmt.pct(total.share_rate)
    assert card(at, "shares") == fmt.count(total.shares)
    regions = metric(page_env, "share-rate", period, level="region")
    shown = table_with(at, "大区")[0]
    assert list(shown["大区"]) == list(regions.region) and len(regions) > 1
    subheaders = [s.value for s in at.subheader]
    for title in ("导购诊断：分享率 × 微商城销售额", "每日分享率与目标", "导购每日达标热力图",
                  "分享漏斗：分享 → 访问 → 下单", "微商城销售来源"):
        assert title in subheaders


def test_picking_a_quadrant_lists_its_guides_and_keeps_it_in_the_url(page_env):
    at = open_sharing("hq")
    period = period_of(at)
    guides = metric(page_env, "share-rate", period, level="guide")
    counts = guides.diagnosis.value_counts()
    label = counts.index[0]                      # the biggest quadrant of the period
    key = {"标杆": "benchmark", "方法问题": "method", "积极性问题-高销售": "motivation_high",
           "积极性问题-低销售": "motivation_low"}[label]
    at.radio(key=sharing_view.quadrant_key(None)).set_value(key).run()
    assert not at.exception, at.exception
    assert at.query_params["sh_q"] == [key]
    want = sorted(guides[guides.diagnosis == label].guide_id)
    assert any(m.value == f"**{label.replace('-', chr(92) + '-')}：{len(want)} 名导购**" for m in at.markdown)
    listed = table_with(at, "导购编号")[-1]
    assert set(listed["诊断"]) == {label} and sorted(listed["导购编号"]) == want
    # The same link opened afresh shows the same list.
    again = open_sharing("hq", sh_q=key)
    assert again.radio(key=sharing_view.quadrant_key(key)).value == key
    assert sorted(table_with(again, "导购编号")[-1]["导购编号"]) == want


def test_east_sees_only_east_and_a_url_cannot_widen_it(page_env):
    db = Database(page_env)
    other = Reader(db, Scope.everything()).scalar("SELECT min(region) FROM stores WHERE region <> '华东'")
    at = open_sharing("east", sh_region=other)
    period = period_of(at)
    east = Scope.of(regions=["华东"])
    regions = table_with(at, "大区")[0]
    assert set(regions["大区"]) == {"华东"}
    guides = metric(page_env, "share-rate", period, east, level="guide")
    shown = table_with(at, "导购编号")[0]
    assert sorted(shown["导购编号"]) == sorted(guides.guide_id)
    # Every guide of the quadrants (all four lists) is an east guide.
    shown_quadrant = None
    for key in ("benchmark", "method", "motivation_high", "motivation_low"):
        at.radio(key=sharing_view.quadrant_key(shown_quadrant)).set_value(key).run()
        shown_quadrant = key
        assert not at.exception, at.exception
        for t in table_with(at, "导购编号"):
            assert set(t["导购编号"]) <= set(guides.guide_id)
    total = metric(page_env, "share-rate", period, east, level="total").iloc[0]
    assert card(at, "share_rate") == fmt.pct(total.share_rate)


def test_drill_to_a_store_shows_its_guides(page_env):
    db = Database(page_env)
    store = Reader(db, Scope.everything()).scalar(
        "SELECT min(store_id) FROM guides WHERE role = 'guide' AND left_on IS NULL")
    region = Reader(db, Scope.everything()).scalar("SELECT region FROM stores WHERE store_id = $s", {"s": store})
    at = open_sharing("hq", sh_region=region, sh_store=store)
    period = period_of(at)
    guides = metric(page_env, "share-rate", period, Scope.everything(), Filters.of(regions=[region], stores=[store]),
                    level="guide")
    shown = table_with(at, "导购编号")[0]
    assert sorted(shown["导购编号"]) == sorted(guides.guide_id) and len(guides)
    assert any(m.value.startswith("**下钻路径**") and region in m.value for m in at.markdown)


def test_a_changed_threshold_is_shown_and_used(page_env):
    settings.change("share_k", 4, "admin")
    at = open_sharing("hq")
    period = period_of(at)
    assert "达标分享次数 k（每天） 4" in " ".join(c.value for c in at.caption)
    total = metric(page_env, "share-rate", period, level="total", k=4).iloc[0]
    assert card(at, "share_rate") == fmt.pct(total.share_rate)
    assert total.target_days != metric(page_env, "share-rate", period, level="total", k=3).iloc[0].target_days


@pytest.mark.parametrize("user,scope", [("hq", Scope.everything()), ("east", Scope.of(regions=["华东"]))])
def test_morning_check_shows_yesterdays_share_rate_and_guides_below_target(page_env, user, scope):
    at = signed_in(user)
    at.switch_page("pages/morning_check.py")
    at.run()
    assert not at.exception, at.exception
    assert "昨日分享率" in [s.value for s in at.subheader]
    as_of = date.fromisoformat(at.caption[0].value.split("（")[0])
    m = metric(page_env, "morning-share", Period(as_of, as_of), scope)
    html = " ".join(str(x.value) for x in at.markdown)
    card_value = re.search(r'data-mc="share_rate".*?class="val">([^<]+)<', html, re.S).group(1)
    assert card_value == fmt.pct(m.iloc[0].share_rate)
    stores = m[m.row_level == "store"]
    first = re.search(r'data-mc="share_top"><tr><td class="rk">(\d+)</td><td>([^<]+)</td>', html).groups()
    assert first == (str(stores.iloc[0]["rank"]), stores.iloc[0].store_name)
    below = METRICS["share-attention"](Reader(Database(page_env), scope),
                                       MetricArgs(Period(as_of, as_of), as_of, (("k", 3), ("target_rate", 0.8))))
    assert len(below), "the demo has guides below target"
    assert html.count("连续 3 个在岗日未达分享目标") == len(below)
    if user == "east":
        assert set(stores.region) == {"华东"} and set(below.region) == {"华东"}


def quadrant_chart(at) -> dict:
    """The diagnosis quadrant's Plotly spec as the page sent it."""
    import json
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("sh_quadrant")]
    assert len(specs) == 1, "one quadrant chart"
    return specs[0]


def dots_by_trace(spec) -> list[int]:
    return [len(trace["customdata"]) for trace in spec["data"]]


def test_the_quadrant_chart_follows_the_period_the_settings_and_the_language(page_env):
    """The quadrant figure is built once per view, period, settings and language
    (runtime.cache.VIEW_VALUES) and shown as built on the reruns that follow:
    each change of one of them draws the guides of that change."""
    from dashboard.ui.i18n import set_language
    order = ["标杆", "方法问题", "积极性问题-高销售", "积极性问题-低销售"]

    def expected(period, **options):
        guides = metric(page_env, "share-rate", period, level="guide", **options)
        counts = guides.diagnosis.value_counts()
        return [int(counts.get(label, 0)) for label in order]

    at = open_sharing("hq")
    last30 = period_of(at)
    spec = quadrant_chart(at)
    assert dots_by_trace(spec) == expected(last30) and sum(dots_by_trace(spec)) > 0
    assert [tr["name"].split("（")[0] for tr in spec["data"]] == order
    assert spec["layout"]["shapes"][0]["x0"] == 0.8                     # the target rate in force
    at.run()
    assert quadrant_chart(at) == spec                                   # a rerun shows what was built
    at.selectbox(key="fb_preset").set_value("this_week").run()
    assert not at.exception, at.exception
    week = period_of(at)
    assert week != last30 and expected(week) != expected(last30)        # the test can tell them apart
    assert dots_by_trace(quadrant_chart(at)) == expected(week)
    # a target rate that moves guides between quadrants this week
    rate = next(r for r in (0.5, 0.3, 0.6, 0.9, 0.95, 0.2) if expected(week, target_rate=r) != expected(week))
    settings.change("share_target_rate", rate, "admin")
    at.run()
    assert not at.exception, at.exception
    spec = quadrant_chart(at)
    assert spec["layout"]["shapes"][0]["x0"] == rate
    assert dots_by_trace(spec) == expected(week, target_rate=rate)
    set_language("en")
    try:
        english = signed_in("hq", {"preset": "this_week", "lang": "en"})
        english.switch_page("pages/sharing.py")
        english.run()
        assert not english.exception, english.exception
        names = [tr["name"] for tr in quadrant_chart(english)["data"]]
        assert names[0].startswith("Benchmark") and not any(label in n for label in order for n in names)
    finally:
        set_language("zh")
