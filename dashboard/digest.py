"""昨日要点 — a short narrative of the as-of day for a user's scope, by rules.

Every line comes from a registered metric read through the user's Reader (so
the scope is the user's, as in the app), never from free text: the rules pick
what to say, templates in ui/messages/digest.py say it, and data values (store
and guide names) are filled in as plain text, escaped for where the text goes.

    build(reader, as_of, values)        -> Digest (structured lines, pure)
    lines_text(digest, lang)            -> [(section, text)]  plain text (the page escapes it)
    markdown(digest, lang, url, limit)  -> WeCom group-robot markdown, ≤ limit UTF-8 bytes

`values` holds the settings in force by setting name (anomaly_threshold,
fall_places, silent_days...): each metric read here gets the ones its options
are bound to.

Rules (in this order, each section only when it has something to say):
- summary: morning-summary — sales and WeMall sales, vs the day before and the
  same weekday last week.
- movers: morning-stores — the 3 biggest risers and fallers by rank_change
  (new entries are neither).
- anomalies: anomalies on the as-of day — up to 5 by |deviation|, then a count.
- targets: target-summary and morning-behind-pace — the scope's attainment vs
  time progress, the 3 stores furthest behind (largest gap) with gap and needed
  per day, the count of guides behind and the 2 furthest behind.
- community / negative / lives: only when metrics of those names are registered
  at run time (group-activity or morning-community: groups with silent = true;
  negative-messages: rows with replied_within_30m false; morning-lives or
  live-tail over the last 5 days: lives whose ended_at lies within 72 hours
  before the end of the as-of day, and their tail sales so far). A metric that is missing, or
  lacks the columns read, is skipped silently: those pages are built elsewhere.
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from .metrics import METRICS, MetricArgs, resolved_options
from .period import Period
from .reader import Reader
from .ui import format as fmt
from .ui import i18n
from .ui.messages.digest import MESSAGES as DIGEST_MESSAGES

SECTIONS = ("summary", "movers", "anomalies", "targets", "community", "negative", "lives")
TOP_MOVERS, TOP_ANOMALIES, TOP_BEHIND, TOP_GUIDES = 3, 5, 3, 2

# How each placeholder is shown.
MONEY = {"sales", "wemall_sales", "baseline", "gap", "needed", "tail"}
RATE = {"attainment", "progress"}
GROWTH = {"vs_prev_day", "vs_last_week"}
ONE_DECIMAL = {"deviation"}
TEXT = {"name", "store"}   # data values: always escaped


@dataclass(frozen=True)
class Line:
    section: str
    key: str                      # message key in ui/messages/digest.py
    values: dict = field(default_factory=dict)


@dataclass
class Digest:
    as_of: date
    lines: list[Line]

    def names(self) -> list[str]:
        """Every data value (store/guide name) the digest mentions."""
        return [str(v) for line in self.lines for k, v in line.values.items() if k in TEXT]


def direct_runner(reader: Reader, as_of: date, values: dict):
    """run(name, period=None, **overrides) -> the metric's table for `reader` on
    `as_of`, options from `values` (settings by name) unless overridden."""
    def run(name: str, period: Period | None = None, **overrides) -> pd.DataFrame:
        m = METRICS[name]
        bound = {opt: values[o.setting] for opt, o in m.options.items() if o.setting and o.setting in values}
        options = resolved_options(m, {**bound, **overrides})
        return m(reader, MetricArgs(period or Period(as_of, as_of), as_of, options))
    return run


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v


def build(reader: Reader | None, as_of: date, values: dict | None = None, run=None) -> Digest:
    """The digest for `reader`'s scope on `as_of`. `run` (see direct_runner)
    lets the app read the metrics through its cache instead."""
    values = dict(values or {})
    run = run or direct_runner(reader, as_of, values)
    lines: list[Line] = []
    s = run("morning-summary").iloc[0]
    lines.append(Line("summary", "dg.summary", {"sales": float(s["sales"]), "wemall_sales": float(s["wemall_sales"]),
                                                "vs_prev_day": _num(s["sales_vs_prev_day"]),
                                                "vs_last_week": _num(s["sales_vs_last_week"])}))
    stores = run("morning-stores")
    moved = stores[stores["rank_change"].notna() & (stores["rank_change"] != 0)]
    up = moved[moved["rank_change"] > 0].sort_values(["rank_change", "rank", "store_id"],
                                                     ascending=[False, True, True]).head(TOP_MOVERS)
    down = moved[moved["rank_change"] < 0].sort_values(["rank_change", "rank", "store_id"],
                                                       ascending=[True, True, True]).head(TOP_MOVERS)
    for key, part in (("dg.riser", up), ("dg.faller", down)):
        for r in part.itertuples(index=False):
            lines.append(Line("movers", key, {"name": r.store_name, "places": abs(int(r.rank_change)),
                                              "prev": int(r.prev_rank), "now": int(r.rank)}))
    anomalies = run("anomalies")
    anomalies = anomalies[pd.to_datetime(anomalies["day"]).dt.date == as_of] if len(anomalies) else anomalies
    for r in anomalies.head(TOP_ANOMALIES).itertuples(index=False):
        lines.append(Line("anomalies", f"dg.anomaly.{r.direction}",
                          {"name": r.store_name, "sales": r.sales, "baseline": r.baseline,
                           "deviation": abs(r.deviation)}))
    if len(anomalies) > TOP_ANOMALIES:
        lines.append(Line("anomalies", "dg.anomaly.more", {"n": len(anomalies) - TOP_ANOMALIES}))
    lines += _targets(run)
    lines += _optional(run, as_of, values)
    return Digest(as_of, lines)


def _targets(run) -> list[Line]:
    summary = run("target-summary").iloc[0]
    if not int(summary["stores"]):
        return []
    out = [Line("targets", "dg.target_summary", {"attainment": _num(summary["attainment"]),
                                                 "progress": float(summary["time_progress"]),
                                                 "behind": int(summary["behind_stores"]),
                                                 "stores": int(summary["stores"])})]
    behind = run("morning-behind-pace")
    for r in behind[behind["level"] == "store"].head(TOP_BEHIND).itertuples(index=False):
        out.append(Line("targets", "dg.behind_store", {"name": r.name, "attainment": _num(r.attainment),
                                                       "gap": r.gap, "needed": _num(r.needed_per_day)}))
    guides = behind[behind["level"] == "guide"]
    if len(guides):
        all_guides = run("target-attainment", level="guide")
        out.append(Line("targets", "dg.behind_guides", {"behind": len(guides), "guides": len(all_guides)}))
        for r in guides.head(TOP_GUIDES).itertuples(index=False):
            out.append(Line("targets", "dg.behind_guide", {"name": r.name, "store": r.store_name,
                                                           "attainment": _num(r.attainment), "gap": r.gap}))
    return out


def _optional(run, as_of: date, values: dict) -> list[Line]:
    """Sections of pages built elsewhere: used when their metrics are registered."""
    out: list[Line] = []
    rules = (
        (("morning-community", "group-activity"), "community", _community, Period(as_of, as_of)),
        (("negative-messages",), "negative", _negative, Period(as_of, as_of)),
        (("morning-lives", "live-tail"), "lives", _lives, Period(as_of - timedelta(days=4), as_of)),
    )
    for names, section, rule, period in rules:
        name = next((n for n in names if n in METRICS), None)
        if name is None:
            continue
        try:
            df = run(name, period)
            line = rule(df, as_of, values)
        except Exception:  # another area's metric of another shape: skip, never break the digest
            continue
        if line is not None:
            out.append(Line(section, line[0], line[1]))
    return out


def _truthy(series: pd.Series) -> pd.Series:
    """true/false however a metric typed it (bool, 0/1, or text "true")."""
    return series.map(lambda v: str(v).strip().lower() in ("true", "1", "yes"))


def _community(df, as_of, values):
    if "silent" not in df.columns:
        return None
    n = int(_truthy(df["silent"]).sum())
    return ("dg.silent_groups", {"n": n, "days": int(values.get("silent_days", 14))}) if n else None


def _negative(df, as_of, values):
    col = next((c for c in ("replied_within_30m", "replied_in_time", "answered_in_time", "staff_replied") if c in df.columns), None)
    if col is None:
        return None
    n = int((~_truthy(df[col])).sum())
    return ("dg.unanswered", {"n": n}) if n else None


def _lives(df, as_of, values):
    if "tail_sales" not in df.columns or "ended_at" not in df.columns:
        return None
    end = pd.Timestamp(as_of + timedelta(days=1))
    ended = pd.to_datetime(df["ended_at"])
    live = df[(ended < end) & (ended + pd.Timedelta(hours=72) >= end)]
    return ("dg.lives_tail", {"n": len(live), "tail": float(live["tail_sales"].sum())}) if len(live) else None


# ---------------------------------------------------------------- rendering

@contextmanager
def _language(lang: str):
    token = i18n._language.set(lang if lang in i18n.LANGUAGES else "zh")
    try:
        yield
    finally:
        i18n._language.reset(token)


def _template(key: str, lang: str) -> str:
    zh, en = DIGEST_MESSAGES[key]
    return zh if lang == "zh" else en


def _shown(key: str, value, escape) -> str:
    if key in TEXT:
        return escape("" if value is None else str(value))
    if key in MONEY:
        return fmt.money(value)
    if key in RATE:
        return fmt.pct(value)
    if key in GROWTH:
        return fmt.arrow(value)
    if key in ONE_DECIMAL:
        return "—" if value is None else f"{float(value):.1f}"
    return "—" if value is None else str(value)


def line_text(line: Line, lang: str, escape=lambda s: s) -> str:
    with _language(lang):
        return _template(line.key, lang).format(**{k: _shown(k, v, escape) for k, v in line.values.items()})


def heading(as_of: date, lang: str) -> str:
    days = _template("dg.weekday", lang)
    weekday = (days.split(",") if lang == "en" else list(days))[as_of.weekday()]
    return _template("dg.heading", lang).format(day=as_of.isoformat(), weekday=weekday)


def lines_text(digest: Digest, lang: str = "zh") -> list[tuple[str, str]]:
    """(section title, plain text) per line, unescaped: the page shows it as text."""
    return [(_template(f"dg.section.{ln.section}", lang), line_text(ln, lang)) for ln in digest.lines]


# WeCom markdown has no escape character: the characters that would start
# markup become their full-width forms, which read the same.
_MD_SAFE = str.maketrans({"*": "＊", "_": "＿", "[": "［", "]": "］", "(": "（", ")": "）", "`": "｀", "<": "＜",
                          ">": "＞", "#": "＃", "~": "～", "|": "｜", "\n": " ", "\r": " ", "&": "＆", "\\": "＼",
                          "!": "！"})


def md_plain(text: str) -> str:
    return str(text).translate(_MD_SAFE)


def markdown(digest: Digest, lang: str = "zh", url: str | None = None, limit: int = 4096) -> str:
    """WeCom group-robot markdown of the digest, at most `limit` UTF-8 bytes. When
    the lines do not all fit, the rest is cut and a last line points to the app."""
    parts = [f"**{heading(digest.as_of, lang)}**"]  # our own text: a date and a weekday
    section = None
    blocks = []
    for ln in digest.lines:
        text = ""
        if ln.section != section:
            section = ln.section
            text += f"\n**{_template(f'dg.section.{section}', lang)}**\n"
        text += "> " + line_text(ln, lang, md_plain)
        blocks.append(text)
    if not blocks:
        blocks.append(_template("dg.empty", lang))
    more = ("\n" + _template("dg.more", lang).format(url=f"[{url}]({url})")) if url else \
        ("\n" + _template("dg.more_no_url", lang))
    size = lambda s: len(s.encode("utf-8"))  # noqa: E731
    out = parts[0]
    for i, block in enumerate(blocks):
        candidate = out + "\n" + block
        budget = limit if i == len(blocks) - 1 else limit - size(more)
        if size(candidate) <= budget:
            out = candidate
            continue
        # Every line kept so far left room for the pointer to the app.
        return out + more if size(out + more) <= limit else out.encode("utf-8")[:limit].decode("utf-8", "ignore")
    return out


def to_rows(digest: Digest, lang: str = "zh") -> pd.DataFrame:
    """The digest as a table (section, key, values as JSON, text): the metric's rows."""
    return pd.DataFrame([{"section": ln.section, "line": ln.key,
                          "params": json.dumps(ln.values, ensure_ascii=False, default=str),
                          "text": line_text(ln, lang)} for ln in digest.lines],
                        columns=["section", "line", "params", "text"])


def from_rows(df: pd.DataFrame, as_of: date) -> Digest:
    return Digest(as_of, [Line(r.section, r.line, json.loads(r.params)) for r in df.itertuples(index=False)])
