"""Drawing the admin's user management (pages/admin_users.py): the list of users,
the actions on one user, and adding a user. Every change goes through
dashboard.auth.manage (the same functions as `python -m dashboard users`), which
audits it and refuses to leave no active administrator. Names from the users
file or the data are shown as plain text (tables, code, md())."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from ..auth import manage
from ..auth.users import ROLES
from .i18n import t
from .plain import md

FLASH = "_users_flash"


def _role_label(role: str) -> str:
    return t(f"auth.role.{role}") if role in ROLES else role


def _when(epoch: float | None) -> str:
    from ..clock import CHINA
    return datetime.fromtimestamp(epoch, CHINA).strftime("%Y-%m-%d %H:%M") if epoch else ""


def _scope_text(row, store_names: dict) -> str:
    if row.role == "region":
        return "、".join(row.regions)
    if row.role == "store":
        return "、".join(f"{s} {store_names[s]}" if s in store_names else s for s in row.stores)
    return t("users.scope_all") if row.role in ("hq", "admin") else ""


def _status_text(row) -> str:
    text = t(f"users.status.{row.status}")
    if row.locked_until:
        text += " · " + t("users.status.locked", until=_when(row.locked_until))
    return text


def users_frame(rows, store_names: dict) -> pd.DataFrame:
    """The list as the page shows it: one row per user, labels in the user's language."""
    return pd.DataFrame({
        t("users.col.username"): [r.username for r in rows],
        t("users.col.name"): [r.name for r in rows],
        t("users.col.role"): [_role_label(r.role) for r in rows],
        t("users.col.scope"): [_scope_text(r, store_names) for r in rows],
        t("users.col.status"): [_status_text(r) for r in rows],
        t("users.col.last_login"): [r.last_login.replace("T", " ") if r.last_login else t("users.never")
                                    for r in rows],
    })


def _choices():
    """Regions and stores (id, name, region) to choose from, read in the admin's scope."""
    from ..app_context import database
    try:
        return manage.scope_choices(database())
    except Exception:  # noqa: BLE001 - no data yet: hq/admin users can still be managed
        return (), ()


def _done(event: str, username: str, password: str | None = None) -> None:
    st.session_state[FLASH] = (t(f"users.done.{event}", user=md(username)), username, password)
    st.rerun()


def _refused(exc: Exception, username: str) -> None:
    if isinstance(exc, manage.LastAdminError):
        st.error(t("users.last_admin", user=md(username)))
    else:
        st.error(t("users.invalid", error=md(exc)))


def flash() -> None:
    """The outcome of the last change; a generated password is shown this once."""
    done = st.session_state.pop(FLASH, None)
    if not done:
        return
    text, username, password = done
    st.success(text)
    if password:
        st.warning(t("users.generated", user=md(username)))
        st.code(password, language=None)


def _scope_inputs(role: str, regions, stores, current_regions=(), current_stores=(), key: str = ""):
    """Regions for a regional manager, stores for a store manager; nothing for HQ/admin."""
    names = {s: n for s, n, _ in stores}
    if role == "region":
        options = list(dict.fromkeys([*regions, *current_regions]))
        return st.multiselect(t("users.regions"), options, default=list(current_regions), key=f"{key}_regions"), []
    if role == "store":
        options = list(dict.fromkeys([*(s for s, _, _ in stores), *current_stores]))
        picked = st.multiselect(t("users.stores"), options, default=list(current_stores), key=f"{key}_stores",
                                format_func=lambda s: f"{s} · {names[s]}" if s in names else s)
        return [], picked
    return [], []


def _password_inputs(key: str) -> str | None:
    mode = st.radio(t("users.password_mode"), ("generate", "type"), horizontal=True, key=f"{key}_pwmode",
                    format_func=lambda m: t("users.password_generate" if m == "generate" else "users.password_type"))
    if mode == "type":
        return st.text_input(t("users.password_typed"), type="password", key=f"{key}_pw",
                             autocomplete="new-password") or ""
    return None


def _forget(*keys: str) -> None:
    for k in keys:
        st.session_state.pop(k, None)


def user_list(rows, store_names: dict) -> None:
    st.subheader(t("users.list"))
    if not rows:
        st.info(t("users.empty"))
        return
    st.dataframe(users_frame(rows, store_names), hide_index=True, width="stretch", key="users_table")


