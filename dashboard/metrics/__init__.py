"""Every metric of SPEC.md, one module each; importing this package registers them."""
from . import kpis  # noqa: F401
from .base import METRICS, Metric, MetricArgs, latest_complete_day  # noqa: F401
