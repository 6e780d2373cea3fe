"""The app context's jobs: one database version per rerun, and a metric result
cache bounded by size, entries and age."""
from datetime import date

import pandas as pd
from streamlit.testing.v1 import AppTest

from builders import build_db, order_row, reader_for, store_row
from dashboard.runtime.cache import ResultCache
from dashboard.store import Database


def frame(n_rows: int) -> pd.DataFrame:
    return pd.DataFrame({"x": range(n_rows)})


def test_result_cache_is_bounded_by_bytes():
    size = int(frame(1000).memory_usage(index=True, deep=True).sum())
    cache = ResultCache(max_bytes=3 * size, max_entries=100, ttl=60)
    for i in range(10):
        cache.get_or_compute(("p", i), lambda: frame(1000))
    assert cache.bytes <= 3 * size and len(cache) == 3
    assert ("p", 9) in cache and ("p", 0) not in cache   # least recently used out first
    cache.get_or_compute(("huge",), lambda: frame(100_000))  # bigger than the whole budget: never held
    assert ("huge",) not in cache and cache.bytes <= 3 * size


def test_result_cache_is_bounded_by_entries_and_age():
    now = [0.0]
    cache = ResultCache(max_bytes=10**9, max_entries=2, ttl=10, clock=lambda: now[0])
    calls = []
    compute = lambda: calls.append(1) or frame(3)  # noqa: E731
    for key in ("a", "b", "c"):
        cache.get_or_compute(key, compute)
    assert len(cache) == 2 and "a" not in cache
    cache.get_or_compute("c", compute)
    assert len(calls) == 3                      # "c" came from the cache
    now[0] = 11
    cache.get_or_compute("c", compute)
    assert len(calls) == 4                      # expired: computed again


def test_result_cache_hands_out_copies():
    cache = ResultCache()
    df = cache.get_or_compute("k", lambda: frame(3))
    df["x"] = -1
    assert cache.get_or_compute("k", lambda: frame(0))["x"].tolist() == [0, 1, 2]


def test_a_pin_keeps_reading_its_version_after_a_publish(tmp_path):
    path = tmp_path / "v.duckdb"
    build_db(path, stores=[store_row("S1")], orders=[order_row("o1", "2026-03-01 10:00", "S1", 100)])
    db = Database(path)
    pin = db.pin()
    build_db(path, stores=[store_row("S1")], orders=[order_row("o2", "2026-03-01 10:00", "S1", 250)])
    sql = "SELECT sum(amount) FROM main.orders"
    assert pin.cursor().execute(sql).fetchone()[0] == 100      # the pinned version
    assert db.pin().cursor().execute(sql).fetchone()[0] == 250  # a new pin: the new version
    assert db.pinned(pin.version).version == pin.version


def _rerun_script():
    """One rerun: pin, then a load publishes, then two panels read."""
    import os
    from datetime import date as d

    import streamlit as st

    from builders import build_db, order_row, store_row
    from dashboard import app_context
    from dashboard.period import Period
    from dashboard.scope import Filters, Scope

    app_context.forget_view()
    app_context.database()  # the frame's pin at the start of the rerun
    n = st.session_state.get("n", 0)
    st.session_state["n"] = n + 1
    build_db(os.environ["DASHBOARD_DB"], stores=[store_row("S1")],
             orders=[order_row(f"o{n}", "2026-03-01 10:00", "S1", 1000 * (n + 2))])
    view = app_context.View("u", "hq", Scope.everything(), Filters(), Period(d(2026, 3, 1), d(2026, 3, 1)),
                            d(2026, 3, 1), "yesterday")
    st.text(f"panel1={app_context.run_metric('kpis', view).iloc[0]['sales']:.0f}")
    st.text(f"panel2={app_context.run_metric('sales-by-region', view)['sales'].sum():.0f}")


def test_every_panel_of_a_rerun_reads_the_version_pinned_at_its_start(tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    build_db(path, stores=[store_row("S1")], orders=[order_row("first", "2026-03-01 10:00", "S1", 100)])
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(tmp_path / "ops.sqlite"))
    at = AppTest.from_function(_rerun_script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    # Published mid-rerun (2000): both panels still show the version of the start (100).
    assert [t.value for t in at.text] == ["panel1=100", "panel2=100"]
    at.run()
    assert not at.exception, at.exception
    # The next rerun pins the version published during the last one.
    assert [t.value for t in at.text] == ["panel1=2000", "panel2=2000"]


def test_sessions_asking_for_the_same_result_at_once_compute_it_once():
    import threading
    import time as _time
    cache = ResultCache()
    calls, started = [], threading.Event()

    def slow():
        calls.append(1)
        started.set()
        _time.sleep(0.3)
        return pd.DataFrame({"x": [len(calls)]})

    got = []
    first = threading.Thread(target=lambda: got.append(cache.get_or_compute("k", slow)))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=lambda: got.append(cache.get_or_compute("k", slow))) for _ in range(4)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join(10)
    assert len(calls) == 1 and len(got) == 5 and all(list(g["x"]) == [1] for g in got)


def test_a_failed_computation_leaves_no_one_waiting():
    import threading
    cache = ResultCache()
    release, waiting = threading.Event(), []

    def failing():
        release.wait(5)
        raise RuntimeError("query failed")

    errors = []

    def ask(compute):
        try:
            waiting.append(cache.get_or_compute("k", compute))
        except RuntimeError as exc:
            errors.append(str(exc))

    owner = threading.Thread(target=ask, args=(failing,))
    owner.start()
    while "k" not in cache._running:
        pass
    waiter = threading.Thread(target=ask, args=(lambda: pd.DataFrame({"x": [2]}),))
    waiter.start()
    release.set()
    owner.join(10)
    waiter.join(10)
    assert not owner.is_alive() and not waiter.is_alive()
    assert errors == ["query failed"] and [list(w["x"]) for w in waiting] == [[2]]   # the waiter computed it itself


