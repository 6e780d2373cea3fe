"""Filter dimensions are declared once (dashboard/scope.DIMENSIONS) and every
place that narrows by them reads that declaration: the Filters fields, the scope
predicate, the filter options, the filter bar's URL keys, the CLI flags and the
cache key. A dimension missing from any of them fails here."""
from datetime import date

import pytest

from builders import build_db, guide_row, order_row, reader_for, store_row
from dashboard.app_context import View, result_key
from dashboard.cli import build_parser
from dashboard.filter_options import resolve
from dashboard.period import Period
from dashboard.scope import DIMENSIONS, Filters, Scope, scoped_ctes
from dashboard.ui import filter_bar


def one_value_each() -> Filters:
    return Filters.of(**{d.name: [f"v-{d.name}"] for d in DIMENSIONS})


def test_filters_have_exactly_the_declared_dimensions():
    f = one_value_each()
    assert f.values() == tuple((f"v-{d.name}",) for d in DIMENSIONS)
    assert Filters(*f.values()) == f
    for d in DIMENSIONS:
        assert f"v-{d.name}" in f.key()
    with pytest.raises(TypeError):
        Filters.of(colours=["red"])  # not a declared dimension


def test_every_dimension_is_in_the_cache_key():
    view = View("u", "hq", Scope.everything(), one_value_each(), Period(date(2026, 3, 1), date(2026, 3, 1)),
                date(2026, 3, 1), "yesterday")
    key = repr(result_key("kpis", view, view.period, (), "v1", "/db"))
    for d in DIMENSIONS:
        assert f"v-{d.name}" in key
    # Two views differing in one dimension only never share a key.
    for d in DIMENSIONS:
        other = View(*[getattr(view, f) for f in ("username", "role", "scope")],
                     Filters.of(**{**{x.name: getattr(view.filters, x.name) for x in DIMENSIONS}, d.name: ["other"]}),
                     view.period, view.as_of, view.preset)
        assert result_key("kpis", other, other.period, (), "v1", "/db") != result_key("kpis", view, view.period, (),
                                                                                        "v1", "/db")


def test_every_dimension_has_a_cli_flag():
    parser = build_parser()
    args = parser.parse_args(["metric", "kpis", *[x for d in DIMENSIONS for x in (f"--{d.url_key}", f"v-{d.name}")]])
    from dashboard.cli.metric import filters_for
    assert filters_for(args) == one_value_each()


def test_every_dimension_has_a_url_key_that_round_trips():
    assert {d.url_key for d in DIMENSIONS} <= set(filter_bar.OWN_KEYS)
    state = {"preset": "yesterday", **{d.url_key: ([f"v-{d.name}"] if d.multi else f"v-{d.name}") for d in DIMENSIONS}}
    url = filter_bar.url_from_state(state)

    class QP(dict):
        def get_all(self, k):
            v = self.get(k)
            return v if isinstance(v, list) else ([v] if v else [])
    assert filter_bar.filters_from_state(filter_bar.state_from_url(QP(url))) == one_value_each()


def test_every_dimension_narrows_the_scope_predicate():
    _, params = scoped_ctes(Scope.everything(), one_value_each())
    for d in DIMENSIONS:
        assert params[f"_f_{d.name}"] == [f"v-{d.name}"]


def test_options_cascade_for_every_dimension(tmp_path):
    db = build_db(tmp_path / "o.duckdb",
                  stores=[store_row("S1", brand="B1", region="华东", city="上海", store_name="一店"),
                          store_row("S2", brand="B2", region="华东", city="杭州", store_name="二店"),
                          store_row("S3", brand="B1", region="华南", city="广州", store_name="三店")],
                  guides=[guide_row("g1", "S1", guide_name="甲"), guide_row("g3", "S3", guide_name="丙")],
                  orders=[order_row("o1", "2026-03-01 10:00", "S1", 1)])
    options, pruned = resolve(reader_for(db), Filters.of(brands=["B1"], regions=["华南"], cities=["上海"],
                                                         stores=["S1"], guides=["g1"]))
    assert options.values("brands") == ("B1", "B2")
    assert options.values("regions") == ("华东", "华南")          # brand B1 is in both
    assert options.values("cities") == ("广州",)                  # B1 in 华南: 上海 dropped
    assert options["stores"] == (("S3", "三店"),)
    assert options["guides"] == (("g3", "丙"),)
    assert pruned == Filters.of(brands=["B1"], regions=["华南"])  # invalid lower choices dropped
    # In a region's scope the other region's values never appear.
    options, _ = resolve(reader_for(db, scope=Scope.of(regions=["华东"])), Filters())
    assert options.values("regions") == ("华东",) and options.values("stores") == ("S1", "S2")
