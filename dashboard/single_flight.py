"""One computation per key at a time, for the process-wide caches
(runtime.cache.ResultCache, metrics.base.Memo): a caller asking for a key
being computed waits for that computation instead of repeating it (a meeting
opening the same link, every manager's 9 o'clock check)."""
from __future__ import annotations

import threading
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


def get_or_compute(lock: threading.Lock, running: dict[Hashable, threading.Event], key: Hashable,
                   lookup: Callable[[], T | None], compute: Callable[[], T], store: Callable[[T], None]) -> T:
    """lookup() (called holding `lock`) if it has the value, else compute() and
    store() it, once at a time per key: `running` holds the keys being computed.
    A waiter looks again when the computation ends, and computes itself if it
    failed or was not kept. store() takes `lock` itself if it needs it."""
    while True:
        with lock:
            hit = lookup()
            if hit is not None:
                return hit
            event = running.get(key)
            if event is None:  # ours to compute
                event = running[key] = threading.Event()
                break
        event.wait()
    try:
        value = compute()
        store(value)
    finally:
        with lock:
            running.pop(key, None)
        event.set()
    return value
