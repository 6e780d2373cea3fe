"""Member tags: a few attribute tags from guides' notes, plus lifecycle tags
(高价值, 沉睡, 新客) derived from the generated orders."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import names
from .context import Context
from .writer import GUIDE, MEMBER, insert


def attribute_tags(ctx: Context, members) -> pd.DataFrame:
    rng = ctx.rng("member_tags")
    n, k = members.n, len(names.ATTRIBUTE_TAGS)
    first = rng.integers(0, k, n)
    o1 = rng.integers(1, k, n)
    o2 = rng.integers(1, k - 1, n)
    o2 = np.where(o2 >= o1, o2 + 1, o2)  # distinct from the second tag
    second, third = (first + o1) % k, (first + o2) % k
    how_many = 1 + (rng.random(n) < 0.6) + (rng.random(n) < 0.25)
    m = np.concatenate([np.arange(n), np.nonzero(how_many >= 2)[0], np.nonzero(how_many >= 3)[0]])
    tag = np.concatenate([first, second[how_many >= 2], third[how_many >= 3]])
    joined = np.maximum(members.joined[m], 0)
    at = joined + (rng.random(len(m)) * (ctx.end_seconds - joined)).astype("int64")
    by = np.where(rng.random(len(m)) < 0.7, members.guide[m], -1)
    return pd.DataFrame({"m": m, "tag": pd.Categorical.from_codes(tag, names.ATTRIBUTE_TAGS), "g": by,
                         "tagged_at": ctx.timestamps(at)})


def write_tags(con, ctx: Context, members) -> None:
    write_attribute_tags(con, ctx, members)
    write_lifecycle_tags(con, ctx)


def write_attribute_tags(con, ctx: Context, members, member_offset: int = 0, guide_offset: int = 0) -> None:
    insert(con, "member_tags", attribute_tags(ctx, members),
           {"member_id": MEMBER(off=member_offset), "tagged_by": GUIDE(off=guide_offset)}, "m, tag")


def write_lifecycle_tags(con, ctx: Context) -> None:
    """高价值/沉睡/新客 over every order and member already written."""
    end = ctx.end.isoformat()
    tag_time = f"TIMESTAMP '{end} 02:00:00'"
    con.execute(f"""
        INSERT INTO member_tags
        SELECT member_id, '高价值', NULL, {tag_time} FROM (
            SELECT member_id, sum(amount - refund_amount) AS net FROM orders
            WHERE member_id IS NOT NULL GROUP BY member_id)
        QUALIFY percent_rank() OVER (ORDER BY net) >= 0.9
        UNION ALL
        SELECT member_id, '沉睡', NULL, {tag_time} FROM orders WHERE member_id IS NOT NULL
        GROUP BY member_id HAVING max(ordered_at) < DATE '{end}' - INTERVAL 90 DAY
        UNION ALL
        SELECT member_id, '新客', NULL, least(joined_at + INTERVAL 1 HOUR, TIMESTAMP '{end} 23:59:59')
        FROM members WHERE joined_at >= DATE '{end}' - INTERVAL 29 DAY
        ORDER BY 1, 2""")


def write_shard_lifecycle_tags(con, ctx: Context, first: int, n: int) -> None:
    """A shard's lifecycle tags, right after its members and orders (their ids
    M{first+1}..M{first+n}): 沉睡 and 新客 as in a plain build (a shard's members
    buy in its stores only); 高价值 is the top decile of the shard's (the
    region's) members. Inserting them shard by shard keeps the member_tags
    primary-key index work local (one insert over every member of 100M orders
    ran out of DuckDB memory)."""
    end = ctx.end.isoformat()
    tag_time = f"TIMESTAMP '{end} 02:00:00'"
    rng = {"lo": f"M{first + 1:08d}", "hi": f"M{first + n:08d}"}
    con.execute(f"""
        INSERT INTO member_tags
        SELECT member_id, '高价值', NULL, {tag_time} FROM (
            SELECT member_id, sum(amount - refund_amount) AS net FROM orders
            WHERE member_id BETWEEN $lo AND $hi GROUP BY member_id)
        QUALIFY percent_rank() OVER (ORDER BY net) >= 0.9
        UNION ALL
        SELECT member_id, '沉睡', NULL, {tag_time} FROM orders WHERE member_id BETWEEN $lo AND $hi
        GROUP BY member_id HAVING max(ordered_at) < DATE '{end}' - INTERVAL 90 DAY
        UNION ALL
        SELECT member_id, '新客', NULL, least(joined_at + INTERVAL 1 HOUR, TIMESTAMP '{end} 23:59:59')
        FROM members WHERE member_id BETWEEN $lo AND $hi AND joined_at >= DATE '{end}' - INTERVAL 29 DAY
        ORDER BY 1, 2""", rng)
