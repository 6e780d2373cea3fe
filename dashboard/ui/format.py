"""Display conventions of SPEC.md: ¥ with 万/亿, rates as % with one decimal,
rises red and falls green by default (China), switchable to international."""
from __future__ import annotations

import math
import numbers
from contextvars import ContextVar

import numpy as np

from .i18n import language

# China: red = up, green = down. International: green = up, red = down.
RED, GREEN, GREY = "#d62728", "#2ca02c", "#7f7f7f"
_colour_scheme: ContextVar[str] = ContextVar("colour_scheme", default="cn")


def set_colour_scheme(scheme: str) -> None:
    _colour_scheme.set("intl" if scheme == "intl" else "cn")


def colour_scheme() -> str:
    return _colour_scheme.get()


def up_colour() -> str:
    return RED if colour_scheme() == "cn" else GREEN


def down_colour() -> str:
    return GREEN if colour_scheme() == "cn" else RED


def delta_colour(value) -> str:
    if _missing(value) or value == 0:
        return GREY
    return up_colour() if value > 0 else down_colour()


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float):  # numpy float64 too
        return math.isnan(value)
    if isinstance(value, numbers.Integral):  # numpy ints too: never missing (and no str() per cell)
        return False
    return str(value) in ("<NA>", "nan")


def money(value, digits: int = 1) -> str:
    """¥12.3万, ¥1.02亿 in Chinese; ¥123.4K / ¥1.02M in English; '—' when undefined."""
    if _missing(value):
        return "—"
    v = float(value)
    sign = "-" if v < 0 else ""
    v = abs(v)
    if language() == "zh":
        if v >= 1e8:
            return f"{sign}¥{v / 1e8:.2f}亿"
        if v >= 1e4:
            return f"{sign}¥{v / 1e4:.{digits}f}万"
        return f"{sign}¥{v:,.0f}" if v >= 100 or v.is_integer() else f"{sign}¥{v:,.2f}"
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= size:
            return f"{sign}¥{v / size:.{2 if unit != 'K' else digits}f}{unit}"
    return f"{sign}¥{v:,.0f}" if v.is_integer() else f"{sign}¥{v:,.2f}"


def pct(value) -> str:
    """A fraction as a percentage with one decimal: 0.1234 -> 12.3%."""
    if _missing(value):
        return "—"
    return f"{float(value) * 100:.1f}%"


def count(value) -> str:
    if _missing(value):
        return "—"
    v = float(value)
    if language() == "zh" and abs(v) >= 1e4:
        return f"{v / 1e8:.2f}亿" if abs(v) >= 1e8 else f"{v / 1e4:.1f}万"
    return f"{v:,.0f}"


def arrow(value) -> str:
    """▲ / ▼ with the signed percentage, for 环比/同比 growth."""
    if _missing(value):
        return "—"
    mark = "▲" if value > 0 else ("▼" if value < 0 else "")  # no move: plain 0.0%
    return f"{mark}{abs(float(value)) * 100:.1f}%"


def rank_change(value) -> str:
    """↑3, ↓2, — for no move, 新 (New) for no previous rank."""
    if _missing(value):
        return "新" if language() == "zh" else "New"
    v = int(value)
    return f"↑{v}" if v > 0 else (f"↓{-v}" if v < 0 else "—")


def flag(value) -> str:
    if _missing(value):
        return "—"
    yes = value is True or str(value).strip().lower() in ("true", "1", "yes")
    return ("是" if yes else "否") if language() == "zh" else ("Yes" if yes else "No")


def number(value, digits: int = 2) -> str:
    if _missing(value):
        return "—"
    return f"{float(value):,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{float(value):,.0f}"


def rank(value):
    return "—" if _missing(value) else int(value)  # a number, so the table sorts by it


def show(kind: str, value):
    """Any metric value by its declared kind (dashboard/columns.py), as a page shows it.
    Text stays the value itself (tables render it as plain text)."""
    import pandas as pd
    if kind == "money":
        return money(value)
    if kind == "rate":
        return pct(value)
    if kind == "growth":
        return arrow(value)
    if kind == "count":
        return count(value)
    if kind == "rank":
        return rank(value)
    if kind == "rank_change":
        return rank_change(value)
    if kind == "number":
        return number(value)
    if kind == "flag":
        return flag(value)
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if kind == "date" and hasattr(value, "isoformat"):
        return (value.date() if isinstance(value, pd.Timestamp) else value).isoformat()
    if kind == "datetime" and hasattr(value, "isoformat"):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    return value


