"""morning-movers on the morning check's hand-built day (tests/metrics/
test_morning_check.py): the as-of day 2026-03-10 against the day before.

Ranks: today S3 1, S4 2, S5 3, S6 4, S7 5, S2 6, S1 7, S10 8, S11 8; the day
before S1..S7 were 1..7. So S3..S7 rose 2 places each, S2 fell 4, S1 fell 6;
S10 and S11 sold nothing the day before (no previous rank): new, neither."""
from test_morning_check import db, run  # noqa: F401  (the same hand-built day)

from dashboard.metrics import METRICS


def test_risers_and_fallers(db):  # noqa: F811
    m = run("morning-movers", db)
    # Risers: all +2, ties by today's rank: S3 (1), S4 (2), S5 (3); three shown.
    risers = m[m.direction == "riser"]
    assert list(risers.store_id) == ["S3", "S4", "S5"] and list(risers.rank_change) == [2, 2, 2]
    # Fallers: biggest fall first.
    fallers = m[m.direction == "faller"]
    assert list(fallers.store_id) == ["S1", "S2"] and list(fallers.rank_change) == [-6, -4]
    assert list(fallers.prev_rank) == [1, 2] and list(fallers["rank"]) == [7, 6]
    assert not set(m.store_id) & {"S10", "S11"}            # new to the ranking: neither
    assert list(m.columns) == list(METRICS["morning-movers"].columns)


def test_how_many_is_an_option(db):  # noqa: F811
    m = run("morning-movers", db, movers=1)
    assert list(zip(m.direction, m.store_id)) == [("riser", "S3"), ("faller", "S1")]


def test_a_day_without_a_previous_ranking_has_no_movers(db):  # noqa: F811
    assert run("morning-movers", db, as_of=__import__("datetime").date(2026, 3, 20)).empty
