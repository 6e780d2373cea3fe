"""The app frame's parts: display settings, login, and per-role navigation.

Every page is registered with st.navigation for every role (a refresh on an
unregistered page would show "page not found"); the menu shows only the pages
the role may use, and each restricted page checks the role again itself."""
from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from .scope import Scope
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
    ("admin_load.py", "admin_load", "nav.admin_load", ":material/upload_file:", ("admin",)),
    ("admin_audit.py", "admin_audit", "nav.admin_audit", ":material/receipt_long:", ("admin",)),
)
KNOWN_ROLES = ("hq", "region", "store", "admin")
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


@dataclass(frozen=True)
class SignedIn:
    username: str
    role: str
    scope: Scope


def login() -> SignedIn | None:
    """The login gate (dashboard.auth) runs on every rerun: the signed-in user,
    or None after drawing the login form."""
    from .auth.login import login_gate, logout_button
    user = login_gate()
    if user is None:
        return None
    logout_button()
    from .auth.users import scope_of
    return SignedIn(user.username, user.role, scope_of(user))


def _sign_in_page() -> None:
    """Nothing to draw: the login gate has drawn the form already."""


def _home_page(script: Path):
    """The root URL shows the role's landing page by running its script. A real
    page is never the default: Streamlit serves the default page only at "/",
    so /overview would be "page not found" while the overview was the default."""
    def home() -> None:
        runpy.run_path(str(script), run_name="__main__")
    return home


def navigation_for(role: str | None):
    """Every page, registered for every role (a refresh on any page's URL finds
    it), with the role's landing page as the default; and the pages this role
    may open (none for a role the app does not know). Signed out, the default is
    a sign-in placeholder, so a sign-in at the root URL lands on the role's
    default rather than on whatever page was the default before."""
    pages, allowed = [], []
    if role is None:
        pages.append(st.Page(_sign_in_page, title=t("nav.sign_in"), url_path="sign_in", default=True))
    else:
        landing = DEFAULT_PAGE.get(role, "overview")
        script, _, title_key, icon, _ = next(p for p in PAGES if p[1] == landing)
        pages.append(st.Page(_home_page(PAGES_DIR / script), title=t(title_key), icon=icon,
                             url_path="home", default=True))
    for script, url_path, title_key, icon, roles in PAGES:
        if not (PAGES_DIR / script).exists():
            continue
        page = st.Page(str(PAGES_DIR / script), title=t(title_key), icon=icon, url_path=url_path)
        pages.append(page)
        if role in KNOWN_ROLES and (roles is None or role in roles):
            allowed.append(page)
    return pages, allowed


def sidebar_menu(allowed) -> None:
    with st.sidebar:
        for page in allowed:
            st.page_link(page, label=page.title, icon=page.icon)
        st.divider()
