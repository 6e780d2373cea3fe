"""The community metrics as they were computed before the rollups: straight
from the raw scoped group_messages, group_members, orders and shares, through
the same scope gate. Kept here, in the tests only, as the reference the
rollups (dashboard/rollups/community.py) must equal exactly. The SQL is the
product's former SQL, unchanged; the former in-process per-(group, day) cache
is its own SQL run through the scope (the same rows it kept for a scope)."""


from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from dashboard import sentiment
from dashboard.metrics.base import ratio
from dashboard.metrics.community import day_end, day_start, koc_window
from dashboard.metrics import community_changes as _cc, community_overview as _co, community_trend as _ct
from dashboard.metrics import group_activity as _ga, group_daily as _gd, group_hours as _gh
from dashboard.metrics import group_message_types as _gt, koc as _koc, negative_messages as _neg
from dashboard.metrics import morning_community as _mc
from dashboard.period import Period


MEMBERS_ON_DAY = """
  SELECT group_id, count(DISTINCT member_id) AS members
  FROM group_members
  WHERE joined_at < $day_end AND (left_at IS NULL OR left_at > $day_start)
  GROUP BY group_id
"""


GROUP_DAYS_SQL = """
SELECT group_id, day,
       count(*) FILTER (WHERE sender_type = 'member') AS active_members,
       coalesce(sum(n) FILTER (WHERE sender_type = 'member'), 0) AS member_messages,
       coalesce(sum(n) FILTER (WHERE sender_type = 'staff'), 0) AS staff_messages,
       coalesce(sum(n) FILTER (WHERE sender_type = 'bot'), 0) AS bot_messages
FROM (
  SELECT group_id, CAST(sent_at AS DATE) AS day, sender_type, sender_id, count(*) AS n
  FROM group_messages
  GROUP BY group_id, CAST(sent_at AS DATE), sender_type, sender_id
) AS sender_days
GROUP BY group_id, day
"""


GROUP_ACTIVITY_SQL = f"""
WITH mem AS ({MEMBERS_ON_DAY}),
shared AS (
  SELECT share_id, net FROM orders
  WHERE ordered_at >= $start AND ordered_at < $end AND share_id IS NOT NULL
),
-- The period's share ids bound the shares read (exact; fast where ids follow time).
bounds AS (SELECT min(share_id) AS lo, max(share_id) AS hi FROM shared),
group_shares AS (
  SELECT share_id, group_id FROM shares
  WHERE group_id IS NOT NULL AND share_id >= (SELECT lo FROM bounds) AND share_id <= (SELECT hi FROM bounds)
),
sales AS (
  SELECT s.group_id, sum(o.net) AS wemall_sales
  FROM shared o JOIN group_shares s ON s.share_id = o.share_id
  GROUP BY s.group_id
)
SELECT g.group_id, g.group_name, g.store_id, g.kind,
       g.created_at < $day_end AND (g.dissolved_at IS NULL OR g.dissolved_at > $day_start) AS existing,
       coalesce(mem.members, 0) AS members,
       CAST(coalesce(sales.wemall_sales, 0) AS DOUBLE) AS wemall_sales
FROM groups g
LEFT JOIN mem ON mem.group_id = g.group_id
LEFT JOIN sales ON sales.group_id = g.group_id
ORDER BY g.group_id
"""


