"""A text progress bar for terminals (the CLI); no dependency."""
from __future__ import annotations

import sys
import time


class TextProgress:
    """`progress(fraction, message)` callable drawing one line on a stream:
    redrawn in place on a terminal, one line per step otherwise (logs, CI)."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, fraction: float, message: str) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        done = int(round(fraction * self.width))
        bar = "#" * done + "-" * (self.width - done)
        line = f"[{bar}] {fraction * 100:5.1f}% {time.monotonic() - self.started:6.1f}s {message}"
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if fraction >= 1 else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started
