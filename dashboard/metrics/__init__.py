"""Every metric of SPEC.md, one module each; importing this package registers them."""
from . import kpis, sales_breakdown, sales_trend  # noqa: F401
from . import store_leaderboard, guide_leaderboard, guide_concentration, morning_check  # noqa: F401  (issue 4)
from .base import METRICS, Metric, MetricArgs, latest_complete_day  # noqa: F401
