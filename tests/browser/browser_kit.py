"""Helpers for the browser tests: start the app, wait for Streamlit, sign in, look."""
from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dashboard.chromium import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: F401  (re-exported to the tests)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}






@contextlib.contextmanager
def running_app(app_env):
    """`streamlit run app.py` on a free port until the block ends."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=app_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("streamlit did not start:\n" + proc.stdout.read().decode(errors="replace"))
        time.sleep(0.3)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_idle(page, timeout=30000):
    """Until the script has finished its run (Streamlit's own e2e convention)."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached", timeout=timeout)


def _sign_in(page, username, password):
    page.locator('input[type="text"]').first.fill(username)
    page.locator('input[type="password"]').first.fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    wait_idle(page)


def login(page, url, username, password):
    page.goto(url)
    wait_idle(page)
    _sign_in(page, username, password)
    # Signed in: the logout button exists (in the sidebar, collapsed on a phone).
    signed_in = page.get_by_role("button", name="退出登录")
    try:
        signed_in.wait_for(state="attached", timeout=45000)
    except Exception:  # noqa: BLE001 - say what the page showed, then try once more
        # On a loaded machine a click on 登录 made while the form's first run was
        # still arriving has been seen to go unanswered; a person clicks again.
        print(f"login as {username}: not signed in after 45 s; the page shows: "
              f"{page.inner_text('body')[:600]!r}", file=sys.stderr)
        screenshot(page, f"login_retry_{username}")
        if page.get_by_role("button", name="登录", exact=True).count():
            _sign_in(page, username, password)
        signed_in.wait_for(state="attached", timeout=90000)
    wait_idle(page)


def screenshot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def open_sidebar(page):
    """On a phone the sidebar starts collapsed."""
    button = page.locator('[data-testid="stExpandSidebarButton"]')
    if button.count() and button.first.is_visible():
        button.first.click()
        wait_idle(page)