def manage_user(admin: str, rows, regions, stores) -> None:
    """Role and scope, password, disable/enable, end sessions, unlock, remove: for one user."""
    if not rows:
        return
    st.subheader(t("users.edit"))
    by_name = {r.username: r for r in rows}
    username = st.selectbox(t("users.pick"), list(by_name), key="users_pick",
                            format_func=lambda u: f"{u} · {by_name[u].name}" if u in by_name else u)
    row = by_name[username]
    k = f"users_edit_{username}"
    with st.container(border=True):
        role = st.selectbox(t("users.role"), ROLES, index=ROLES.index(row.role) if row.role in ROLES else 0,
                            key=f"{k}_role", format_func=_role_label)
        new_regions, new_stores = _scope_inputs(role, regions, stores, row.regions, row.stores, key=k)
        st.caption(t("users.scope_hint"))
        if st.button(t("users.save_role"), key=f"{k}_save", type="primary"):
            try:
                manage.change_role(admin, username, role, new_regions, new_stores)
                _forget(f"{k}_role", f"{k}_regions", f"{k}_stores")
                _done("user_changed", username)
            except ValueError as exc:
                _refused(exc, username)
    with st.container(border=True):
        st.markdown(f"**{t('users.password')}**")
        typed = _password_inputs(k)
        if st.button(t("users.password_reset"), key=f"{k}_reset"):
            try:
                _, generated = manage.reset_password(admin, username, typed)
                _forget(f"{k}_pw", f"{k}_pwmode")
                _done("user_password_reset", username, generated)
            except ValueError as exc:
                _refused(exc, username)
    cols = st.columns(4)
    disabled = row.status == "disabled"
    if cols[0].button(t("users.enable" if disabled else "users.disable"), key=f"{k}_toggle", width="stretch"):
        try:
            manage.set_disabled(admin, username, not disabled)
            _done("user_enabled" if disabled else "user_disabled", username)
        except ValueError as exc:
            _refused(exc, username)
    if cols[1].button(t("users.end_sessions"), key=f"{k}_logout", width="stretch"):
        manage.end_sessions(admin, username)
        _done("user_sessions_ended", username)
    if cols[2].button(t("users.unlock"), key=f"{k}_unlock", width="stretch", disabled=not row.locked_until):
        manage.unlock(admin, username)
        _done("user_unlocked", username)
    confirm = cols[3].checkbox(t("users.remove_confirm"), key=f"{k}_confirm")
    if cols[3].button(t("users.remove"), key=f"{k}_remove", width="stretch", disabled=not confirm):
        try:
            manage.remove(admin, username)
            _forget("users_pick")
            _done("user_removed", username)
        except ValueError as exc:
            _refused(exc, username)


def add_user(admin: str, regions, stores) -> None:
    st.subheader(t("users.add"))
    k = "users_add"
    with st.container(border=True):
        left, right = st.columns(2)
        username = left.text_input(t("users.username"), key=f"{k}_username", max_chars=32)
        name = right.text_input(t("users.name"), key=f"{k}_name", max_chars=64)
        role = st.selectbox(t("users.role"), ROLES, key=f"{k}_role", format_func=_role_label)
        if role in ("region", "store") and not stores:
            st.info(t("users.no_data"))
        new_regions, new_stores = _scope_inputs(role, regions, stores, key=k)
        typed = _password_inputs(k)
        if st.button(t("users.add_submit"), key=f"{k}_submit", type="primary"):
            try:
                user, generated = manage.add(admin, username, role, new_regions, new_stores,
                                             name=name.strip() or None, password=typed)
                _forget(*(f"{k}_{s}" for s in ("username", "name", "role", "regions", "stores", "pw", "pwmode")))
                _done("user_added", user.username, generated)
            except ValueError as exc:
                _refused(exc, username)


def page(admin: str) -> None:
    """The whole page for the signed-in admin `admin`."""
    flash()
    rows = manage.user_rows()
    regions, stores = _choices()
    store_names = {s: n for s, n, _ in stores}
    user_list(rows, store_names)
    manage_user(admin, rows, regions, stores)
    add_user(admin, regions, stores)
