"""Community (社群) metrics on hand-built groups. As-of date 2026-03-28 (a
Saturday); the period and the KOC window are both 2026-03-01..03-28 (28 days
ending on the as-of date). Every expected number is worked out in the comments.

Groups: G1 (store S1, 华东, the lively one), G2 (S1, last member message
03-14: silent for exactly 14 days), G3 (S1, last member message 03-15: 13
days), G4 (store S2, 华南), GB (a brand group with no store: HQ only).

G1 members (distinct on a day): m1..m12 and mR since 01-01 (m2 left 02-01 and
rejoined 02-10: two rows, one member); mL left 03-15 10:00 (a member on 03-15,
not on 03-16); mX left 03-28 00:00 exactly (not a member on 03-28); mJ joined
03-28 23:00 (a member on 03-28). So 15 on 03-15, 14 on 03-16..03-27 (m1..m12,
mX, mR) and 14 on 03-28 (m1..m12, mJ, mR).

G1 member messages, distinct speakers per day (staff and bot never count):
03-10 mL, m5 → 2 · 03-20 m1..m12 → 12 (alive) · 03-21 m7 → 1 · 03-22 m1 m7 m2 → 3
· 03-23 m1 m7 m2 m3 → 4 · 03-24 m1 m7 m2 m4 → 4 · 03-25 m1 m7 m3 m8 → 4
· 03-26 m1 m4 → 2 · 03-27 m1..m9 → 9 (+5 staff, 3 bot: still not alive)
· 03-28 m1..m10 → 10 (alive, exactly the line).
"""
from datetime import date, datetime

import pandas as pd
import pytest

from builders import build_db, reader_for, store_row
from community_kit import AS_OF, MARKUP, build_community_db
from dashboard import sentiment
from dashboard.cli.metric import render
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Scope

PERIOD = Period(date(2026, 3, 1), AS_OF)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_community_db(tmp_path_factory.mktemp("community") / "community.duckdb")


def run(name, db, scope=None, period=PERIOD, as_of=AS_OF, **opts):
    return METRICS[name](reader_for(db, scope), MetricArgs(period, as_of, tuple(opts.items())))


def test_group_activity(db):
    ga = run("group-activity", db).set_index("group_id")
    assert list(ga.index) == ["G1", "G2", "G3", "G4", "GB"]
    g1 = ga.loc["G1"]
    # 14 members on 03-28 (mX left at 00:00, mJ joined 23:00, m2's two rows one member); 10 speakers.
    assert (g1.members, g1.active_members) == (14, 10)
    assert g1.speaking_ratio == pytest.approx(10 / 14)
    # Alive on 03-20 (12) and 03-28 (10, exactly the line); 03-27 has 9 members and 8 staff/bot messages.
    assert g1.alive_days == 2 and not g1.silent
    assert g1.wemall_sales == 700            # o1 400 + o2 300; moments, before the period and refunded do not count
    assert g1.store_id == "S1" and g1.existing
    # G2: last member message 03-14 = as-of − 14 → the 14 days 03-15..03-28 hold none: silent.
    # G3: last member message 03-15 = as-of − 13 → not silent.
    assert ga.loc["G2", "silent"] and not ga.loc["G3", "silent"]
    assert ga.loc["G2", "wemall_sales"] == 0 and ga.loc["G2", "active_members"] == 0
    assert ga.loc["G2", "speaking_ratio"] == 0
    assert ga.loc["G4", "alive_days"] == 1 and ga.loc["G4", "active_members"] == 2
    # Ranks: G1 by active member-days (2+12+1+3+4+4+4+2+9+10 = 51), G4 12, GB 1, G2 and G3 1.
    assert ga.loc["G1", "active_member_days"] == 51 and ga.loc["G1", "activity_rank"] == 1
    assert ga.loc["G1", "wemall_rank"] == 1 and ga.loc["G2", "wemall_rank"] == 2


def test_silent_days_and_alive_line_are_options(db):
    ga = run("group-activity", db, silent_days=15, alive_members=12).set_index("group_id")
    assert not ga.loc["G2", "silent"]          # 03-14 is inside the 15 days 03-14..03-28
    assert ga.loc["G1", "alive_days"] == 1      # only 03-20 has ≥ 12
    ga = run("group-activity", db, silent_days=13).set_index("group_id")
    assert ga.loc["G3", "silent"]               # 03-16..03-28 hold no member message of G3