GROUP_DAILY_SQL = """
WITH g AS (
  SELECT group_id FROM groups WHERE ($group IS NULL OR group_id = $group)
),
days AS (
  SELECT CAST(d AS DATE) AS day
  FROM generate_series(CAST($first_day AS TIMESTAMP), CAST($last_day AS TIMESTAMP), INTERVAL 1 DAY) AS t(d)
),
grid AS (SELECT g.group_id, days.day FROM g CROSS JOIN days),
gm AS (
  SELECT group_id, member_id, joined_at, left_at FROM group_members
  WHERE group_id IN (SELECT group_id FROM g) AND joined_at < $end AND (left_at IS NULL OR left_at >= $start)
),
-- Members on a day, without a day × membership join: each membership row covers
-- the days [joined day, the day of left_at − 1µs] (left_at > a day's start);
-- overlapping rows of one member merge into islands (a member counts once);
-- an island adds 1 from its first day and removes it the day after its last.
spans AS (
  SELECT group_id, member_id, CAST(joined_at AS DATE) AS first_day,
         coalesce(CAST(left_at - INTERVAL 1 MICROSECOND AS DATE), DATE '9999-12-30') AS last_day
  FROM gm
),
marked AS (
  SELECT *, CASE WHEN first_day <= max(last_day) OVER (
                   PARTITION BY group_id, member_id ORDER BY first_day, last_day
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS starts
  FROM spans WHERE last_day >= first_day
),
numbered AS (
  SELECT *, sum(starts) OVER (PARTITION BY group_id, member_id ORDER BY first_day, last_day
                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM marked
),
islands AS (
  SELECT group_id, min(first_day) AS first_day, max(last_day) AS last_day
  FROM numbered GROUP BY group_id, member_id, island
),
deltas AS (
  SELECT group_id, day, sum(delta) AS delta FROM (
    SELECT group_id, greatest(first_day, CAST($first_day AS DATE)) AS day, 1 AS delta FROM islands
    UNION ALL
    SELECT group_id, CAST(last_day + INTERVAL 1 DAY AS DATE) AS day, -1 AS delta FROM islands
    WHERE last_day < CAST($last_day AS DATE)
  ) AS d GROUP BY group_id, day
),
day_members AS (
  SELECT grid.group_id, grid.day,
         sum(coalesce(deltas.delta, 0)) OVER (PARTITION BY grid.group_id ORDER BY grid.day
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS members
  FROM grid LEFT JOIN deltas ON deltas.group_id = grid.group_id AND deltas.day = grid.day
),
joins AS (
  SELECT group_id, CAST(joined_at AS DATE) AS day, count(*) AS members_joined FROM gm
  WHERE joined_at >= $start AND joined_at < $end GROUP BY group_id, CAST(joined_at AS DATE)
),
leaves AS (
  SELECT group_id, CAST(left_at AS DATE) AS day, count(*) AS members_left FROM gm
  WHERE left_at >= $start AND left_at < $end GROUP BY group_id, CAST(left_at AS DATE)
),
msgs AS (
  SELECT group_id, CAST(sent_at AS DATE) AS day,
         count(DISTINCT sender_id) FILTER (WHERE sender_type = 'member') AS active_members,
         count(*) FILTER (WHERE sender_type = 'member') AS member_messages,
         count(*) FILTER (WHERE sender_type = 'staff') AS staff_messages,
         count(*) FILTER (WHERE sender_type = 'bot') AS bot_messages
  FROM group_messages
  WHERE sent_at >= $start AND sent_at < $end AND group_id IN (SELECT group_id FROM g)
  GROUP BY group_id, CAST(sent_at AS DATE)
)
SELECT grid.group_id, grid.day,
       coalesce(day_members.members, 0) AS members,
       coalesce(joins.members_joined, 0) AS members_joined,
       coalesce(leaves.members_left, 0) AS members_left,
       coalesce(msgs.active_members, 0) AS active_members,
       coalesce(msgs.member_messages, 0) AS member_messages,
       coalesce(msgs.staff_messages, 0) AS staff_messages,
       coalesce(msgs.bot_messages, 0) AS bot_messages
FROM grid
LEFT JOIN day_members ON day_members.group_id = grid.group_id AND day_members.day = grid.day
LEFT JOIN joins ON joins.group_id = grid.group_id AND joins.day = grid.day
LEFT JOIN leaves ON leaves.group_id = grid.group_id AND leaves.day = grid.day
LEFT JOIN msgs ON msgs.group_id = grid.group_id AND msgs.day = grid.day
ORDER BY grid.group_id, grid.day
"""


