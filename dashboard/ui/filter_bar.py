"""The global filter bar: period, as-of date, brand → region → city → store →
guide. Its state lives in st.session_state (so it survives page switches) and
is mirrored into st.query_params every run (so a copied link reproduces the
view). Values from a URL are parsed, then pruned to what the user's scope
offers: a link can only narrow. A date outside the supported range or a custom
period longer than period.MAX_PERIOD_DAYS falls back, with a notice.

The dimensions (brand, region, city, store, guide) are not listed here: their
widgets, URL keys and options all come from dashboard/scope.DIMENSIONS. The bar
holds no Reader: `options_for(chosen)` (a cached function of the app context)
hands it plain values."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from typing import Callable

from ..filter_options import FilterOptions
from ..period import MAX_PERIOD_DAYS, PRESETS, Period, preset_period, supported_day
from ..scope import DIMENSIONS, Filters
from .i18n import t

MULTI_KEYS = tuple(d.url_key for d in DIMENSIONS if d.multi)
SINGLE_KEYS = tuple(d.url_key for d in DIMENSIONS if not d.multi)
# The URL keys this bar owns; others (language, a page's drill-down) are left alone.
OWN_KEYS = ("preset", "start", "end", "asof", *(d.url_key for d in DIMENSIONS))
KEEP_ON_RESET = ("lang", "colours")
STATE = "_filter_state"  # canonical state: dict of plain values
WRITTEN = "_qp_written"
NOTICES = "_filter_notices"  # fallbacks taken when the URL was read, shown until the next read


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
        **{k: qp.get(k) or None for k in SINGLE_KEYS},
    }


def filters_from_state(state: dict) -> Filters:
    """The state's dimension choices as Filters (a single choice as a one-value tuple)."""
    def chosen(d):
        value = state.get(d.url_key)
        return value if d.multi else ([value] if value else [])
    return Filters.of(**{d.name: chosen(d) for d in DIMENSIONS})


def _with_widget_values(state: dict) -> dict:
    """The state with the dimension widgets' values of this run (Streamlit sets
    them before the script runs): a region just picked narrows the store list
    in this very run, not one click later."""
    out = dict(state)
    for d in DIMENSIONS:
        key = f"fb_{d.url_key}"
        if key in st.session_state:
            value = st.session_state[key]
            out[d.url_key] = list(value) if d.multi else value
    return out


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
    for k in SINGLE_KEYS:
        if state.get(k):
            out[k] = state[k]
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
        notices = []
        if parsed["asof"] is not None and not supported_day(parsed["asof"]):
            notices.append(t("filter.bad_asof", day=parsed["asof"], default=default_as_of))
            parsed["asof"] = None
        as_of = parsed["asof"] or default_as_of
        state = {**parsed, "asof": as_of, "asof_explicit": parsed["asof"] is not None,
                 "preset": parsed["preset"] or "yesterday"}
        if state["preset"] == "custom":
            start, end = state["start"], state["end"]
            if not (supported_day(start) and supported_day(end) and start <= end):
                if start or end:
                    notices.append(t("filter.bad_range"))
                state["preset"] = "yesterday"
        st.session_state[NOTICES] = notices
        return state
    return dict(current)


def capped(period: Period) -> tuple[Period, bool]:
    """The period, or its last MAX_PERIOD_DAYS days (True) if it is longer."""
    if period.days <= MAX_PERIOD_DAYS:
        return period, False
    return Period(period.end - timedelta(days=MAX_PERIOD_DAYS - 1), period.end), True


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


def _dimension_widget(side, d, options: FilterOptions, chosen: Filters):
    """The widget of one declared dimension; returns its choice as a list."""
    labels = options.labels(d.name)
    values = list(options.values(d.name))
    shown = ((lambda v: f"{labels.get(v, v)} ({v})") if d.label_column else (lambda v: v))
    picked = list(getattr(chosen, d.name))
    if d.multi:
        return side.multiselect(t(d.label_key), values, default=picked, format_func=shown,
                                key=f"fb_{d.url_key}", placeholder=t(d.all_key))
    choices = [None, *values]
    one = side.selectbox(t(d.label_key), choices, index=choices.index(picked[0]) if picked else 0,
                         format_func=lambda v: t(d.all_key) if v is None else shown(v), key=f"fb_{d.url_key}")
    return [one] if one else []


def filter_bar(options_for: Callable[[Filters], tuple[FilterOptions, Filters]],
               default_as_of: date) -> tuple[Filters, Period, date, str]:
    """Render the bar in the sidebar; return (filters, period, as_of, preset).
    `options_for(chosen)` gives the options in scope and the choices pruned to them."""
    state = _initial_state(default_as_of)
    options, chosen = options_for(filters_from_state(_with_widget_values(state)))

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
        period, was_capped = capped(period)
        if was_capped:
            st.warning(t("filter.range_capped", years=MAX_PERIOD_DAYS // 366, start=period.start, end=period.end))
    else:
        period = preset_period(preset, as_of)
    for notice in st.session_state.pop(NOTICES, ()):
        st.warning(notice)

    picks = {d.name: _dimension_widget(side, d, options, chosen) for d in DIMENSIONS}
    if side.button(t("filter.reset"), key="fb_reset_button", width="stretch"):
        reset_filters()
        st.rerun()

    new_state = {
        "preset": preset, "start": period.start, "end": period.end, "asof": as_of,
        "asof_explicit": state.get("asof_explicit") or as_of != default_as_of,
        **{d.url_key: (picks[d.name] if d.multi else (picks[d.name][0] if picks[d.name] else None))
           for d in DIMENSIONS},
    }
    st.session_state[STATE] = new_state
    url = url_from_state(new_state)
    _write_url(url)
    st.session_state[WRITTEN] = url
    final = Filters.of(**picks)
    if final != chosen:  # a higher level changed under a lower one's choice: prune again
        _, final = options_for(final)
    return final, period, as_of, preset