def test_a_group_without_members_has_no_speaking_ratio(tmp_path):
    path = build_db(tmp_path / "empty.duckdb", stores=[store_row("S1")],
                    groups=[{"group_id": "G9", "group_name": "空群", "store_id": "S1", "kind": "store",
                             "created_at": datetime(2026, 1, 1)}])
    ga = run("group-activity", path)
    assert len(ga) == 1 and pd.isna(ga.speaking_ratio.iloc[0]) and ga.silent.iloc[0]
    assert "speaking_ratio" in render(ga, "csv") and ",," in render(ga, "csv")


def test_group_daily_members_joining_and_leaving(db):
    d = run("group-daily", db, group="G1").set_index("day")
    assert len(d) == 28
    assert d.loc[date(2026, 3, 15), "members"] == 15 and d.loc[date(2026, 3, 15), "members_left"] == 1
    assert d.loc[date(2026, 3, 16), "members"] == 14
    assert d.loc[date(2026, 3, 28), "members"] == 14
    assert d.loc[date(2026, 3, 28), "members_joined"] == 1 and d.loc[date(2026, 3, 28), "members_left"] == 1
    # Staff and bot messages never make an active member.
    r27 = d.loc[date(2026, 3, 27)]
    assert (r27.active_members, r27.staff_messages, r27.bot_messages, r27.alive) == (9, 6, 3, False)
    assert d.loc[date(2026, 3, 28), "alive"] and d.loc[date(2026, 3, 20), "active_members"] == 12
    assert list(d.alive[d.alive].index) == [date(2026, 3, 20), date(2026, 3, 28)]
    assert run("group-daily", db, group="G4", scope=Scope.of(regions=["华东"])).empty   # outside the scope


def test_message_types_and_hours(db):
    t = run("group-message-types", db, group="G1").set_index("msg_type")
    assert list(t.index) == ["text", "image", "link", "miniprogram", "solitaire", "other"]
    assert (t.loc["solitaire", "member_messages"], t.loc["image", "member_messages"]) == (1, 1)
    assert t.loc["link", "messages"] == 0
    assert (t.messages == t.member_messages + t.staff_messages + t.bot_messages).all()
    h = run("group-hours", db, group="G1").set_index("hour")
    assert len(h) == 24 and h.loc[17, "bot_messages"] == 3 and h.loc[16, "staff_messages"] == 5


def test_koc(db):
    k = run("koc", db)
    g1 = k[k.group_id == "G1"].set_index("member_id")
    m1 = g1.loc["m1"]
    # m1: 8 active days (03-20, 22..28); repliers m2 (three replies, once), m3, m4, m5, m6 = 5;
    # the staff reply and m1's reply to themselves do not count.
    assert (m1.active_days, m1.distinct_repliers, m1.is_koc, m1.reason, m1.score) == (8, 5, True, "activity", 1.0)
    m7 = g1.loc["m7"]
    # m7: 8 days (20, 21..25, 27, 28), repliers m2 m3 m4 m8 = 4 (self-reply not) → not yet: (1 + 4/5) / 2.
    assert (m7.active_days, m7.distinct_repliers, m7.is_koc) == (8, 4, False)
    assert m7.score == pytest.approx(0.9)
    # m8: referred 600 + 400 (+ 0 refunded; the 02-28 23:59:59 order is before the window) = ¥1,000 exactly.
    m8 = g1.loc["m8"]
    assert (m8.referred_sales, m8.is_koc, m8.reason) == (1000, True, "referral")
    # m9: ¥999.99 is not enough: potential just below 1.
    assert not g1.loc["m9", "is_koc"] and 0.999 < g1.loc["m9", "score"] < 1
    # mR never spoke but is a member and referred ¥1,200: a KOC of G1. mZ is in no group: no row.
    assert (g1.loc["mR", "active_days"], g1.loc["mR", "is_koc"]) == (0, True)
    assert "mZ" not in set(k.member_id)
    # m2: 6 active days (20, 22, 23, 24, 27, 28), no replier → (6/8 + 0) / 2.
    assert g1.loc["m2", "score"] == pytest.approx(0.375)
    # KOCs first in each group, then the closest; is_koc follows the rule on the printed columns.
    assert list(k[k.group_id == "G1"].member_id[:4]) == ["m1", "m8", "mR", "m9"]
    rule = ((k.active_days >= 8) & (k.distinct_repliers >= 5)) | (k.referred_sales >= 1000)
    assert (rule == k.is_koc).all()
    assert (k.score[k.is_koc] == 1).all() and (k.score[~k.is_koc] < 1).all()
    assert list(k[k.group_id == "GB"].member_id) == ["m1"]
    assert k.potential_rank[k.is_koc].isna().all() and k.potential_rank.min() == 1


