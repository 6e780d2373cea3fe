"""ui/drill.py on its own, with three levels of another page's own URL keys: a
URL value counts only if that level shows it, the view only narrows, and the
back buttons move up the path."""
from streamlit.testing.v1 import AppTest


def _page():
    from datetime import date

    import pandas as pd
    import streamlit as st

    from dashboard.app_context import View
    from dashboard.period import Period
    from dashboard.scope import Filters, Scope
    from dashboard.ui.drill import Drill, Level

    view = View("u", "hq", Scope.everything(), Filters.of(cities=["上海"]), Period(date(2026, 3, 1), date(2026, 3, 1)),
                date(2026, 3, 1), "yesterday")
    drill = Drill("x", [Level("x_brand", "brands", "brand"), Level("x_region", "regions", "region"),
                        Level("x_store", "stores", "store_id", "store_name")])
    drill.read(0, pd.DataFrame({"brand": ["B1", "B2"]}))
    drill.read(1, pd.DataFrame({"region": ["华东"]}))
    drill.read(2, pd.DataFrame({"store_id": ["S1"], "store_name": ["一*店"]}))
    drill.breadcrumb()
    st.text(repr(drill.view(view, 3).filters.values()))
    st.text(drill.title("门店", depth=2))


def run(query):
    at = AppTest.from_function(_page, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_path_narrows_and_only_with_values_on_screen():
    at = run({"x_brand": "B2", "x_region": "华南", "x_store": "S1"})  # 华南 is not shown: ignored
    assert at.text[0].value == repr((("B2",), (), ("上海",), ("S1",), ()))  # the city filter stays
    assert at.text[1].value == "门店 · B2"
    assert any(m.value.endswith("全部 › B2 › 一\\*店") for m in at.markdown)


def test_back_buttons_move_up_the_path():
    at = run({"x_brand": "B1", "x_region": "华东", "x_store": "S1"})
    at.button(key="x_back_up").click()
    at.run()
    assert (at.query_params.get("x_brand"), at.query_params.get("x_region")) == (["B1"], ["华东"])
    assert "x_store" not in at.query_params
    at.button(key="x_back_all").click()
    at.run()
    assert not {"x_brand", "x_region", "x_store"} & set(at.query_params)
