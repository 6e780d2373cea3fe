"""Every metric of SPEC.md, one module each. Importing this package imports
every module in it, and each registers its metrics with `@metric` (base.py):
a new metric is a new file here, with no list to edit."""
import importlib
import pkgutil

from ..asof import latest_complete_day  # noqa: F401  (re-exported: not a metric, reads all the data)
from .base import METRICS, Metric, MetricArgs, Option, resolved_options  # noqa: F401

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    importlib.import_module(f"{__name__}.{_info.name}")