GROUP_HOURS_SQL = """
SELECT CAST(extract(hour FROM sent_at) AS INTEGER) AS hour,
       count(*) FILTER (WHERE sender_type = 'member') AS member_messages,
       count(*) FILTER (WHERE sender_type = 'staff') AS staff_messages,
       count(*) FILTER (WHERE sender_type = 'bot') AS bot_messages
FROM group_messages
WHERE sent_at >= $start AND sent_at < $end AND ($group IS NULL OR group_id = $group)
GROUP BY CAST(extract(hour FROM sent_at) AS INTEGER)
"""


GROUP_TYPES_SQL = """
SELECT msg_type,
       count(*) AS messages,
       count(*) FILTER (WHERE sender_type = 'member') AS member_messages,
       count(*) FILTER (WHERE sender_type = 'staff') AS staff_messages,
       count(*) FILTER (WHERE sender_type = 'bot') AS bot_messages
FROM group_messages
WHERE sent_at >= $start AND sent_at < $end AND ($group IS NULL OR group_id = $group)
GROUP BY msg_type
"""


OVERVIEW_DISTINCT_SQL = """
WITH live AS (
  SELECT group_id FROM groups
  WHERE created_at < $day_end AND (dissolved_at IS NULL OR dissolved_at > $day_start)
)
SELECT
  (SELECT count(DISTINCT member_id) FROM group_members
    WHERE group_id IN (SELECT group_id FROM live)
      AND joined_at < $day_end AND (left_at IS NULL OR left_at > $day_start)) AS group_members,
  (SELECT count(DISTINCT sender_id) FROM group_messages
    WHERE sent_at >= $day_start AND sent_at < $day_end AND sender_type = 'member') AS active_members
"""


KOC_SQL = """
WITH msgs AS MATERIALIZED (
  SELECT message_id, group_id, sender_id, sent_at, reply_to
  FROM group_messages
  WHERE sent_at >= $wstart AND sent_at < $wend AND sender_type = 'member'
),
act AS (
  SELECT group_id, sender_id AS member_id, count(DISTINCT CAST(sent_at AS DATE)) AS active_days,
         count(*) AS member_messages, max(CAST(sent_at AS DATE)) AS last_active_on
  FROM msgs GROUP BY group_id, sender_id
),
replies AS (
  SELECT message_id, group_id, sender_id, reply_to FROM msgs WHERE reply_to IS NOT NULL
),
rep AS (
  SELECT t.group_id, t.sender_id AS member_id, count(DISTINCT r.sender_id) AS distinct_repliers
  FROM replies r JOIN msgs t ON t.message_id = r.reply_to AND t.group_id = r.group_id
  WHERE r.sender_id <> t.sender_id
  GROUP BY t.group_id, t.sender_id
),
ref AS (
  SELECT referrer_member_id AS member_id, sum(net) AS referred_sales
  FROM orders
  WHERE ordered_at >= $wstart AND ordered_at < $wend AND referrer_member_id IS NOT NULL
  GROUP BY referrer_member_id
),
in_group AS (
  SELECT DISTINCT gm.group_id, gm.member_id
  FROM group_members gm JOIN ref ON ref.member_id = gm.member_id
  WHERE gm.joined_at < $wend AND (gm.left_at IS NULL OR gm.left_at > $wstart) AND ref.referred_sales > 0
),
cand AS (
  SELECT coalesce(a.group_id, i.group_id) AS group_id, coalesce(a.member_id, i.member_id) AS member_id,
         coalesce(a.active_days, 0) AS active_days, coalesce(a.member_messages, 0) AS member_messages,
         a.last_active_on
  FROM act a FULL JOIN in_group i ON i.group_id = a.group_id AND i.member_id = a.member_id
)
SELECT c.group_id, c.member_id, g.group_name, g.store_id, c.active_days,
       coalesce(r.distinct_repliers, 0) AS distinct_repliers,
       CAST(coalesce(f.referred_sales, 0) AS DOUBLE) AS referred_sales,
       coalesce(f.referred_sales, 0) >= $koc_sales AS by_referral,
       c.member_messages, c.last_active_on
FROM cand c
JOIN groups g ON g.group_id = c.group_id
LEFT JOIN rep r ON r.group_id = c.group_id AND r.member_id = c.member_id
LEFT JOIN ref f ON f.member_id = c.member_id
"""


