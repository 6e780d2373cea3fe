"""The contract's constraints live in the database: bad rows cannot be stored."""
import duckdb
import pytest

from dashboard import schema


@pytest.fixture
def con():
    c = duckdb.connect()
    schema.create_all(c)
    c.execute("INSERT INTO stores VALUES ('S1','店','B','华东','上海','上海','2020-01-01','10:00','22:00',NULL)")
    return c


def insert_order(con, **over):
    row = dict(order_id="o1", ordered_at="2026-01-01 10:00", channel="pos", store_id="S1", guide_id=None,
               member_id=None, brand="B", amount=100, refund_amount=0, buyer_city=None, share_id=None,
               live_id=None, referrer_member_id=None, coupon_id=None)
    row.update(over)
    con.execute(f"INSERT INTO orders VALUES ({', '.join('?' * len(row))})", list(row.values()))


@pytest.mark.parametrize("over", [
    dict(channel="tmall"),             # enum
    dict(refund_amount=101),           # refund > amount
    dict(refund_amount=-1),            # negative refund
    dict(amount=-5, refund_amount=0),  # negative amount
    dict(store_id=None),               # NOT NULL
    dict(ordered_at=None),
])
def test_bad_orders_are_rejected(con, over):
    with pytest.raises(duckdb.ConstraintException):
        insert_order(con, **over)


def test_duplicate_key_is_rejected(con):
    insert_order(con)
    with pytest.raises(duckdb.ConstraintException):
        insert_order(con)


def test_other_enums_and_ranges(con):
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO guides VALUES ('g1','导购','S1','cashier','2020-01-01',NULL)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO guides VALUES ('g1','导购','S1','guide','2020-01-01','2019-01-01')")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO live_sessions VALUES ('L1','直播','B',NULL,'2026-01-01 20:00','2026-01-01 19:00',0)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO shares VALUES ('sh1','2026-01-01 10:00','g1','S1','weibo',NULL,'sku',NULL)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO group_messages VALUES ('m1','G1','2026-01-01 10:00','robot','x','text',NULL,NULL)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO channels VALUES ('c1','渠道','tv')")


def test_every_contract_table_exists_with_its_columns(con):
    for table, cols in schema.COLUMNS.items():
        got = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        assert got == cols
