"""The browser part of `bench --browser`: the real server (`streamlit run
app.py`) and Debian's chromium driven by Playwright, as a user sees it: the
time from pressing 登录 until the first page is drawn, and from picking another
period until the page is redrawn."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from .. import config
from ..ui.i18n import set_language, t

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
IDLE = '[data-test-script-state="notRunning"]'
RUNNING = '[data-test-script-state="running"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(env: dict):
    port = _free_port()
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
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _redrawn(page, timeout_ms: int = 60000) -> None:
    """Until a rerun that may already have started has finished: the script
    state leaves notRunning (if we catch it) and comes back to it, and no
    element is left stale."""
    with contextlib.suppress(Exception):
        page.wait_for_selector(RUNNING, state="attached", timeout=1500)
    page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=timeout_ms)


def browser_pass(env: dict, username: str, password: str) -> dict:
    """{"first_page_ms", "filter_change_ms"} for `username` on a desktop window."""
    from playwright.sync_api import sync_playwright
    set_language("zh")
    with server(env) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.wait_for_selector(IDLE, state="attached", timeout=60000)
            page.locator('input[type="text"]').first.fill(username)
            page.locator('input[type="password"]').first.fill(password)
            t0 = time.perf_counter()
            page.get_by_role("button", name=t("auth.submit"), exact=True).click()
            page.get_by_role("button", name=t("auth.logout")).wait_for(state="attached", timeout=60000)
            _redrawn(page)
            first = (time.perf_counter() - t0) * 1000
            box = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("filter.period")).first
            box.click()
            option = page.get_by_role("option", name=t("period.last30"), exact=True)
            option.wait_for(state="visible", timeout=10000)
            t0 = time.perf_counter()
            option.click()
            _redrawn(page)
            change = (time.perf_counter() - t0) * 1000
            return {"first_page_ms": round(first, 1), "filter_change_ms": round(change, 1)}
        finally:
            browser.close()