NEGATIVE_SQL = """
WITH cand AS (
  SELECT message_id, group_id, sent_at, sender_id, text
  FROM group_messages
  WHERE sent_at >= $start AND sent_at < $end AND sender_type = 'member' AND text IS NOT NULL
    AND regexp_matches(text, $pattern)
),
staff_replies AS (
  SELECT r.reply_to, r.group_id, r.sent_at
  FROM group_messages r
  WHERE r.sent_at >= $start AND r.sender_type = 'staff' AND r.reply_to IS NOT NULL
),
first_reply AS (
  SELECT c.message_id, min(r.sent_at) AS replied_at
  FROM cand c JOIN staff_replies r ON r.reply_to = c.message_id AND r.group_id = c.group_id
  WHERE r.sent_at >= c.sent_at
  GROUP BY c.message_id
)
SELECT c.message_id, c.group_id, c.sent_at, c.text, c.sender_id AS member_id, g.group_name, g.store_id,
       f.replied_at
FROM cand c
JOIN groups g ON g.group_id = c.group_id
LEFT JOIN first_reply f ON f.message_id = c.message_id
"""


def group_days(reader, first=None, last=None) -> pd.DataFrame:
    """The former cache's rows for the reader's scope, over [first, last]."""
    frame = reader.query(GROUP_DAYS_SQL)
    frame["day"] = pd.to_datetime(frame["day"]).values.astype("datetime64[D]")
    for c in ("active_members", "member_messages", "staff_messages", "bot_messages"):
        frame[c] = frame[c].astype("int64")
    frame = frame.sort_values(["day", "group_id"], kind="stable").reset_index(drop=True)
    days = frame["day"].to_numpy()
    keep = np.ones(len(frame), dtype=bool)
    if first is not None:
        keep &= days >= np.datetime64(first, "D")
    if last is not None:
        keep &= days <= np.datetime64(last, "D")
    return frame[keep]


def group_board(reader, args, alive=10, silent_days=14) -> pd.DataFrame:
    p, day = args.period, args.as_of
    df = reader.query(GROUP_ACTIVITY_SQL, {"start": p.start_ts, "end": p.end_ts, "day_start": day_start(day),
                                           "day_end": day_end(day)})
    first = min(p.start, day - timedelta(days=silent_days - 1))
    gd = group_days(reader, first, max(p.end, day))
    when = gd["day"].to_numpy()
    period = gd[(when >= np.datetime64(p.start, "D")) & (when <= np.datetime64(p.end, "D"))]
    per = period.assign(alive_day=period["active_members"] >= alive).groupby("group_id").agg(
        alive_days=("alive_day", "sum"), active_member_days=("active_members", "sum"),
        member_messages=("member_messages", "sum"))
    today = gd[when == np.datetime64(day, "D")].set_index("group_id")["active_members"]
    window = gd[(when >= np.datetime64(day - timedelta(days=silent_days - 1), "D"))
                & (when <= np.datetime64(day, "D")) & (gd["member_messages"].to_numpy() > 0)]
    spoke = set(window["group_id"])
    df = df.join(per, on="group_id")
    df["active_members"] = df["group_id"].map(today)
    for c in ("alive_days", "active_member_days", "member_messages", "active_members"):
        df[c] = df[c].fillna(0).astype("int64")
    df["silent"] = ~df["group_id"].isin(spoke)
    df["existing"] = df["existing"].astype(bool)
    df["speaking_ratio"] = (df["active_members"] / df["members"].where(df["members"] > 0)).astype("float64")
    df["avg_active_members"] = df["active_member_days"] / p.days
    df["activity_rank"] = _ga._rank(df, ["active_member_days", "member_messages"])
    df["wemall_rank"] = _ga._rank(df, ["wemall_sales"])
    return df[_ga.COLUMNS]


