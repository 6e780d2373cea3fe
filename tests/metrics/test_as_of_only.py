"""A metric declared `as_of_only` reads the as-of day, never the period: the
app keys its cache on the as-of day alone (runtime/cache.run_metric), which is
only right if any period gives the same table. Checked here for every such
metric on a demo, for HQ and a region, with the periods a user picks."""
from datetime import date, timedelta

import pandas as pd
import pytest

from builders import reader_for
from dashboard import demo
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Scope

AS_OF = date(2026, 11, 22)
DECLARED = sorted(n for n, m in METRICS.items() if m.as_of_only)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("asof") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=7, end_date=AS_OF)
    return path


def test_the_morning_check_and_target_metrics_are_declared():
    assert {"morning-summary", "morning-stores", "morning-attention", "morning-movers", "morning-behind-pace",
            "morning-digest", "target-attainment", "target-summary", "target-by-region", "morning-share",
            "share-attention", "morning-lives", "koc", "morning-community"} <= set(DECLARED)


@pytest.mark.parametrize("name", DECLARED)
def test_any_period_gives_the_same_table(demo_db, name):
    periods = [Period(AS_OF, AS_OF), Period(AS_OF - timedelta(days=29), AS_OF),
               Period(date(2026, 1, 1), AS_OF), Period(date(2025, 12, 1), date(2025, 12, 31))]
    for scope in (Scope.everything(), Scope.of(regions=["华东"])):
        reader = reader_for(demo_db, scope)
        tables = [METRICS[name](reader, MetricArgs(p, AS_OF)) for p in periods]
        for p, table in zip(periods[1:], tables[1:]):
            pd.testing.assert_frame_equal(table, tables[0], obj=f"{name} {scope} {p}")
