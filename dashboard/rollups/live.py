"""Live rollups (see dashboard/rollups/__init__.py)."""
from __future__ import annotations

from .model import Rollup

ROLLUPS: tuple[Rollup, ...] = ()
