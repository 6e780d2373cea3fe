"""The demo's monthly targets: every store open and every guide employed in the
end month has one; some stores run behind pace and some ahead."""
from datetime import timedelta

from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import Scope
from dashboard.store import Database

from conftest import END


def test_every_open_store_and_employed_guide_has_a_target(demo):
    month = END.strftime("%Y-%m")
    first = END.replace(day=1)
    missing_stores = demo.rows("""
        SELECT store_id FROM stores WHERE opened_on <= $end AND (closed_on IS NULL OR closed_on >= $first)
        EXCEPT SELECT target_id FROM targets WHERE level = 'store' AND month = $month""",
                               {"end": END, "first": first, "month": month})
    assert missing_stores == []
    missing_guides = demo.rows("""
        SELECT g.guide_id FROM guides g JOIN stores s USING (store_id)
        WHERE g.role = 'guide' AND g.hired_on <= $end AND (g.left_on IS NULL OR g.left_on >= $first)
          AND s.opened_on <= $end AND (s.closed_on IS NULL OR s.closed_on >= $first)
        EXCEPT SELECT target_id FROM targets WHERE level = 'guide' AND month = $month""",
                               {"end": END, "first": first, "month": month})
    assert missing_guides == []
    assert demo.one("SELECT count(DISTINCT month) FROM targets") >= 12
    assert demo.one("SELECT min(sales_target) FROM targets") >= 0


def test_some_stores_behind_pace_and_some_ahead(demo):
    reader = Reader(Database(demo.path), Scope.everything())
    df = METRICS["target-attainment"](reader, MetricArgs(Period(END, END), END, (("level", "store"),)))
    behind = df["behind"].mean()
    assert 0.15 <= behind <= 0.7, behind
    assert df["attainment"].median() > 0.5
    earlier = END - timedelta(days=40)
    assert len(METRICS["target-attainment"](reader, MetricArgs(Period(earlier, earlier), earlier,
                                                               (("level", "guide"),)))) > 0