def test_koc_thresholds_are_options(db):
    k = run("koc", db, koc_repliers=4, koc_referred_sales=1200.0).set_index(["group_id", "member_id"])
    assert k.loc[("G1", "m7"), "is_koc"] and not k.loc[("G1", "m8"), "is_koc"] and k.loc[("G1", "mR"), "is_koc"]
    # A 7-day window (03-22..03-28): m1 active 7 days, m7 6.
    k = run("koc", db, koc_window_days=7).set_index(["group_id", "member_id"])
    assert k.loc[("G1", "m1"), "active_days"] == 7 and not k.loc[("G1", "m1"), "is_koc"]


def test_negative_messages(db):
    n = run("negative-messages", db)
    # Unanswered first (newest first): N3 (only a bot answered), N2 (staff after 31 minutes);
    # then N1 (staff reply at exactly 30:00) and N4 (10 minutes). "不是假货，放心买" is no alert,
    # nor is the staff's "投诉请私信店长".
    assert list(n.message_id) == ["N3", "N2", "N1", "N4"]
    assert list(n.replied_within_30m) == [False, False, True, True]
    assert list(n.category) == ["fake_goods", "service", "slow_delivery", "refund_trouble"]
    row = n.set_index("message_id")
    assert row.loc["N2", "text"] == MARKUP                    # stored and returned literally
    assert row.loc["N2", "reply_minutes"] == 31 and pd.isna(row.loc["N3", "replied_at"])
    assert row.loc["N1", "reply_minutes"] == 30
    assert run("negative-messages", db, reply_window_minutes=31).set_index("message_id").loc["N2", "replied_within_30m"]
    assert sentiment.PREFILTER  # the SQL prefilter exists and let every one of them through


def test_changes_and_morning(db):
    week = run("community-changes", db, period=Period(date(2026, 3, 23), AS_OF))
    # G2 went silent on 03-28 (14 days after 03-14); G4 fell from 10 to 2 on 03-28.
    # G1 fell below the line on 03-21 (12 → 1): before this week.
    assert list(zip(week.group_id, week.reason, week.day)) == [("G4", "below_alive", AS_OF),
                                                              ("G2", "went_silent", AS_OF)]
    assert week.set_index("group_id").loc["G2", "last_member_message_on"] == date(2026, 3, 14)
    month = run("community-changes", db)
    assert ("G1", "below_alive", date(2026, 3, 21)) in set(zip(month.group_id, month.reason, month.day))
    m = run("morning-community", db)
    assert list(zip(m.reason, m.group_id)) == [("unanswered_negative", "G1"), ("unanswered_negative", "G1"),
                                              ("went_silent", "G2"), ("below_alive", "G4")]
    assert list(m.message_id[:2]) == ["N3", "N2"]
    east = run("morning-community", db, scope=Scope.of(regions=["华东"]))
    assert "G4" not in set(east.group_id)


def test_overview_and_trend(db):
    o = run("community-overview", db).iloc[0]
    # Existing groups 5; distinct members on 03-28: G1 14 + G2 3 + G3 2 (g3a, g3b) + G4 12 + GB m1 (already
    # in G1) = 31; distinct speakers on 03-28: m1..m10 + h1, h2 = 12 (m1 also spoke in GB).
    assert (o.groups, o.group_members, o.active_members) == (5, 31, 12)
    assert o.speaking_ratio == pytest.approx(12 / 31)
    assert (o.alive_groups, o.silent_groups, o.wemall_sales) == (1, 1, 700)
    t = run("community-trend", db).set_index("day")
    assert len(t) == 28
    # 03-28: G1 10 + G4 2 + GB 1 = 13 group-speakers; G1 alive.
    assert (t.loc[AS_OF, "group_active_members"], t.loc[AS_OF, "alive_groups"]) == (13, 1)
    assert (t.loc[date(2026, 3, 27), "alive_groups"], t.loc[date(2026, 3, 1), "member_messages"]) == (1, 0)


