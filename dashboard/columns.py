"""Column declarations: what each metric column *is*, declared once.

A metric declares its columns (name, kind, label key) where it is registered;
the screen table, the Excel/CSV export and `metric --list` read the kind from
here instead of guessing from names. A column name means one thing everywhere:
declaring `share_rate` as a rate in one metric and as money in another is an
error at import time, so two views of the same number can never disagree.

Kinds:
  money        CNY amount: ¥ with 万/亿 on screen, #,##0.00 in Excel
  rate         a fraction 0–1: 12.3% on screen, 0.0% in Excel
  growth       a change as a fraction (环比/同比): ▲12.3% / ▼4.0%, 0.0% in Excel
  count        a whole number of things (orders, members, days)
  number       any other number (a multiple, a score, hours)
  rank         a competition rank (1, 2, 2, 4)
  rank_change  previous rank − rank: ↑3 / ↓2 / — / 新
  date         a day
  datetime     a local timestamp
  flag         true/false
  text         ids, names, codes (never a formula in exports)
"""
from __future__ import annotations

from dataclasses import dataclass

KINDS = ("money", "rate", "growth", "count", "number", "rank", "rank_change", "date", "datetime", "flag", "text")


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "text"
    label_key: str | None = None  # message key of its header; default "col.<name>"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r} (one of {', '.join(KINDS)})")

    @property
    def label(self) -> str:
        return self.label_key or f"col.{self.name}"


def col(spec: "str | Col") -> Col:
    """A declaration from "name:kind" (or a Col as it is); a bare name is text."""
    if isinstance(spec, Col):
        return spec
    name, _, kind = str(spec).partition(":")
    return Col(name.strip(), (kind or "text").strip())


def cols(*specs) -> tuple[Col, ...]:
    """`cols("store_id", "sales:money", "share_rate:rate")` — a metric's columns in order."""
    out: list[Col] = []
    for spec in specs:
        if isinstance(spec, (list, tuple)):
            out.extend(col(s) for s in spec)
        else:
            out.append(col(spec))
    return tuple(out)


# Every declared column by name (filled as metrics register).
DECLARED: dict[str, Col] = {}


def declare(columns) -> None:
    for c in columns:
        known = DECLARED.get(c.name)
        if known is not None and known != c:
            raise ValueError(f"column {c.name!r} declared as {known.kind} ({known.label}) and as "
                             f"{c.kind} ({c.label}): a column name means one thing everywhere")
        DECLARED[c.name] = c


def kind_of(name: str, default: str = "text") -> str:
    c = DECLARED.get(str(name))
    return c.kind if c else default


def label_key(name: str) -> str:
    c = DECLARED.get(str(name))
    return c.label if c else f"col.{name}"
