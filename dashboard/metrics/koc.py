"""koc — each group's KOCs (key opinion consumers), why, and everyone's KOC potential.

Grain: one row per (in-scope group, member) for every member who sent ≥ 1
member message in the group in the KOC window, plus every member of the group
during the window (a group_members row with joined_at < window end and
(left_at null or left_at > window start)) whose referred sales in the window
are > 0. Rows ordered by group_id, is_koc (KOCs first), score descending,
member_id.

SPEC.md: "KOC, over the last 28 days up to the as-of date (all thresholds
configurable): a member is a KOC of a group when active on ≥ 8 of those days and
≥ 5 distinct other members replied to their messages, or when orders they
referred (referrer_member_id) sum to ≥ ¥1,000. Every KOC shows why (active days,
distinct repliers, referred sales). "KOC potential" ranks the members who are
not yet KOCs by how close they are."

Readings:
- The window: the koc_window_days (28) days ending on the as-of date
  inclusive, [as_of − 27 days 00:00, as_of + 1 day 00:00); the period is not used.
- active_days: days of the window on which the member sent ≥ 1 message with
  sender_type = member in this group.
- distinct_repliers: distinct other members (sender_type = member, sender_id ≠
  the member) who sent, in the window, a message in this group whose reply_to
  is one of the member's messages sent in the window. Staff and bots never
  count; a member replying to themselves never counts; many replies from one
  member count once.
- referred_sales: net of the in-scope orders placed in the window with
  referrer_member_id = the member, whatever group (referred sales are not
  group-specific): they count for every group the member belongs to or spoke in.
- is_koc: (active_days ≥ koc_active_days and distinct_repliers ≥ koc_repliers)
  or referred_sales ≥ koc_referred_sales (≥ ¥1,000.00 exactly is a KOC).
  reason: activity, referral, activity+referral, or empty.
- score (KOC potential, 0..1): the larger of the two rules' closeness, where
  the activity rule's closeness is the mean of min(1, active_days /
  koc_active_days) and min(1, distinct_repliers / koc_repliers), and the
  referral rule's is min(1, referred_sales / koc_referred_sales) (1 when that
  threshold is 0). score = 1 exactly for a KOC; potential_rank ranks the
  non-KOCs of the whole scope by score descending (competition ranking), empty
  for KOCs.

Reads the rollups member_days and member_keys (active days, messages, last active
day), member_replies (distinct repliers: count(DISTINCT replier_key) over the rows with
both the reply and the message replied to in the window) and referred_sales; members
during the window from referrer_memberships (the membership rows of
referrers).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..reader import Reader
from .base import MetricArgs, metric
from .community import KOC, day_end, day_start, koc_window, opt_float, opt_int

DECLARED = ("group_id", "member_id", "active_days:count", "distinct_repliers:count", "referred_sales:money",
            "is_koc:flag", "score:number", "group_name", "store_id", "member_messages:count", "reason",
            "potential_rank:rank", "last_active_on:date")
COLUMNS = [c.partition(":")[0] for c in DECLARED]

SQL = """
WITH act_keys AS (
  SELECT gm_key, count(*) AS active_days, CAST(sum(messages) AS BIGINT) AS member_messages,
         max(day) AS last_active_on
  FROM member_days
  WHERE day >= $first_day AND day <= $last_day
  GROUP BY gm_key
),
act AS (
  SELECT k.group_id, k.member_id, a.*
  FROM act_keys a JOIN member_keys k ON k.gm_key = a.gm_key
),
rep AS (
  SELECT gm_key, count(DISTINCT replier_key) AS distinct_repliers
  FROM member_replies
  WHERE day >= $first_day AND day <= $last_day AND target_day >= $first_day AND target_day <= $last_day
  GROUP BY gm_key
),
ref AS (
  SELECT member_id, sum(sales) AS referred_sales
  FROM referred_sales
  WHERE day >= $first_day AND day <= $last_day
  GROUP BY member_id
),
in_group AS (
  SELECT DISTINCT gm.group_id, gm.member_id
  FROM referrer_memberships gm JOIN ref ON ref.member_id = gm.member_id
  WHERE gm.joined_at < $wend AND (gm.left_at IS NULL OR gm.left_at > $wstart) AND ref.referred_sales > 0
),
-- The members active in the window, and those only referring (in_group rows
-- not among them: no messages in the window, so no repliers either).
cand AS (
  SELECT group_id, member_id, active_days, member_messages, last_active_on, gm_key FROM act
  UNION ALL
  SELECT i.group_id, i.member_id, 0, 0, CAST(NULL AS DATE), CAST(NULL AS INTEGER) FROM in_group i
  WHERE NOT EXISTS (SELECT 1 FROM act a WHERE a.group_id = i.group_id AND a.member_id = i.member_id)
)
SELECT c.group_id, c.member_id, c.active_days,
       coalesce(r.distinct_repliers, 0) AS distinct_repliers,
       CAST(coalesce(f.referred_sales, 0) AS DOUBLE) AS referred_sales,
       coalesce(f.referred_sales, 0) >= $koc_sales AS by_referral,
       c.member_messages, c.last_active_on