def community_overview(reader, args, alive=10, silent_days=14) -> pd.DataFrame:
    board = group_board(reader, args, alive, silent_days)
    live = board[board["existing"]]
    d = reader.query(OVERVIEW_DISTINCT_SQL, {"day_start": day_start(args.as_of),
                                             "day_end": day_end(args.as_of)}).iloc[0]
    n_alive = int((live["active_members"] >= alive).sum())
    row = {"groups": len(live), "group_members": int(d["group_members"]), "active_members": int(d["active_members"]),
           "speaking_ratio": ratio(d["active_members"], d["group_members"]), "alive_groups": n_alive,
           "silent_groups": int(live["silent"].sum()), "member_messages": int(board["member_messages"].sum()),
           "wemall_sales": float(board["wemall_sales"].sum())}
    return pd.DataFrame([row], columns=_co.COLUMNS)


def community_trend(reader, args, alive=10) -> pd.DataFrame:
    p = args.period
    gd = group_days(reader, p.start, p.end)
    daily = gd.assign(alive_groups=gd["active_members"] >= alive).groupby("day").agg(
        group_active_members=("active_members", "sum"), member_messages=("member_messages", "sum"),
        staff_messages=("staff_messages", "sum"), bot_messages=("bot_messages", "sum"),
        alive_groups=("alive_groups", "sum"))
    days = pd.date_range(p.start, p.end, freq="D")
    daily.index = pd.DatetimeIndex(daily.index)
    out = daily.reindex(days, fill_value=0)
    out.insert(0, "day", days.date)
    return out.reset_index(drop=True).astype({c: "int64" for c in _ct.COLUMNS[1:]})[_ct.COLUMNS]


def _exists(group, d) -> bool:
    return (pd.Timestamp(group.created_at) < pd.Timestamp(day_end(d))
            and (pd.isna(group.dissolved_at) or pd.Timestamp(group.dissolved_at) > pd.Timestamp(day_start(d))))


def changes(reader, period: Period, alive_members: int = 10, silent_days: int = 14) -> pd.DataFrame:
    COLUMNS = _cc.COLUMNS
    first = period.start - timedelta(days=silent_days + 1)
    daily = group_days(reader, first, period.end)
    daily = daily[daily["member_messages"] > 0]
    groups = {g.group_id: g for g in reader.query(
        "SELECT group_id, group_name, store_id, created_at, dissolved_at FROM groups").itertuples(index=False)}
    daily = daily.assign(day=pd.to_datetime(daily["day"]).dt.date).sort_values(["group_id", "day"])
    rows = []

    def add(group, d, reason, now, before, last=None):
        if period.start <= d <= period.end and group is not None and _exists(group, d):
            rows.append({"group_id": group.group_id, "group_name": group.group_name, "store_id": group.store_id,
                         "reason": reason, "day": d, "active_members": now, "prev_active_members": before,
                         "last_member_message_on": last})

    for gid, part in daily.groupby("group_id", sort=False):
        group = groups.get(gid)
        days = list(part["day"])
        active = dict(zip(days, part["active_members"]))
        for x, y in zip(days, days[1:] + [None]):
            d = x + timedelta(days=silent_days)
            if y is None or y > d:
                add(group, d, "went_silent", 0, active.get(d - timedelta(days=1), 0), last=x)
            nxt = x + timedelta(days=1)
            if active[x] >= alive_members and active.get(nxt, 0) < alive_members:
                add(group, nxt, "below_alive", active.get(nxt, 0), active[x])
    df = pd.DataFrame(rows, columns=COLUMNS)
    df = df.sort_values(["day", "reason", "group_id"], ascending=[False, True, True], kind="stable")
    return df.reset_index(drop=True).astype({"active_members": "int64", "prev_active_members": "int64"})


def group_daily(reader, args, group=None, alive=10) -> pd.DataFrame:
    p = args.period
    df = reader.query(GROUP_DAILY_SQL, {"group": group, "first_day": p.start, "last_day": p.end,
                                        "start": p.start_ts, "end": p.end_ts})
    df["day"] = pd.to_datetime(df["day"]).dt.date
    df["alive"] = (df["active_members"] >= alive).astype(bool)
    return df[_gd.COLUMNS]


