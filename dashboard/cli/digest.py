"""`digest --user U [--date D] [--out FILE.md|FILE.png] [--webhook URL]`:
昨日要点 for one user's scope, written to a file, printed, or pushed to a WeCom
group robot (企业微信群机器人) as markdown.

- The scope is the user's, exactly as in the app: an unknown or disabled user is
  refused (exit 2), never given an empty or a wider digest.
- WeCom: POST {"msgtype": "markdown", "markdown": {"content": ...}}; the content
  is at most 4,096 UTF-8 bytes (the robot's limit): longer digests are cut at a
  line and end with a link to the app ($DASHBOARD_PUBLIC_URL + /morning_check).
- Delivery: a timeout per attempt (--timeout, 10 s), retries with exponential
  backoff on timeouts, connection errors and HTTP 5xx / 429 (--retries, 3). The
  robot answers HTTP 200 with {"errcode": 93000, "errmsg": "invalid webhook url"}
  for a wrong key: any errcode ≠ 0 is a rejection, reported plainly, not retried
  (exit 1). The key in the webhook URL is never printed.
- PNG: the digest as an HTML card, screenshotted by headless Chromium
  (/usr/bin/chromium, or $DASHBOARD_CHROMIUM); no plotting library needed.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

from .. import config, settings
from ..metrics import METRICS, latest_complete_day, resolved_options
from ..reader import Reader
from ..store import Database

LIMIT_BYTES = 4096
PAGE = "morning_check"


class DeliveryError(RuntimeError):
    """The robot did not take the message (rejected, or unreachable after retries)."""


def register(sub) -> None:
    p = sub.add_parser("digest", help="昨日要点 for a user's scope: markdown/PNG file or a WeCom group robot",
                       description="The morning digest (昨日要点) for one user's scope.")
    p.add_argument("--user", required=True, help="whose scope (a user of the users file)")
    p.add_argument("--date", type=date.fromisoformat, help="the day (default: the latest complete day)")
    p.add_argument("--db", default=None, help="database file (default: $DASHBOARD_DB or data/demo.duckdb)")
    p.add_argument("--out", help="write to FILE.md (markdown) or FILE.png (image)")
    p.add_argument("--webhook", help="WeCom group-robot webhook URL to push the markdown to")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--url", default=None, help="the app's public address for the link (default: $DASHBOARD_PUBLIC_URL)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per delivery attempt (default 10)")
    p.add_argument("--retries", type=int, default=3, help="retries after a failed attempt (default 3)")
    p.add_argument("--backoff", type=float, default=1.0, help="first retry delay in seconds, doubled each time")
    p.set_defaults(func=run)


def app_link(base: str | None) -> str | None:
    """The morning check's address, from an http(s) base URL; None without one."""
    base = (base or "").strip()
    if not base:
        return None
    if not re.fullmatch(r"https?://[^\s()<>\[\]]+", base):
        raise ValueError(f"DASHBOARD_PUBLIC_URL / --url must be an http(s) address, not {base!r}")
    return base.rstrip("/") + "/" + PAGE


def _user(username: str):
    from ..auth.users import get_user
    user = get_user(username)
    if user is None:
        raise ValueError(f"unknown user {username!r}: no digest")
    if not user.active:
        raise ValueError(f"user {username!r} is disabled: no digest")
    return user


def build_markdown(db: Database, username: str, day: date | None, lang: str = "zh",
                   link: str | None = None) -> tuple[str, object]:
    from .. import digest
    user = _user(username)
    reader = Reader(db, user.scope)
    as_of = day or latest_complete_day(reader)
    if as_of is None:
        raise ValueError("no orders to take a date from: pass --date")
    options = resolved_options(METRICS["morning-digest"], {}, settings.current())
    d = digest.build(reader, as_of, dict(options))
    return digest.markdown(d, lang, link, LIMIT_BYTES), d


def payload(content: str) -> bytes:
    return json.dumps({"msgtype": "markdown", "markdown": {"content": content}}, ensure_ascii=False).encode("utf-8")


def masked(url: str) -> str:
    return re.sub(r"(key=)[^&]+", r"\1***", url)


