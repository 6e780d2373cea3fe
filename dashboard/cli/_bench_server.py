"""The concurrent part of `bench --sessions N`: N users of ONE real Streamlit
server (`streamlit run app.py`), as production runs it — one process, one
read-only DuckDB database shared through cursors, one metric cache shared by
every session (each keyed by the user's scope) — each user a websocket client
speaking Streamlit's own protocol (the protobuf BackMsg/ForwardMsg the browser
sends and receives), so the figure is the server's time and no browser's.

A user signs in through the real login form, opens each page and goes
through the filter changes of the AppTest pass (period, region, store,
drill-down), each one a rerun timed from the request until the server reports
the script finished. Every session has its own region and store, so the
shared cache does not make their work free. `think_ms` is the pause between a
user's clicks (0: back to back, a stress test)."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from tornado.websocket import websocket_connect

from ..ui.i18n import set_language, t

TIMEOUT = 300


@dataclass
class Widgets:
    """The widgets of the last run, by key (the end of a keyed widget's id)."""
    by_key: dict = field(default_factory=dict)     # key -> (kind, proto)
    submit: object = None                           # the form's submit button

    def see(self, element) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind, None) if kind else None
        wid = getattr(proto, "id", "") if proto is not None else ""
        if not wid:
            return
        if kind == "button" and getattr(proto, "is_form_submitter", False):
            self.submit = proto
        key = wid.rsplit("-", 1)[-1] if wid.startswith("$$ID-") else None
        if key:
            self.by_key[key] = (kind, proto)


