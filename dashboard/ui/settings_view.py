"""Drawing the admin settings (dashboard/settings.py) and the one-line caption
of the thresholds a page uses. The values and their validation live in
dashboard.settings; here only widgets."""
from __future__ import annotations

import streamlit as st

from .. import settings
from . import format as fmt
from .i18n import t

RATE_SETTINGS = {"share_target_rate"}


def shown(name: str, value) -> str:
    """A setting's value as a page shows it (a rate as %, money as ¥)."""
    if name in RATE_SETTINGS:
        return fmt.pct(value)
    if name == "koc_referred_sales":
        return fmt.money(value)
    return fmt.number(value, 0) if settings.SETTINGS[name].type is int else fmt.number(value)


def in_force_caption(values: dict, names) -> None:
    """'当前阈值：k = 3 · 目标分享率 80.0%' under a page title: the values in force."""
    text = " · ".join(f"{t(f'settings.{n}')} {shown(n, values[n])}" for n in names)
    st.caption(t("settings.in_force", text=text))


def editor(username: str) -> None:
    """Every setting grouped by area: a number input, save and reset, the last change."""
    values = settings.current()
    last = {h["name"]: h for h in settings.history()}
    areas = dict.fromkeys(s.area for s in settings.SETTINGS.values())
    for area in areas:
        st.subheader(t(f"settings.area.{area}"))
        for s in (s for s in settings.SETTINGS.values() if s.area == area):
            with st.container(border=True):
                left, mid, right = st.columns([3, 1, 1], vertical_alignment="bottom")
                kwargs = dict(min_value=s.type(s.minimum), max_value=s.type(s.maximum),
                              value=s.type(values[s.name]), key=f"set_{s.name}")
                if s.type is float:
                    kwargs["step"] = 0.05 if s.maximum <= 1 else 100.0
                    kwargs["format"] = "%.2f"
                new = left.number_input(t(f"settings.{s.name}"), help=s.help, **kwargs)
                if mid.button(t("settings.save"), key=f"save_{s.name}", width="stretch"):
                    try:
                        saved = settings.change(s.name, new, username)
                        st.success(t("settings.saved", name=t(f"settings.{s.name}"), value=shown(s.name, saved)))
                    except ValueError as exc:
                        st.error(t("settings.invalid", error=str(exc)))
                if right.button(t("settings.reset"), key=f"reset_{s.name}", width="stretch",
                                disabled=s.name not in last):
                    settings.reset(s.name, username)
                    st.session_state.pop(f"set_{s.name}", None)
                    st.rerun()
                caption = t("settings.default", value=shown(s.name, s.default))
                if s.name in last:
                    caption += " · " + t("settings.last_changed", at=last[s.name]["changed_at"],
                                         by=last[s.name]["changed_by"])
                st.caption(caption)
