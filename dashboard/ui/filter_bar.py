"""The global filter bar: period, as-of date, brand → region → city → store →
guide. Its state lives in st.session_state (so it survives page switches) and
is mirrored into st.query_params every run (so a copied link reproduces the
view). Values from a URL are parsed, then pruned to what the user's scope
offers: a link can only narrow."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ..filter_options import resolve
from ..period import PRESETS, Period, preset_period
from ..reader import Reader
from ..scope import Filters
from .i18n import t

MULTI_KEYS = ("brand", "region", "city", "store")
# The URL keys this bar owns; others (language, a page's drill-down) are left alone.
OWN_KEYS = ("preset", "start", "end", "asof", *MULTI_KEYS, "guide")
KEEP_ON_RESET = ("lang", "colours")
STATE = "_filter_state"  # canonical state: dict of plain values
WRITTEN = "_qp_written"


def _parse_date(text) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def state_from_url(qp) -> dict:
    preset = qp.get("preset")
    return {
        "preset": preset if preset in PRESETS else None,
        "start": _parse_date(qp.get("start")),
        "end": _parse_date(qp.get("end")),
        "asof": _parse_date(qp.get("asof")),
        **{k: [v for v in qp.get_all(k) if v] for k in MULTI_KEYS},
        "guide": qp.get("guide") or None,
    }


def url_from_state(state: dict) -> dict:
    out: dict = {}
    if state.get("preset") and state["preset"] != "yesterday":
        out["preset"] = state["preset"]
    if state.get("preset") == "custom":
        out["start"], out["end"] = str(state["start"]), str(state["end"])
    if state.get("asof_explicit"):
        out["asof"] = str(state["asof"])
    for k in MULTI_KEYS:
        if state.get(k):
            out[k] = list(state[k])
    if state.get("guide"):
        out["guide"] = state["guide"]
    return out


def _initial_state(default_as_of: date) -> dict:
    qp = st.query_params
    written = st.session_state.get(WRITTEN)
    current = st.session_state.get(STATE)
    url = _own_url_values()
    # Re-read the URL on a session's first run, or when it changed under us
    # (a pasted link) — but not when a page switch merely dropped the params.
    if current is None or (url and url != written):
        for key in [k for k in st.session_state.keys() if str(k).startswith("fb_")]:
            del st.session_state[key]  # widgets must take the URL's values
        parsed = state_from_url(qp)
        as_of = parsed["asof"] or default_as_of
        state = {**parsed, "asof": as_of, "asof_explicit": parsed["asof"] is not None,
                 "preset": parsed["preset"] or "yesterday"}
        if state["preset"] == "custom" and not (state["start"] and state["end"] and state["start"] <= state["end"]):
            state["preset"] = "yesterday"
        return state
    return dict(current)


def _own_url_values() -> dict:
    qp = st.query_params
    return {k: (qp.get_all(k) if k in MULTI_KEYS else qp.get(k)) for k in OWN_KEYS if k in qp}


def _write_url(url: dict) -> None:
    qp = st.query_params
    if _own_url_values() == url:
        return
    for k in OWN_KEYS:
        if k in qp and k not in url:
            del qp[k]
    for k, v in url.items():
        qp[k] = v


def reset_filters() -> None:
    st.session_state.pop(STATE, None)
    for key in list(st.session_state.keys()):
        if str(key).startswith("fb_"):
            del st.session_state[key]
    for k in list(st.query_params.keys()):
        if k not in KEEP_ON_RESET:
            del st.query_params[k]
    st.session_state[WRITTEN] = {}


def filter_bar(base_reader: Reader, default_as_of: date) -> tuple[Filters, Period, date, str]:
    """Render the bar in the sidebar; return (filters, period, as_of, preset)."""
    state = _initial_state(default_as_of)
    chosen = Filters.of(state["brand"], state["region"], state["city"], state["store"],
                        [state["guide"]] if state["guide"] else [])
    options, chosen = resolve(base_reader, chosen)

    side = st.sidebar
    side.subheader(t("filter.title"))
    preset = side.selectbox(t("filter.period"), PRESETS, index=PRESETS.index(state["preset"]),
                            format_func=lambda p: t(f"period.{p}"), key="fb_preset")
    as_of = side.date_input(t("filter.as_of"), value=state["asof"], key="fb_asof")
    if preset == "custom":
        start0 = state["start"] or as_of - timedelta(days=6)
        end0 = state["end"] or as_of
        picked = side.date_input(t("filter.range"), value=(start0, end0), key="fb_range")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            period = Period(picked[0], picked[1])
        else:  # the user picked only the first day so far
            period = Period(start0, end0)
    else:
        period = preset_period(preset, as_of)

    brands = side.multiselect(t("filter.brand"), options.brands, default=list(chosen.brands),
                              key="fb_brand", placeholder=t("filter.all"))
    regions = side.multiselect(t("filter.region"), options.regions, default=list(chosen.regions),
                               key="fb_region", placeholder=t("filter.all"))
    cities = side.multiselect(t("filter.city"), options.cities, default=list(chosen.cities),
                              key="fb_city", placeholder=t("filter.all"))
    store_names = dict(options.stores)
    stores = side.multiselect(t("filter.store"), list(store_names), default=list(chosen.stores),
                              format_func=lambda s: f"{store_names.get(s, s)} ({s})",
                              key="fb_store", placeholder=t("filter.all"))
    guide_labels = {g: f"{name} ({g})" for g, name, _ in options.guides}
    guide_ids = [None, *guide_labels]
    guide = side.selectbox(t("filter.guide"), guide_ids,
                           index=guide_ids.index(chosen.guides[0]) if chosen.guides else 0,
                           format_func=lambda g: t("filter.all_guides") if g is None else guide_labels[g],
                           key="fb_guide")
    if side.button(t("filter.reset"), key="fb_reset_button", width="stretch"):
        reset_filters()
        st.rerun()

    new_state = {
        "preset": preset, "start": period.start, "end": period.end, "asof": as_of,
        "asof_explicit": state.get("asof_explicit") or as_of != default_as_of,
        "brand": brands, "region": regions, "city": cities, "store": stores, "guide": guide,
    }
    st.session_state[STATE] = new_state
    url = url_from_state(new_state)
    _write_url(url)
    st.session_state[WRITTEN] = url
    final = Filters.of(brands, regions, cities, stores, [guide] if guide else [])
    if final != chosen:  # a higher level changed under a lower one's choice: prune again
        _, final = resolve(base_reader, final)
    return final, period, as_of, preset