class Session:
    """One user's websocket session with the server."""

    def __init__(self, url: str):
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.query = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}   # url path -> page script hash
        self.widgets = Widgets()
        self.states: dict[str, object] = {}  # widget id -> WidgetState we set (sent every run)
        self.errors: list[str] = []

    async def open(self) -> None:
        self.ws = await websocket_connect(self.url, subprotocols=["streamlit"])

    async def run(self, triggers=()) -> float:
        """One rerun with our widget states (and one-off triggers); ms until the
        script finished, having read every message of the run."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        rerun.page_script_hash = self.page_hash
        for state in [*self.states.values(), *triggers]:
            rerun.widget_states.widgets.append(state)
        self.widgets = Widgets()
        t0 = time.perf_counter()
        await self.ws.write_message(msg.SerializeToString(), binary=True)
        await self._until_finished()
        return (time.perf_counter() - t0) * 1000

    async def _until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        started = False
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            raw = await asyncio.wait_for(self.ws.read_message(), TIMEOUT)
            if raw is None:
                raise RuntimeError("the server closed the session")
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                started = True
                for page in fm.new_session.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
                self.page_hash = fm.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                for page in fm.navigation.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element = fm.delta.new_element
                if element.WhichOneof("type") == "exception":
                    self.errors.append(element.exception.message)
                self.widgets.see(element)
            elif kind == "script_finished" and started:
                # 0 = finished successfully; a rerun the script asked for
                # (st.rerun) is followed by a new run: wait for it too.
                if fm.script_finished == 3:  # FINISHED_EARLY_FOR_RERUN
                    continue
                return
        raise TimeoutError("no script_finished in time")

    def set(self, key: str, value) -> bool:
        """Set a keyed widget as a user would: a selectbox by its option's text,
        a multiselect by option texts (found by the start of the text)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        found = self.widgets.by_key.get(key)
        if found is None:
            return False
        kind, proto = found
        state = WidgetState(id=proto.id)
        if kind == "selectbox":
            state.string_value = value
        elif kind == "multiselect":
            picked = [o for o in proto.options for v in value if o == v or o.startswith(v) or f"({v})" in o]
            state.string_array_value.data.extend(picked)
        elif kind == "text_input":
            state.string_value = value
        else:
            return False
        self.states[proto.id] = state
        return True

    def clear(self, *keys: str) -> None:
        for key in keys:
            found = self.widgets.by_key.get(key)
            if found is not None:
                self.states.pop(found[1].id, None)

    async def sign_in(self, username: str, password: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        await self.open()
        await self.run()
        self.set("auth_username", username)
        self.set("auth_password", password)
        if self.widgets.submit is None:
            raise RuntimeError("no login form")
        await self.run([WidgetState(id=self.widgets.submit.id, trigger_value=True)])
        self.states.clear()  # the form's values go with its submit only

    async def open_page(self, url_path: str) -> float:
        if url_path not in self.pages:
            raise RuntimeError(f"no page {url_path!r} for this user")
        self.page_hash = self.pages[url_path]
        self.query = ""
        return await self.run()


def _labels() -> dict[str, str]:
    set_language("zh")
    return {p: t(f"period.{p}") for p in ("last30", "this_week", "this_year", "yesterday")}


def _with_query(query: str, **params) -> str:
    """The URL query with `params` set (None: removed), as a user's link click."""
    from urllib.parse import parse_qsl, urlencode
    pairs = [(k, v) for k, v in parse_qsl(query) if k not in params]
    return urlencode(pairs + [(k, v) for k, v in params.items() if v is not None])


def _steps(s: Session, region: str, store: str) -> list:
    """The AppTest pass's filter changes (see _bench_app.changes), as a user makes them."""
    period = _labels()

    def query(**params):
        return lambda: setattr(s, "query", _with_query(s.query, **params)) or True
    return [
        lambda: s.set("fb_preset", period["last30"]),
        lambda: s.set("fb_preset", period["this_week"]),
        lambda: s.set("fb_preset", period["this_year"]),
        lambda: s.set("fb_preset", period["yesterday"]),
        lambda: s.set("fb_region", [region]),
        lambda: s.set("fb_store", [store]),
        lambda: s.set("fb_store", []) and s.set("fb_region", []),
        query(drill_region=region),
        query(drill_region=region, drill_store=store),
        query(drill_region=None, drill_store=None),
    ]


async def _one_user(url: str, username: str, password: str, pages: list[str], region: str, store: str,
                    think_ms: float, signed_in: list, start: asyncio.Event, times: list, errors: list) -> None:
    s = Session(url)
    try:
        await s.sign_in(username, password)
        signed_in.append(s)
        await start.wait()
        for page in pages:
            times.append(await s.open_page(page))
            for step in _steps(s, region, store):
                if not step():
                    continue
                if think_ms:
                    await asyncio.sleep(think_ms / 1000)
                times.append(await s.run())
        errors.extend(s.errors)
    except Exception as exc:  # noqa: BLE001 - a session's failure is a reported result
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        signed_in.append(None)  # counts as arrived, so the others never wait for it
        if s.ws is not None:
            s.ws.close()


async def _users(url, username, password, pages, at, think_ms):
    times: list[float] = []
    errors: list[str] = []
    arrived: list = []
    start = asyncio.Event()
    tasks = [asyncio.create_task(_one_user(url, username, password, pages, r, s, think_ms, arrived, start,
                                           times, errors)) for r, s in at]
    deadline = time.time() + TIMEOUT
    while len(arrived) < len(at) and time.time() < deadline and not all(t.done() for t in tasks):
        await asyncio.sleep(0.05)  # everyone signs in first, then all click at once
    start.set()
    await asyncio.gather(*tasks)
    return times, errors


async def _clear_cache(url: str) -> None:
    """Empty the server's metric cache (the BackMsg the "Clear cache" menu sends)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    s = Session(url)
    await s.open()
    msg = BackMsg()
    msg.clear_cache = True
    await s.ws.write_message(msg.SerializeToString(), binary=True)
    await asyncio.sleep(0.5)
    s.ws.close()


def run_async(make) -> object:
    """asyncio.run(make()) on a thread of its own: the caller's thread may
    already run an event loop (Playwright's sync API does), where asyncio.run
    is refused."""
    import threading
    out: dict = {}

    def target():
        try:
            out["value"] = asyncio.run(make())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = exc
    thread = threading.Thread(target=target, name="bench-sessions")
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def sessions(url: str, username: str, password: str, pages: list[str], at: list[tuple[str, str]],
             think_ms: float = 0, clear_cache: bool = True) -> tuple[list[float], list[str]]:
    """Every rerun's ms and the errors of len(at) users at once, one per
    (region, store), on the server at `url` (its cache emptied first)."""
    if clear_cache:
        run_async(lambda: _clear_cache(url))
    return run_async(lambda: _users(url, username, password, pages, at, think_ms))
