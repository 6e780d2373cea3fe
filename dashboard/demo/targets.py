"""Monthly sales targets (the `targets` table) the way a plan is set: last
year's sales of the same month × the planned growth, with noise, rounded to
¥100; a few stores get a stretch target and so run behind pace.

Written from the orders already generated (so it runs after them). Months: every
calendar month of the data from its first full month up to the end date's month.
The base of a month is last year's same month when that month is fully in the
data; otherwise (the first year) the month's own sales, a plan that was about
right, with the current month projected from its days so far. The store's
target is split among its guides (role = guide, employed on some day of the
month) in proportion to the part of its sales guides are credited with: 80%
by their share of the store's guide sales that month, 20% evenly by days
employed (a guide hired mid-month gets a part). WeMall targets are set
for stores only (the base's WeMall share of the target).
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .context import Context

GROWTH = 1.10          # planned growth over the base
NOISE = 0.08           # log-normal spread of targets around the plan
STRETCH_SHARE = 0.2    # stores (and their guides) with a stretch target
STRETCH = 1.3


def _months(ctx: Context) -> list[date]:
    first = ctx.start if ctx.start.day == 1 else (ctx.start.replace(day=1) + timedelta(days=32)).replace(day=1)
    out, m = [], first
    while m <= ctx.end:
        out.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return out


def _month_sales(con, key: str) -> pd.DataFrame:
    return con.execute(f"""
        SELECT {key} AS id, strftime(ordered_at, '%Y-%m') AS month,
               sum(amount - refund_amount) AS sales,
               sum(amount - refund_amount) FILTER (WHERE channel = 'wemall') AS wemall
        FROM orders WHERE {key} IS NOT NULL GROUP BY ALL""").df()


def targets_frame(con, ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("targets")
    store_ids = [r[0] for r in con.execute("SELECT store_id FROM stores ORDER BY store_id").fetchall()]
    stretched = set(np.array(store_ids)[rng.random(len(store_ids)) < STRETCH_SHARE])
    guides = con.execute("SELECT guide_id, store_id, hired_on, left_on FROM guides WHERE role = 'guide' "
                         "ORDER BY guide_id").df()
    sales = {"store": _month_sales(con, "store_id"), "guide": _month_sales(con, "guide_id")}
    lookup = {lvl: {(r.id, r.month): (float(r.sales or 0), float(r.wemall or 0)) for r in df.itertuples()}
              for lvl, df in sales.items()}
    stores_open = con.execute("SELECT store_id, opened_on, closed_on FROM stores").df()
    rows = []
    for month in _months(ctx):
        key = month.strftime("%Y-%m")
        days = calendar.monthrange(month.year, month.month)[1]
        last = month.replace(day=days)
        ly = month.replace(year=month.year - 1)
        ly_key = ly.strftime("%Y-%m")
        use_ly = ly >= ctx.start
        project = 1.0 if last <= ctx.end else days / ((ctx.end - month).days + 1)

        def base(level, ident):
            if use_ly:
                s, w = lookup[level].get((ident, ly_key), (0.0, 0.0))
                return s * GROWTH, w * GROWTH
            s, w = lookup[level].get((ident, key), (0.0, 0.0))
            return s * project, w * project

        open_now = stores_open[(stores_open.opened_on <= pd.Timestamp(last))
                               & (stores_open.closed_on.isna() | (stores_open.closed_on >= pd.Timestamp(month)))]
        store_targets = {}
        for sid in open_now.store_id:
            s, w = base("store", sid)
            if s <= 0:  # new this year: plan on this month's pace
                s, w = lookup["store"].get((sid, key), (0.0, 0.0))
                s, w = s * project, w * project
            factor = np.exp(rng.normal(0, NOISE)) * (STRETCH if sid in stretched else 1.0)
            store_targets[sid] = s * factor
            rows.append((key, "store", sid, s * factor, w * factor))
        employed = guides[(guides.hired_on <= pd.Timestamp(last))
                          & (guides.left_on.isna() | (guides.left_on >= pd.Timestamp(month)))]
        for sid, team in employed.groupby("store_id", sort=True):
            if sid not in store_targets:
                continue
            own = np.array([lookup["guide"].get((g, key), (0.0, 0.0))[0] for g in team.guide_id])
            days_on = np.array([(min(pd.Timestamp(lo).date(), last) if pd.notna(lo) else last).toordinal()
                                - max(pd.Timestamp(hi).date(), month).toordinal() + 1
                                for hi, lo in zip(team.hired_on, team.left_on)]) / days
            equal = days_on / days_on.sum()
            share = 0.8 * (own / own.sum() if own.sum() > 0 else equal) + 0.2 * equal
            store_sales = lookup["store"].get((sid, key), (0.0, 0.0))[0]
            credited = min(own.sum() / store_sales, 1.0) if store_sales > 0 else 0.6  # not every sale has a guide
            noise = np.exp(rng.normal(0, NOISE, len(team)))
            for gid, part, f in zip(team.guide_id, share, noise):
                rows.append((key, "guide", gid, store_targets[sid] * credited * part * f, None))
    frame = pd.DataFrame(rows, columns=["month", "level", "target_id", "sales_target", "wemall_target"])
    frame["sales_target"] = (frame["sales_target"] / 100).round() * 100
    frame["wemall_target"] = (frame["wemall_target"] / 100).round() * 100
    return frame


def write_targets(con, ctx: Context) -> int:
    frame = targets_frame(con, ctx)
    con.register("_demo_targets", frame)
    try:
        con.execute("""INSERT INTO targets
            SELECT month, level, target_id, CAST(sales_target AS DECIMAL(14,2)),
                   CAST(wemall_target AS DECIMAL(14,2))
            FROM _demo_targets ORDER BY month, level, target_id""")
    finally:
        con.unregister("_demo_targets")
    return len(frame)