def send(webhook: str, content: str, timeout: float = 10.0, retries: int = 3, backoff: float = 1.0,
         say=lambda msg: print(msg, file=sys.stderr)) -> dict:
    """POST the markdown to the robot; -> its JSON answer (errcode 0)."""
    if not re.match(r"https?://", webhook or ""):
        raise ValueError("--webhook must be an http(s) URL")
    body = payload(content)
    delay = backoff
    for attempt in range(retries + 1):
        retry_reason = None
        try:
            req = urllib.request.Request(webhook, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                answer = json.loads(resp.read().decode("utf-8") or "{}")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                retry_reason = f"HTTP {exc.code}"
            else:
                raise DeliveryError(f"the robot refused the request: HTTP {exc.code} ({masked(webhook)})") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            retry_reason = f"{type(reason).__name__}: {reason}"
        except json.JSONDecodeError:
            raise DeliveryError("the robot answered something that is not JSON") from None
        else:
            code = answer.get("errcode", 0)
            if code != 0:
                hint = " — check the robot's webhook key" if code in (93000, 40008, 40001, 40014) else ""
                raise DeliveryError(f"WeCom rejected the message: errcode {code} "
                                    f"{answer.get('errmsg', '')}{hint} ({masked(webhook)})")
            return answer
        if attempt < retries:
            say(f"digest: delivery failed ({retry_reason}); retry {attempt + 1}/{retries} in {delay:g} s")
            time.sleep(delay)
            delay *= 2
    raise DeliveryError(f"could not deliver after {retries + 1} attempts ({retry_reason}; {masked(webhook)})")


def html_card(d, lang: str) -> str:
    from .. import digest
    rows, section = [], None
    for title, text in digest.lines_text(d, lang):
        if title != section:
            section = title
            rows.append(f"<h2>{html.escape(title)}</h2>")
        rows.append(f"<p>{html.escape(text)}</p>")
    return ("<!doctype html><meta charset='utf-8'><style>body{margin:0;background:#fff;font-family:'Noto Sans CJK SC',"
            "'Noto Sans SC','WenQuanYi Micro Hei',sans-serif;color:#222}main{width:680px;padding:20px}"
            "h1{font-size:22px;margin:0 0 8px}h2{font-size:16px;margin:14px 0 4px;color:#555}"
            "p{font-size:15px;margin:3px 0;line-height:1.5}</style><main>"
            f"<h1>{html.escape(digest.heading(d.as_of, lang))}</h1>{''.join(rows)}</main>")


def chromium() -> str:
    found = os.environ.get("DASHBOARD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser") \
        or shutil.which("google-chrome")
    if not found:
        raise FileNotFoundError("PNG output needs Chromium (apt-get install chromium) or $DASHBOARD_CHROMIUM")
    return found


def write_png(d, lang: str, out: Path) -> None:
    lines = len(d.lines) + len({ln.section for ln in d.lines})
    height = 90 + 30 * lines
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "digest.html"
        page.write_text(html_card(d, lang), encoding="utf-8")
        shot = Path(tmp) / "digest.png"
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={tmp}/profile", f"--window-size=720,{height}", f"--screenshot={shot}",
               page.as_uri()]
        done = subprocess.run(cmd, capture_output=True, timeout=120)
        if not shot.exists():
            raise RuntimeError("chromium made no screenshot: " + done.stderr.decode("utf-8", "replace")[-500:])
        shutil.move(str(shot), out)


def run(args) -> int:
    db = Database(args.db or config.db_path())
    link = app_link(args.url if args.url is not None else os.environ.get("DASHBOARD_PUBLIC_URL"))
    content, d = build_markdown(db, args.user, args.date, args.lang, link)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() == ".png":
            write_png(d, args.lang, out)
        elif out.suffix.lower() in (".md", ".markdown", ".txt"):
            out.write_text(content + "\n", encoding="utf-8")
        else:
            raise ValueError("--out must end in .md or .png")
    if args.webhook:
        try:
            send(args.webhook, content, args.timeout, max(args.retries, 0), args.backoff)
        except DeliveryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"digest: sent to {masked(args.webhook)} ({len(content.encode('utf-8'))} bytes)", file=sys.stderr)
    if not args.out and not args.webhook:
        sys.stdout.write(content + "\n")
    return 0
