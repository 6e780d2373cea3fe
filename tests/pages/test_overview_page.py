"""app.py and the overview through AppTest: signed in, the KPI cards show the
kpis metric's numbers in the display conventions, filters narrow them, and a
role never sees beyond its scope."""


from streamlit.testing.v1 import AppTest

from app_kit import APP, kpi_values, signed_in
from dashboard.metrics import METRICS, MetricArgs, latest_complete_day
from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import Filters, Scope
from dashboard.store import Database
from dashboard.ui.format import count, money


def expected(db, scope=Scope.everything(), filters=Filters(), period=None):
    reader = Reader(Database(db), scope, filters)
    as_of = latest_complete_day(reader)
    period = period or Period(as_of, as_of)
    return METRICS["kpis"](reader, MetricArgs(period, as_of)).iloc[0]


def test_hq_overview_shows_the_kpis_of_yesterday(page_env):
    at = signed_in("hq")
    shown = kpi_values(at)
    k = expected(page_env)
    assert shown["sales"] == money(k.sales)
    assert shown["wemall_sales"] == money(k.wemall_sales)
    assert shown["orders"] == count(k.orders)
    assert len(at.get("plotly_chart")) == 4  # trend, by region, by brand, targets by region (demo has targets)
    assert [e.value for e in at.error] == []


def test_url_filters_narrow_and_are_echoed_back(page_env):
    at = signed_in("hq", {"region": "华南", "preset": "last7"})
    reader = Reader(Database(page_env), Scope.everything())
    as_of = latest_complete_day(reader)
    k = expected(page_env, filters=Filters.of(regions=["华南"]), period=Period(as_of.fromordinal(as_of.toordinal() - 6), as_of))
    assert kpi_values(at)["sales"] == money(k.sales)
    assert at.query_params["region"] == ["华南"]
    assert at.multiselect(key="fb_region").value == ["华南"]


def test_picking_a_region_narrows_the_store_list_in_the_same_run(page_env):
    """The cascade follows a pick at once: the store list a user opens right
    after choosing 华南 holds only 华南's stores (not every store until the
    next click)."""
    at = signed_in("hq")
    every = at.multiselect(key="fb_store").options
    at.multiselect(key="fb_region").set_value(["华南"]).run()
    south = Reader(Database(page_env), Scope.everything()).query(
        "SELECT store_id FROM stores WHERE region = '华南'")["store_id"].tolist()
    shown = at.multiselect(key="fb_store").options
    assert 0 < len(shown) < len(every)
    assert sorted(o.rsplit("(", 1)[1].rstrip(")") for o in shown) == sorted(south)


def test_regional_manager_cannot_widen_by_url(page_env):
    # east manages 华东; a crafted link asks for 华南 and another region's store.
    other = Reader(Database(page_env), Scope.everything()).scalar(
        "SELECT min(store_id) FROM stores WHERE region <> '华东'")
    at = signed_in("east", {"region": "华南", "store": other})
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    k = expected(page_env, scope=Scope.of(regions=["华东"]))
    assert kpi_values(at)["sales"] == money(k.sales)
    assert at.multiselect(key="fb_region").options == ["华东"]
    assert at.multiselect(key="fb_region").value == []
    assert other not in at.multiselect(key="fb_store").options
    assert at.multiselect(key="fb_store").value == []


def test_english_switch(page_env):
    at = signed_in("hq", {"lang": "en"})
    assert any("Overview" in str(t.value) for t in at.title)
    assert kpi_values(at)["sales"].startswith("¥")


def test_admin_pages_are_registered_but_guarded(page_env):
    at = signed_in("hq")
    at.switch_page("pages/admin_audit.py").run()
    assert not at.exception
    assert any("无权" in str(e.value) for e in at.error)



def test_two_users_never_share_cached_results(page_env):
    """Same process, same period and filters, one cache: each user still gets
    their own scope's numbers, whoever asked first."""
    east_expected = money(expected(page_env, scope=Scope.of(regions=["华东"])).sales)
    hq_expected = money(expected(page_env).sales)
    assert east_expected != hq_expected
    for username, want in (("east", east_expected), ("hq", hq_expected), ("east", east_expected)):
        at = signed_in(username)
        if username == "east":
            at.switch_page("pages/overview.py").run()
        assert kpi_values(at)["sales"] == want, username


def test_managers_land_on_the_morning_check_and_hq_on_the_overview(page_env):
    assert [t.value for t in signed_in("east").title] == ["晨检"]
    assert [t.value for t in signed_in("store").title] == ["晨检"]
    assert [t.value for t in signed_in("hq").title] == ["经营总览"]


def test_a_user_without_a_valid_scope_sees_nothing(page_env, tmp_path):
    from dashboard.auth import users
    users.add_user("nobody", "nobody-pass-2026", "region", regions=["火星"], path=tmp_path / "users.yaml")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.text_input(key="auth_username").input("nobody")
    at.text_input(key="auth_password").input("nobody-pass-2026")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert kpi_values(at) == {}
    assert any("没有可查看的数据范围" in str(w.value) for w in at.warning)


def test_english_morning_check_and_leaderboards(page_env):
    from dashboard.ui.i18n import set_language
    at = signed_in("east", {"lang": "en"})
    assert [t.value for t in at.title] == ["Morning check"]
    # AppTest re-applies widgets' format_func in this thread when it reruns:
    # let it format in the language the app is showing.
    set_language("en")
    try:
        at.switch_page("pages/leaderboards.py").run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Store & guide rankings"]
    finally:
        set_language("zh")