FROM cand c
JOIN groups g ON g.group_id = c.group_id
LEFT JOIN rep r ON r.gm_key = c.gm_key
LEFT JOIN ref f ON f.member_id = c.member_id
ORDER BY c.group_id, c.member_id
"""

GROUPS_SQL = "SELECT group_id, group_name, store_id FROM groups"


def _fraction(values, threshold) -> np.ndarray:
    values = np.asarray(values, dtype="float64")
    return np.ones_like(values) if threshold <= 0 else np.minimum(1.0, values / float(threshold))


def _competition_rank(score: np.ndarray, is_koc: np.ndarray) -> pd.arrays.IntegerArray:
    """Rank of each non-KOC's score among the non-KOCs', highest 1, ties sharing
    the smallest rank (competition ranking, as Series.rank(method="min",
    ascending=False)); missing for KOCs."""
    potential = score[~is_koc]
    descending = np.sort(potential)[::-1]
    ranks = np.zeros(len(score), dtype="int64")
    ranks[~is_koc] = np.searchsorted(-descending, -potential, side="left") + 1
    return pd.arrays.IntegerArray(ranks, mask=is_koc.copy())


def _dates(values: pd.Series) -> np.ndarray:
    """datetime64 days as datetime.date objects, NaT kept (as Series.dt.date gives them)."""
    days = values.to_numpy(dtype="datetime64[D]")
    out = days.astype(object)
    out[np.isnat(days)] = pd.NaT
    return out


def koc_frame(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    days = opt_int(args, "koc_active_days", 8)
    repliers = opt_int(args, "koc_repliers", 5)
    sales = opt_float(args, "koc_referred_sales", 1000.0)
    first, last = koc_window(args.as_of, opt_int(args, "koc_window_days", 28))
    # The referral threshold is compared in SQL on the exact DECIMAL sum (¥1,000.00 is a KOC).
    df = reader.query(SQL, {"wstart": day_start(first), "wend": day_end(last), "first_day": first, "last_day": last,
                            "koc_sales": sales})
    by_activity = ((df["active_days"] >= days) & (df["distinct_repliers"] >= repliers)).to_numpy(bool)
    by_referral = df.pop("by_referral").to_numpy(bool)
    is_koc = by_activity | by_referral
    df["is_koc"] = is_koc
    df["reason"] = np.select([by_activity & by_referral, by_activity, by_referral],
                             ["activity+referral", "activity", "referral"], "")
    activity = (_fraction(df["active_days"], days) + _fraction(df["distinct_repliers"], repliers)) / 2
    referral = np.where(by_referral, 1.0, _fraction(df["referred_sales"], sales))
    # Only a KOC scores 1: a non-KOC's closeness stays below (rounding must not make it look met).
    df["score"] = np.where(is_koc, 1.0, np.minimum(np.maximum(activity, referral), 0.9999))
    # Rows come ordered by group_id, member_id: a stable sort by group, KOCs
    # first, score descending keeps member_id order among ties.
    codes, group_ids = pd.factorize(df["group_id"])
    order = np.lexsort((-df["score"].to_numpy(), ~is_koc, codes))
    df = df.iloc[order].reset_index(drop=True)
    # Each group's name and store looked up once, then taken by its code.
    groups = reader.query(GROUPS_SQL).set_index("group_id").reindex(group_ids)
    for c in ("group_name", "store_id"):
        df[c] = groups[c].to_numpy(dtype=object)[codes[order]]
    df["potential_rank"] = _competition_rank(df["score"].to_numpy(), df["is_koc"].to_numpy(bool))
    df["last_active_on"] = _dates(df["last_active_on"])
    return df[COLUMNS]


@metric("koc", DECLARED, grain="one row per (in-scope group, member active or referring in the KOC window)",
        options=KOC,
        as_of_only=True)
def koc(reader: Reader, args: MetricArgs) -> pd.DataFrame:
    """KOCs of each group over the KOC window ending on the as-of date, with
    why (active days, distinct repliers, referred sales), and every other
    candidate's KOC potential (score)."""
    return koc_frame(reader, args)
