"""The browser part of `bench --browser`: the real server (`streamlit run
app.py`) and Debian's chromium driven by Playwright, as a user sees it: the
time from pressing 登录 until the first page is drawn, and from picking another
period until the page is redrawn."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request

from .. import config
from ..chromium import CHROMIUM, CHROMIUM_ARGS, free_port
from ..ui.i18n import set_language, t

IDLE = '[data-test-script-state="notRunning"]'
RUNNING = '[data-test-script-state="running"]'


@contextlib.contextmanager
def server(env: dict):
    with server_process(env) as (url, _):
        yield url


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set of a live process (Linux /proc), in MB."""
    try:
        for line in open(f"/proc/{pid}/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a live process has used so far (Linux /proc), in seconds."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            # Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


@contextlib.contextmanager
def server_process(env: dict):
    """`streamlit run app.py` on a free port: yields (url, process) once healthy."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=config.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    try:
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("streamlit did not start")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# Records every change of Streamlit's script state with its time, so a rerun's
# end is known to the millisecond, however fast it was.
WATCH = """() => {
  window.__st = [];
  new MutationObserver(ms => { for (const m of ms) window.__st.push(
      [m.target.getAttribute('data-test-script-state'), performance.now()]); })
    .observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
  return performance.now();
}"""
SETTLED = """([since, quiet]) => {
  const runs = window.__st.filter(r => r[1] >= since);
  const state = document.querySelector('[data-test-script-state]');
  if (!state || state.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!runs.some(r => r[0] === 'running')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  return performance.now() - runs[runs.length - 1][1] >= quiet;
}"""
LAST_END = "() => { const ends = window.__st.filter(r => r[0] === 'notRunning'); return ends[ends.length - 1][1]; }"


def _until_settled(page, since: float, quiet_ms: int = 700, timeout_ms: int = 120000) -> float:
    """Wait until the reruns started after `since` are over (no new one for
    `quiet_ms`); the ms from `since` to the end of the last one."""
    page.wait_for_function(SETTLED, arg=[since, quiet_ms], timeout=timeout_ms, polling=100)
    return page.evaluate(LAST_END) - since


def _login(page, url, username, password, attempts: int = 3) -> float:
    """Sign in; the ms from pressing 登录 to the first page settled. A form
    drawn by a cold server's first run can be redrawn under the typing: then
    the sign-in is retried on a fresh load."""
    for attempt in range(attempts):
        page.goto(url)
        page.locator('input[type="password"]').first.wait_for(state="visible", timeout=120000)
        page.wait_for_selector(IDLE, state="attached", timeout=120000)
        page.wait_for_timeout(1000)
        user_box, pass_box = page.locator('input[type="text"]').first, page.locator('input[type="password"]').first
        user_box.fill(username)
        pass_box.fill(password)
        if user_box.input_value() != username or pass_box.input_value() != password:
            continue
        since = page.evaluate(WATCH)
        page.get_by_role("button", name=t("auth.submit"), exact=True).click()
        try:
            page.get_by_role("button", name=t("auth.logout")).wait_for(state="attached", timeout=120000)
        except Exception:  # noqa: BLE001 - retried below, raised on the last attempt
            if attempt == attempts - 1:
                raise
            continue
        return _until_settled(page, since)
    raise RuntimeError("could not sign in")


def browser_pass(env: dict, username: str, password: str) -> dict:
    """{"first_page_ms", "filter_change_ms"} for `username` on a desktop window,
    on a warm server (one sign-in before, as the server is after its first
    visitor: modules imported, the file's blocks read)."""
    from playwright.sync_api import sync_playwright
    set_language("zh")
    with server(env) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            warm = browser.new_context(viewport={"width": 1280, "height": 900})
            _login(warm.new_page(), url, username, password)
            warm.close()
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            first = _login(page, url, username, password)
            box = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("filter.period")).first
            box.click()
            option = page.get_by_role("option", name=t("period.last30"), exact=True)
            option.wait_for(state="visible", timeout=10000)
            since = page.evaluate(WATCH)
            option.click()
            change = _until_settled(page, since)
            return {"first_page_ms": round(first, 1), "filter_change_ms": round(change, 1)}
        finally:
            browser.close()