def test_scope(db):
    east = Scope.of(regions=["华东"])
    assert list(run("group-activity", db, scope=east).group_id) == ["G1", "G2", "G3"]   # no G4, no storeless GB
    assert set(run("koc", db, scope=east).group_id) == {"G1", "G2", "G3"}     # G2, G3 spoke 03-14 / 03-15
    assert run("group-activity", db, scope=Scope.of(stores=["S2"])).group_id.tolist() == ["G4"]
    assert run("community-overview", db, scope=east).iloc[0].groups == 3
    assert run("negative-messages", db, scope=Scope.of(stores=["S2"])).empty
    assert run("group-activity", db, scope=Scope.nothing()).empty


def test_cli_prints_flags_as_true_false(db):
    text = render(run("group-activity", db), "csv")
    header, g1 = text.splitlines()[:2]
    cols = dict(zip(header.split(","), g1.split(",")))
    assert cols["silent"] == "false" and cols["existing"] == "true" and cols["members"] == "14"


def test_per_group_day_aggregate_equals_raw_rows(db):
    """The group_days rollup (read by group_days()) against group-daily and the raw messages."""
    from dashboard.metrics.community import group_days
    for scope in (None, Scope.of(regions=["华东"])):
        reader = reader_for(db, scope)
        kept = group_days(reader, PERIOD.start, PERIOD.end)
        raw = run("group-daily", db, scope=scope)
        raw = raw[(raw.member_messages + raw.staff_messages + raw.bot_messages) > 0]
        kept = kept.assign(day=pd.to_datetime(kept.day).dt.date).sort_values(["group_id", "day"])
        cols = ["group_id", "day", "active_members", "member_messages", "staff_messages", "bot_messages"]
        pd.testing.assert_frame_equal(kept[cols].reset_index(drop=True), raw[cols].reset_index(drop=True),
                                      check_dtype=False)


def test_a_new_version_is_counted_again(tmp_path):
    path = tmp_path / "v.duckdb"
    group = {"group_id": "G", "group_name": "群", "store_id": "S1", "kind": "store", "created_at": datetime(2026, 1, 1)}
    msg = lambda i, sender: {"message_id": f"M{i}", "group_id": "G", "sent_at": datetime(2026, 3, 28, 10, i),  # noqa: E731
                             "sender_type": "member", "sender_id": sender, "msg_type": "text", "text": "早"}
    build_db(path, stores=[store_row("S1")], groups=[group], group_messages=[msg(1, "a")])
    assert run("group-activity", path).active_members.tolist() == [1]
    build_db(path, stores=[store_row("S1")], groups=[group], group_messages=[msg(1, "a"), msg(2, "b")])
    assert run("group-activity", path).active_members.tolist() == [2]


def test_members_per_day_against_the_rule_row_by_row(db):
    """group-daily's members for every group and day against SPEC's rule applied to the raw rows."""
    from datetime import timedelta
    rows = reader_for(db).query("SELECT group_id, member_id, joined_at, left_at FROM group_members")
    d = run("group-daily", db, period=Period(date(2026, 1, 1), AS_OF))
    for r in d.itertuples(index=False):
        start = pd.Timestamp(r.day)
        end = start + timedelta(days=1)
        on = rows[(rows.group_id == r.group_id) & (rows.joined_at < end)
                  & (rows.left_at.isna() | (rows.left_at > start))]
        assert r.members == on.member_id.nunique(), (r.group_id, r.day)
    g3 = d[d.group_id == "G3"].set_index("day").members
    assert (g3[date(2026, 3, 10)], g3[date(2026, 3, 11)], g3[date(2026, 3, 12)]) == (3, 3, 2)
    assert (g3[date(2026, 3, 20)], g3[date(2026, 3, 21)]) == (2, 2)
