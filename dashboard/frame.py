"""The app frame's parts: display settings, login, and per-role navigation.

Every page is registered with st.navigation for every role (a refresh on an
unregistered page would show "page not found"); the menu shows only the pages
the role may use, and the frame refuses to run a page the role may not open
(`page_allowed`, from PAGES alone): a page needs no guard of its own."""
from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

from . import config
from .auth.login import login_gate, logout_button
from .auth.users import ROLES, User
from .ui.components import page_style
from .ui.format import set_colour_scheme
from .ui.i18n import set_language, t

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"

# (script, url path, title key, icon, roles allowed; None = every signed-in role).
# The url path is the script's stem: Streamlit's AppTest.switch_page finds a page by it.
PAGES = (
    ("overview.py", "overview", "nav.overview", ":material/dashboard:", None),
    ("morning_check.py", "morning_check", "nav.morning_check", ":material/wb_sunny:", None),
    ("leaderboards.py", "leaderboards", "nav.leaderboards", ":material/leaderboard:", None),
    ("sharing.py", "sharing", "nav.sharing", ":material/share:", None),
    ("community.py", "community", "nav.community", ":material/groups:", None),
    ("live.py", "live", "nav.live", ":material/live_tv:", None),
    # Every role opens it; spend, cost and ROI only for an unrestricted scope (the page says why).
    ("channels.py", "channels", "nav.channels", ":material/campaign:", None),
    ("admin_load.py", "admin_load", "nav.admin_load", ":material/upload_file:", ("admin",)),
    ("admin_users.py", "admin_users", "nav.admin_users", ":material/manage_accounts:", ("admin",)),
    ("admin_settings.py", "admin_settings", "nav.admin_settings", ":material/tune:", ("admin",)),
    ("admin_audit.py", "admin_audit", "nav.admin_audit", ":material/receipt_long:", ("admin",)),
)
# Regional and store managers open on their morning check; HQ on the overview.
DEFAULT_PAGE = {"region": "morning_check", "store": "morning_check"}


def display_settings() -> None:
    """Language and rise/fall colours: from the URL or the session, set before
    any text is produced, and kept in the URL so a shared link keeps them."""
    qp = st.query_params
    lang = st.session_state.get("set_lang") or qp.get("lang", "zh")
    lang = lang if lang in ("zh", "en") else "zh"
    if "set_colours_intl" in st.session_state:
        colours = "intl" if st.session_state["set_colours_intl"] else "cn"
    else:
        colours = "intl" if qp.get("colours") == "intl" else "cn"
    set_language(lang)
    set_colour_scheme(colours)
    page_style()
    with st.sidebar.expander(t("app.settings")):
        st.radio(t("app.language"), ("zh", "en"), index=("zh", "en").index(lang), horizontal=True,
                 format_func=lambda v: "中文" if v == "zh" else "English", key="set_lang")
        # A toggle, not a radio with translated labels: its value survives a language switch.
        st.toggle(t("app.colours_intl"), value=colours == "intl", key="set_colours_intl")
    for key, value, default in (("lang", lang, "zh"), ("colours", colours, "cn")):
        if value == default and key in qp:
            del qp[key]
        elif value != default and qp.get(key) != value:
            qp[key] = value


def refuse_bad_config() -> None:
    """Stop with a clear message (never a traceback, never a guess) when a
    setting is unusable, e.g. DASHBOARD_DEMO=maybe: before anything reads it."""
    from .auth import settings as auth_settings
    try:
        config.check()
        auth_settings.check()
    except (config.ConfigError, auth_settings.AuthConfigError) as exc:
        st.error(t("auth.config_error", detail=str(exc)))
        st.stop()


def login() -> User | None:
    """The login gate (dashboard.auth) runs on every rerun: the signed-in user
    (with its .scope), or None after drawing the login form."""
    user = login_gate()
    if user is not None:
        logout_button()
    return user


def _home() -> None:
    """The root URL: the signed-in role's landing page (the managers' morning
    check, HQ's overview), run from its script. A real page is never the
    default, because Streamlit serves the default page only at "/" (so its own
    URL would be "page not found"), and the landing is chosen here, at run
    time, because the role is known only after the login gate, which must run
    after st.navigation (see app.py)."""
    from .app_context import current_role
    landing = DEFAULT_PAGE.get(current_role(), "overview")
    script = next(s for s, u, *_ in PAGES if u == landing)
    runpy.run_path(str(PAGES_DIR / script), run_name="__main__")


def all_pages() -> list:
    """Every page, registered for every role and signed out too, so a refresh
    on any page's URL finds it; the menu shows only the allowed ones."""
    pages = [st.Page(_home, title=t("nav.home"), icon=":material/home:", url_path="home", default=True)]
    for script, url_path, title_key, icon, _ in PAGES:
        if (PAGES_DIR / script).exists():
            pages.append(st.Page(str(PAGES_DIR / script), title=t(title_key), icon=icon, url_path=url_path))
    return pages


def page_allowed(url_path: str, role: str | None) -> bool:
    """May `role` open the page at `url_path`? From PAGES alone; the home page
    (the role's landing) for every known role; nothing for an unknown role."""
    if role not in ROLES:
        return False
    if url_path in ("", "home"):
        return True
    roles_by_path = {u: roles for _, u, _, _, roles in PAGES}
    if url_path not in roles_by_path:
        return False
    roles = roles_by_path[url_path]
    return roles is None or role in roles


def allowed_pages(pages: list, role: str) -> list:
    """The pages this role may open, for the menu (none for a role the app does not know)."""
    return [p for p in pages if p.url_path != "home" and page_allowed(p.url_path, role)]


def refuse_unless_allowed(current, role: str) -> None:
    """The frame's guard: the page about to run must be one the role may open."""
    if not page_allowed(getattr(current, "url_path", ""), role):
        st.error(t("app.forbidden"))
        st.stop()


def sidebar_menu(allowed) -> None:
    with st.sidebar:
        for page in allowed:
            st.page_link(page, label=page.title, icon=page.icon)
        st.divider()
