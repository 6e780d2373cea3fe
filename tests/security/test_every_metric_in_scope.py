"""Every registered metric, for every kind of scope, on a real demo database:
a scope gives exactly what the same narrowing by filter gives an HQ user, a
filter can never widen a scope, and a user with no scope gets nothing.

Comparing against the filter path makes this hold for metrics added later
without writing their expected rows here."""
from datetime import timedelta

import pandas as pd
import pytest

from dashboard import demo
from dashboard.metrics import METRICS, MetricArgs, latest_complete_day
from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import Filters, Scope
from dashboard.store import Database


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("scope-all") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    return Database(path)


@pytest.fixture(scope="module")
def args(db):
    as_of = latest_complete_day(Reader(db, Scope.everything()))
    return MetricArgs(Period(as_of - timedelta(days=13), as_of), as_of)


def run(db, args, name, scope, filters=Filters()):
    return METRICS[name](Reader(db, scope, filters), args).reset_index(drop=True)


def regions_and_stores(db):
    stores = Reader(db, Scope.everything()).query("SELECT store_id, region FROM stores ORDER BY store_id")
    region = stores.region.iloc[0]
    own = sorted(stores[stores.region == region].store_id)[:2]
    foreign = sorted(stores[stores.region != region].store_id)[0]
    return region, own, foreign


@pytest.mark.parametrize("name", sorted(METRICS))
def test_region_scope_equals_region_filter(db, args, name):
    region, _, _ = regions_and_stores(db)
    scoped = run(db, args, name, Scope.of(regions=[region]))
    filtered = run(db, args, name, Scope.everything(), Filters.of(regions=[region]))
    pd.testing.assert_frame_equal(scoped, filtered)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_store_scope_equals_store_filter(db, args, name):
    _, own, _ = regions_and_stores(db)
    scoped = run(db, args, name, Scope.of(stores=own))
    filtered = run(db, args, name, Scope.everything(), Filters.of(stores=own))
    pd.testing.assert_frame_equal(scoped, filtered)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_filters_outside_the_scope_give_what_no_data_gives(db, args, name):
    region, own, foreign = regions_and_stores(db)
    other_region = Reader(db, Scope.everything()).scalar(
        "SELECT min(region) FROM stores WHERE region <> $r", {"r": region})
    empty = run(db, args, name, Scope.nothing())
    for filters in (Filters.of(stores=[foreign]), Filters.of(regions=[other_region])):
        pd.testing.assert_frame_equal(run(db, args, name, Scope.of(regions=[region]), filters), empty)
        pd.testing.assert_frame_equal(run(db, args, name, Scope.of(stores=own), filters), empty)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_no_scope_sees_no_sales(db, args, name):
    df = run(db, args, name, Scope.nothing())
    for col in ("sales", "wemall_sales", "pos_sales", "orders", "members", "guides"):
        if col in df.columns:
            assert df[col].fillna(0).sum() == 0, col
    for col in ("store_id", "guide_id", "region", "brand"):
        if col in df.columns:
            assert df[col].dropna().empty, col
