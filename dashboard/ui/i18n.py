"""Message catalog: zh-CN by default, English switchable. Pages never hold UI
strings; they call `t("key")`. Each area keeps its own catalog module in
`ui/messages/` (a dict key -> (zh, en)), merged here.

The language is a ContextVar: Streamlit runs each session's script in its own
thread, so one user's choice never leaks into another's run.
"""
from __future__ import annotations

import importlib
import pkgutil
from contextvars import ContextVar

from . import messages as _messages_pkg

LANGUAGES = ("zh", "en")
_language: ContextVar[str] = ContextVar("language", default="zh")


def _load_catalog() -> dict[str, tuple[str, str]]:
    catalog: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(_messages_pkg.__path__):
        module = importlib.import_module(f"{_messages_pkg.__name__}.{info.name}")
        for key, pair in module.MESSAGES.items():
            if key in catalog and catalog[key] != pair:
                raise ValueError(f"message key {key!r} defined twice with different text")
            catalog[key] = pair
    return catalog


CATALOG = _load_catalog()


def set_language(lang: str) -> None:
    _language.set(lang if lang in LANGUAGES else "zh")


def language() -> str:
    return _language.get()


def t(key: str, **fmt) -> str:
    """The text for `key` in the current language; the key itself if unknown
    (visible in screenshots and caught by the catalog test)."""
    pair = CATALOG.get(key)
    if pair is None:
        return key
    text = pair[0] if language() == "zh" else pair[1]
    return text.format(**fmt) if fmt else text