# The per-value formatter of each numeric kind (show() without its dispatch).
_BY_KIND = {"money": money, "rate": pct, "growth": arrow, "count": count, "rank": rank,
            "rank_change": rank_change, "number": number, "flag": flag}


def _fill(out, mask, fmt_one, *columns) -> None:
    """out[mask] = fmt_one(*row) per row of the masked columns (plain floats)."""
    if mask.any():
        out[mask] = [fmt_one(*row) for row in zip(*(c[mask].tolist() for c in columns))]


def _money_column(x, out) -> None:
    v, neg = np.abs(x), x < 0
    ok = ~np.isnan(x)
    sign = np.where(neg, "-", "")
    if language() == "zh":
        yi = ok & (v >= 1e8)
        wan = ok & ~yi & (v >= 1e4)
        rest = ok & ~yi & ~wan
        whole = rest & ((v >= 100) | (v == np.floor(v)))
        _fill(out, yi, lambda s, a: f"{s}¥{a / 1e8:.2f}亿", sign, v)
        _fill(out, wan, lambda s, a: f"{s}¥{a / 1e4:.1f}万", sign, v)
        _fill(out, whole, lambda s, a: f"{s}¥{a:,.0f}", sign, v)
        _fill(out, rest & ~whole, lambda s, a: f"{s}¥{a:,.2f}", sign, v)
        return
    left = ok.copy()
    for size, unit, places in ((1e9, "B", 2), (1e6, "M", 2), (1e3, "K", 1)):
        here = left & (v >= size)
        _fill(out, here, lambda s, a, size=size, unit=unit, places=places: f"{s}¥{a / size:.{places}f}{unit}",
              sign, v)
        left &= ~here
    whole = left & (v == np.floor(v))
    _fill(out, whole, lambda s, a: f"{s}¥{a:,.0f}", sign, v)
    _fill(out, left & ~whole, lambda s, a: f"{s}¥{a:,.2f}", sign, v)


def _count_column(x, out) -> None:
    ok, v = ~np.isnan(x), np.abs(x)
    if language() == "zh":
        yi, wan = ok & (v >= 1e8), ok & (v >= 1e4) & (v < 1e8)
        _fill(out, yi, lambda a: f"{a / 1e8:.2f}亿", x)
        _fill(out, wan, lambda a: f"{a / 1e4:.1f}万", x)
        ok = ok & ~yi & ~wan
    _fill(out, ok, lambda a: f"{a:,.0f}", x)


def _arrow_column(x, out) -> None:
    ok = ~np.isnan(x)
    mark = np.where(x > 0, "▲", np.where(x < 0, "▼", ""))
    _fill(out, ok, lambda m, a: f"{m}{a * 100:.1f}%", mark, np.abs(x))


def _rank_change_column(x, out) -> None:
    out[np.isnan(x)] = "新" if language() == "zh" else "New"
    _fill(out, x >= 1, lambda a: f"↑{int(a)}", x)
    _fill(out, x <= -1, lambda a: f"↓{-int(a)}", x)
    out[~np.isnan(x) & (np.abs(x) < 1)] = "—"


_COLUMN = {
    "money": _money_column,
    "rate": lambda x, out: _fill(out, ~np.isnan(x), lambda a: f"{a * 100:.1f}%", x),
    "growth": _arrow_column,
    "count": _count_column,
    "rank_change": _rank_change_column,
    "number": lambda x, out: _fill(out, ~np.isnan(x), lambda a: f"{a:,.2f}".rstrip("0").rstrip("."), x),
    "rank": lambda x, out: _fill(out, ~np.isnan(x), int, x),
}


def _numeric_column(kind: str, values):
    """shown() of a plain float or int column, a mask per formatting case
    instead of a call per cell (thousands of guides × a dozen columns on every
    rerun): the same text as the cell formatters, which a test checks."""
    column = _COLUMN.get(kind)
    if column is None:
        return None
    arr = np.asarray(values)
    if arr.dtype.kind not in "fiu" or arr.ndim != 1:
        return None
    if kind == "rank" and arr.dtype.kind in "iu":
        return arr.tolist()
    x = arr.astype(np.float64)
    out = np.full(len(x), "—", dtype=object)
    column(x, out)
    return out.tolist()


def shown(kind: str, values) -> list:
    """[show(kind, v) for v in values], with the kind's formatter chosen once (a
    table of thousands of rows formats each column in one pass)."""
    fast = _numeric_column(kind, values)
    if fast is not None:
        return fast
    one = _BY_KIND.get(kind)
    if one is not None:
        return [one(v) for v in values]
    if kind in ("date", "datetime"):
        return [show(kind, v) for v in values]
    return [v if type(v) is str else show(kind, v) for v in values]  # text: shown as itself