def test_derived_frames_are_made_once_per_content_and_variant():
    from dashboard.runtime.cache import DerivedFrames
    memo, calls = DerivedFrames(), []

    def derive(df, variant):
        return lambda: calls.append(variant) or pd.DataFrame({"shown": [f"{variant}:{v}" for v in df["v"]]})

    a = pd.DataFrame({"v": [1.5, 2.0], "name": ["x", "y"]})
    assert memo.get(a, "zh", derive(a, "zh"))["shown"].tolist() == ["zh:1.5", "zh:2.0"]
    same = a.copy()
    assert memo.get(same, "zh", derive(same, "zh"))["shown"].tolist() == ["zh:1.5", "zh:2.0"]
    assert calls == ["zh"]                                  # the same content: remembered
    memo.get(a, "en", derive(a, "en"))
    assert calls == ["zh", "en"]                            # another language: its own entry
    for changed in (a.assign(v=[1.5, 2.000001]),            # one cell
                    a.assign(name=["x", None]),              # None against a name
                    a.assign(v=[1, 2]),                      # another dtype, equal values
                    a.rename(columns={"v": "w"}).rename(columns={"w": "v"}).iloc[::-1]):  # row order
        before = len(calls)
        memo.get(changed, "zh", derive(changed, "zh"))
        assert len(calls) == before + 1, changed
    shown = memo.get(a, "zh", derive(a, "zh"))
    shown.loc[0, "shown"] = "changed by a page"
    assert memo.get(a, "zh", derive(a, "zh"))["shown"].tolist() == ["zh:1.5", "zh:2.0"]  # callers get copies


def test_derived_frames_never_answer_for_another_frame_with_the_same_fingerprint(monkeypatch):
    """A digest collision must not show another table: the stored source is compared."""
    from dashboard.runtime import cache
    monkeypatch.setattr(cache, "fingerprint", lambda df: ("one digest for every frame",))
    memo = cache.DerivedFrames()
    first, second = pd.DataFrame({"v": [1]}), pd.DataFrame({"v": [2]})
    assert memo.get(first, "zh", lambda: first * 10)["v"].tolist() == [10]
    assert memo.get(second, "zh", lambda: second * 10)["v"].tolist() == [20]


def test_derived_frames_are_bounded_and_skip_unhashable_cells():
    from dashboard.runtime.cache import DerivedFrames
    memo = DerivedFrames(max_entries=2)
    for i in range(5):
        df = pd.DataFrame({"v": [i]})
        memo.get(df, "zh", lambda df=df: df)
    assert len(memo) == 2
    calls = []
    lists = pd.DataFrame({"v": [[1, 2]]})
    for _ in range(2):
        memo.get(lists, "zh", lambda: calls.append(1) or lists)
    assert calls == [1, 1]                                  # lists cannot be hashed: derived each time
    memo.clear()
    assert len(memo) == 0 and memo.bytes == 0


def test_frame_bytes_estimates_text_from_a_sample_and_counts_arrays_exactly():
    from dashboard.runtime.cache import frame_bytes
    numbers = pd.DataFrame({"a": range(5000), "b": [0.5] * 5000})
    assert frame_bytes(numbers) == int(numbers.memory_usage(index=True, deep=True).sum())
    texts = pd.DataFrame({"id": [f"G{i:05d}" for i in range(5000)],
                          "name": ["导购" + "甲" * (i % 40) for i in range(5000)], "n": range(5000)})
    deep = int(texts.memory_usage(index=True, deep=True).sum())
    assert abs(frame_bytes(texts) - deep) < 0.05 * deep
    assert frame_bytes(texts.iloc[:0]) == int(texts.iloc[:0].memory_usage(index=True, deep=True).sum())


def test_view_values_are_built_once_per_key_and_bounded():
    from dashboard.runtime.cache import ViewValues
    built = []
    values = ViewValues(max_entries=3, max_bytes=10**9)
    make = lambda k: values.get_by_key(k, lambda: built.append(k) or frame(10))  # noqa: E731
    first = make("a")
    assert make("a") is first and built == ["a"]          # held as it is, not rebuilt
    for k in ("b", "c", "d"):
        make(k)
    make("a")                                              # "a" was the least recently used: built again
    assert built == ["a", "b", "c", "d", "a"]
    from dashboard.runtime.cache import _value_bytes
    one = _value_bytes((frame(1000), "text"))                # a frame's arrays and a string
    assert one > 8000
    small = ViewValues(max_entries=100, max_bytes=3 * one + 100)
    for k in range(5):
        small.get_by_key(k, lambda: (frame(1000), "text"))
    assert len(small) == 3 and small.bytes <= 3 * one + 100
    small.clear()
    assert small.bytes == 0 and len(small) == 0


def test_a_figures_size_counts_its_points():
    """A figure held in VIEW_VALUES is bounded by its points, not by the few
    bytes of the Python object that holds them."""
    import plotly.graph_objects as go
    from dashboard.runtime.cache import FIGURE_BYTES, POINT_BYTES, _value_bytes
    fig = go.Figure()
    fig.add_scatter(x=list(range(1000)), y=list(range(1000)))
    fig.add_scatter(x=[1, 2], y=[3, 4])
    fig.add_shape(type="line", x0=0, x1=1, y0=0, y1=1)
    assert _value_bytes((fig, ["a"])) == FIGURE_BYTES + POINT_BYTES * 1002 + _value_bytes(["a"])
    assert _value_bytes(go.Figure()) == FIGURE_BYTES