def group_hours(reader, args, group=None) -> pd.DataFrame:
    df = reader.query(GROUP_HOURS_SQL, {"start": args.period.start_ts, "end": args.period.end_ts, "group": group})
    out = pd.DataFrame({"hour": range(24)}).merge(df, on="hour", how="left")
    for c in _gh.COLUMNS[1:]:
        out[c] = out[c].fillna(0).astype("int64")
    return out[_gh.COLUMNS]


def group_message_types(reader, args, group=None) -> pd.DataFrame:
    df = reader.query(GROUP_TYPES_SQL, {"start": args.period.start_ts, "end": args.period.end_ts, "group": group})
    out = pd.DataFrame({"msg_type": list(_gt.TYPES)}).merge(df, on="msg_type", how="left")
    for c in _gt.COLUMNS[1:]:
        out[c] = out[c].fillna(0).astype("int64")
    return out[_gt.COLUMNS]


def koc(reader, args, days=8, repliers=5, sales=1000.0, window=28) -> pd.DataFrame:
    first, last = koc_window(args.as_of, window)
    df = reader.query(KOC_SQL, {"wstart": day_start(first), "wend": day_end(last), "koc_sales": sales})
    by_activity = ((df["active_days"] >= days) & (df["distinct_repliers"] >= repliers)).to_numpy(bool)
    by_referral = df.pop("by_referral").to_numpy(bool)
    is_koc = by_activity | by_referral
    df["is_koc"] = is_koc
    df["reason"] = np.select([by_activity & by_referral, by_activity, by_referral],
                             ["activity+referral", "activity", "referral"], "")
    f = _koc._fraction
    activity = (f(df["active_days"], days) + f(df["distinct_repliers"], repliers)) / 2
    referral = np.where(by_referral, 1.0, f(df["referred_sales"], sales))
    df["score"] = np.where(is_koc, 1.0, np.minimum(np.maximum(activity, referral), 0.9999))
    df = df.sort_values(["group_id", "is_koc", "score", "member_id"], ascending=[True, False, False, True],
                        kind="stable").reset_index(drop=True)
    potential = df["score"].where(~df["is_koc"])
    df["potential_rank"] = potential.rank(method="min", ascending=False).astype("Int64")
    df["last_active_on"] = pd.to_datetime(df["last_active_on"]).dt.date
    return df[_koc.COLUMNS]


def negative_frame(reader, start, end, window_minutes: int = 30) -> pd.DataFrame:
    df = reader.query(NEGATIVE_SQL, {"start": start, "end": end, "pattern": sentiment.PREFILTER})
    verdicts = {t: sentiment.classify(t) for t in df["text"].unique()}
    df = df[np.array([verdicts[t].negative for t in df["text"]], dtype=bool)].copy()
    df["category"] = [verdicts[t].category for t in df["text"]]
    delay = (df["replied_at"] - df["sent_at"]).dt.total_seconds() / 60.0
    df["reply_minutes"] = delay.astype("float64")
    df["replied_within_30m"] = (delay <= window_minutes).fillna(False).astype(bool)
    df = df.sort_values(["replied_within_30m", "sent_at", "message_id"], ascending=[True, False, True],
                        kind="stable").reset_index(drop=True)
    return df[_neg.COLUMNS]


def negative_messages(reader, args, window_minutes: int = 30) -> pd.DataFrame:
    return negative_frame(reader, args.period.start_ts, args.period.end_ts, window_minutes)


def morning_community(reader, args, alive=10, silent_days=14, window_minutes=30) -> pd.DataFrame:
    COLUMNS = _mc.COLUMNS
    day = args.as_of
    ch = changes(reader, Period(day, day), alive, silent_days)
    neg = negative_frame(reader, day_start(day), day_end(day), window_minutes)
    neg = neg[~neg["replied_within_30m"]].assign(reason="unanswered_negative", day=day)
    rows = [r for f in (neg, ch) for r in f.reindex(columns=COLUMNS).to_dict("records")]
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["order"] = out["reason"].map(_mc.ORDER)
    out = out.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)
    return out.astype({"active_members": "Int64", "prev_active_members": "Int64"})[COLUMNS]
