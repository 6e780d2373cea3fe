"""Every community metric read from the rollups (dashboard/rollups/community.py)
equals the same metric computed from the raw group messages, members, orders
and shares (tests/metrics/raw_community.py: the former SQL and Python),
exactly, on hand-built data made of the awkward cases and on a small demo, for
every scope and filter kind, for one day, a week, a month and a year, and with
thresholds other than the defaults.

The hand-built data: tests/community_kit.py (a member who left mid-period,
one who left at midnight and one who rejoined, staff and bot messages, several
replies from one member, self-replies, a group silent for exactly 14 days and
one for 13, referred sales just under and at ¥1,000, a message with markup)
plus, here:
- an order at S2 credited to g2 carrying g1's S1 share posted to G1 (the share
  and the order in view under different scopes: counted only when both are);
  an order with no guide carrying a g2 share posted to G4;
- a group dissolved mid-period (G5: went silent after it, no news) and one
  created late (G6), a group the groups table does not know (GX);
- a reply, in the KOC window, to a message sent before it (not counted); a
  staff reply sent before the message it quotes (no reply) and one after the
  period (a late reply);
- a negative message in the brand group (HQ only) and one in G4 (华南).
"""
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from builders import build_db, demo_scopes, order_row, reader_for
from community_kit import AS_OF, Chat, at, community_tables
from dashboard import demo, rollups
from dashboard.metrics import METRICS, MetricArgs
from dashboard.period import Period
from dashboard.scope import Filters, Scope

import raw_community as raw

COMMUNITY = ("group-activity", "community-overview", "community-trend", "community-changes", "group-daily",
             "group-hours", "group-message-types", "koc", "negative-messages", "morning-community")


def extended_tables() -> dict:
    t = community_tables()
    c = Chat()
    c.n = 5000
    old = c.say("G1", datetime(2026, 2, 25, 10), "m11", "二月的话")
    c.say("G1", at(2, 10), "m2", "回一句二月的", reply_to=old)          # target before the KOC window
    n5 = c.say("G4", at(26, 20), "h3", "客服一直不回，太差了", mid="N5")
    c.say("G4", at(26, 19), "g2", "提前的回复", sender_type="staff", reply_to=n5)   # before the message: no reply
    c.say("G4", datetime(2026, 4, 2, 9), "g2", "抱歉才看到", sender_type="staff", reply_to=n5)  # after the period
    c.say("GB", at(27, 21), "m1", "质量太差了，起球严重", mid="N6")
    c.say("G5", at(5, 9), "q1", "在吗")
    for i in range(1, 12):
        c.say("G6", at(26, 9, i), f"k{i}", "新群报到")
    c.say("G6", at(27, 9), "k1", "人呢")
    c.say("GX", at(28, 9), "zz", "假货！")                              # a group nobody knows
    t["group_messages"] = t["group_messages"] + c.rows
    t["groups"] = t["groups"] + [
        {"group_id": "G5", "group_name": "G5群", "store_id": "S2", "owner_guide_id": "g2", "kind": "store",
         "created_at": datetime(2025, 6, 1), "dissolved_at": datetime(2026, 3, 10, 12)},
        {"group_id": "G6", "group_name": "G6群", "store_id": "S2", "owner_guide_id": "g2", "kind": "store",
         "created_at": datetime(2026, 3, 25, 8)}]
    t["group_members"] = t["group_members"] + [
        {"group_id": "G5", "member_id": "q1", "joined_at": datetime(2026, 1, 5)},
        {"group_id": "G6", "member_id": "k1", "joined_at": datetime(2026, 3, 25, 9),
         "left_at": datetime(2026, 3, 27, 18)}] + [
        {"group_id": "G6", "member_id": f"k{i}", "joined_at": datetime(2026, 3, 25, 9)} for i in range(2, 12)]
    t["shares"] = t["shares"] + [
        {"share_id": "sh4", "shared_at": datetime(2026, 3, 3), "guide_id": "g2", "store_id": "S2", "target": "group",
         "group_id": "G4", "content_type": "product"}]
    t["orders"] = t["orders"] + [
        order_row("o20", "2026-03-08 12:00", "S2", 80, channel="wemall", guide_id="g2", share_id="sh1"),
        order_row("o21", "2026-03-09 12:00", "S2", 45.5, channel="wemall", share_id="sh4"),
        order_row("o22", "2026-03-21 12:00", "S2", 30, channel="wemall", guide_id="g2", share_id="sh4",
                  referrer_member_id="h3")]
    return t


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("cm-roll") / "cm.duckdb", **extended_tables())


SCOPES = {
    "hq": (Scope.everything(), Filters()),
    "east": (Scope.of(regions=["华东"]), Filters()),
    "south": (Scope.of(regions=["华南"]), Filters()),
    "store S2": (Scope.of(stores=["S2"]), Filters()),
    "region filter": (Scope.everything(), Filters.of(regions=["华南"])),
    "guide g1": (Scope.everything(), Filters.of(guides=["g1"])),
    "guide g2": (Scope.everything(), Filters.of(guides=["g2"])),
    "guides g1 g2": (Scope.everything(), Filters.of(guides=["g1", "g2"])),
    "east + g2": (Scope.of(regions=["华东"]), Filters.of(guides=["g2"])),
    "nothing": (Scope.nothing(), Filters()),
}

# (period, as-of): a day, a week, a month, 30 days, a year; an earlier as-of; one after the data.
HAND = [(Period(AS_OF, AS_OF), AS_OF), (Period(date(2026, 3, 22), AS_OF), AS_OF),
        (Period(date(2026, 3, 1), AS_OF), AS_OF), (Period(AS_OF - timedelta(days=29), AS_OF), AS_OF),
        (Period(AS_OF - timedelta(days=364), AS_OF), AS_OF),
        (Period(date(2026, 3, 1), date(2026, 3, 14)), date(2026, 3, 14)),
        (Period(date(2026, 3, 20), date(2026, 4, 30)), date(2026, 4, 30))]

OPTIONS = [(), (("alive_members", 2), ("silent_days", 1)), (("alive_members", 3), ("silent_days", 13))]
KOC_OPTIONS = [(), (("koc_active_days", 2), ("koc_repliers", 1), ("koc_referred_sales", 999.99),
                    ("koc_window_days", 7))]


def _opts(options) -> dict:
    return dict(options)


def reference(name: str, reader, args: MetricArgs, group=None) -> pd.DataFrame:
    o = _opts(args.options)
    alive, silent = o.get("alive_members", 10), o.get("silent_days", 14)
    if name == "group-activity":
        return raw.group_board(reader, args, alive, silent)
    if name == "community-overview":
        return raw.community_overview(reader, args, alive, silent)
    if name == "community-trend":
        return raw.community_trend(reader, args, alive)
    if name == "community-changes":
        return raw.changes(reader, args.period, alive, silent)
    if name == "group-daily":
        return raw.group_daily(reader, args, group, alive)
    if name == "group-hours":
        return raw.group_hours(reader, args, group)
    if name == "group-message-types":
        return raw.group_message_types(reader, args, group)
    if name == "koc":
        return raw.koc(reader, args, o.get("koc_active_days", 8), o.get("koc_repliers", 5),
                       o.get("koc_referred_sales", 1000.0), o.get("koc_window_days", 28))
    if name == "negative-messages":
        return raw.negative_messages(reader, args, o.get("reply_window_minutes", 30))
    if name == "morning-community":
        return raw.morning_community(reader, args, alive, silent, o.get("reply_window_minutes", 30))
    raise KeyError(name)


def assert_same(got: pd.DataFrame, want: pd.DataFrame, label: str) -> None:
    got, want = got.reset_index(drop=True), want.reset_index(drop=True)
    assert list(got.columns) == list(want.columns), label
    assert len(got) == len(want), f"{label}: {len(got)} rows, want {len(want)}"
    for c in want.columns:
        # A count the former SQL summed as HUGEINT came out as float64 (14.0): the
        # CLI prints it as 14 either way (cli/metric._plain); other dtypes stay.
        numeric = all(pd.api.types.is_numeric_dtype(f[c]) and not pd.api.types.is_bool_dtype(f[c])
                      for f in (got, want))
        assert numeric or got[c].dtype == want[c].dtype, \
            f"{label} column {c}: dtype {got[c].dtype} != {want[c].dtype}"
        g, w = got[c].tolist(), want[c].tolist()
        same = [(pd.isna(a) and pd.isna(b)) if (pd.api.types.is_scalar(a) and pd.isna(a)) or
                (pd.api.types.is_scalar(b) and pd.isna(b)) else (a == b and (numeric or type(a) is type(b)))
                for a, b in zip(g, w)]
        assert all(same), f"{label} column {c}: {g} != {w}"


def _options_for(name):
    if name == "koc":
        return KOC_OPTIONS
    if name in ("negative-messages", "morning-community"):
        return OPTIONS + [(("reply_window_minutes", 31),)]
    return OPTIONS


def _groups_for(name):
    return (None, "G1", "G3", "G4", "GX") if name in ("group-daily", "group-hours", "group-message-types") else (None,)


@pytest.mark.parametrize("scope_name", list(SCOPES))
@pytest.mark.parametrize("name", COMMUNITY)
def test_hand_built_rollups_equal_raw(hand_db, name, scope_name):
    scope, filters = SCOPES[scope_name]
    reader = reader_for(hand_db, scope, filters)
    for period, as_of in HAND:
        for options in _options_for(name):
            for group in _groups_for(name):
                opts = options + ((("group", group),) if group else ())
                args = MetricArgs(period, as_of, opts)
                label = f"{name} {scope_name} {period} as of {as_of} {opts}"
                assert_same(METRICS[name](reader, args), reference(name, reader, args, group), label)


def test_hand_built_cases_are_really_there(hand_db):
    """The data exercises what it claims."""
    month = MetricArgs(Period(date(2026, 3, 1), AS_OF), AS_OF)
    ga = METRICS["group-activity"](reader_for(hand_db), month).set_index("group_id")
    assert ga.loc["G1", "wemall_sales"] == 780          # 400 + 300 + o20's 80 (order at S2, share at S1)
    assert ga.loc["G4", "wemall_sales"] == 75.5         # o21 (no guide) 45.5 + o22 30
    assert "GX" not in ga.index
    east = METRICS["group-activity"](reader_for(hand_db, Scope.of(regions=["华东"])), month).set_index("group_id")
    assert east.loc["G1", "wemall_sales"] == 700        # o20's order is at S2: out of view
    g2 = METRICS["group-activity"](reader_for(hand_db, filters=Filters.of(guides=["g2"])), month)
    assert g2.set_index("group_id").loc["G4", "wemall_sales"] == 30 and "G1" not in set(g2["group_id"])
    south = METRICS["group-activity"](reader_for(hand_db, Scope.of(regions=["华南"])), month).set_index("group_id")
    assert south.loc["G4", "wemall_sales"] == 75.5 and "G1" not in south.index
    ch = METRICS["community-changes"](reader_for(hand_db), month)
    assert "G5" not in set(ch["group_id"])              # dissolved before it went silent
    assert ((ch.group_id == "G2") & (ch.reason == "went_silent") & (ch.day == date(2026, 3, 28))).any()
    assert ((ch.group_id == "G6") & (ch.reason == "below_alive") & (ch.day == date(2026, 3, 27))).any()
    k = METRICS["koc"](reader_for(hand_db), MetricArgs(month.period, AS_OF)).set_index(["group_id", "member_id"])
    assert k.loc[("G1", "m11"), "distinct_repliers"] == 0   # the reply in the window quotes a message before it
    neg = METRICS["negative-messages"](reader_for(hand_db), month).set_index("message_id")
    assert {"N5", "N6"} <= set(neg.index)
    assert not neg.loc["N5", "replied_within_30m"] and neg.loc["N5", "replied_at"] == datetime(2026, 4, 2, 9)
    assert "N6" not in set(METRICS["negative-messages"](reader_for(hand_db, Scope.of(regions=["华东"])),
                                                        month)["message_id"])


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cm-roll-demo") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=11)
    return path


def _demo_scopes(path):
    return demo_scopes(path, "SELECT owner_guide_id AS guide_id FROM groups WHERE owner_guide_id IS NOT NULL "
                                   "GROUP BY owner_guide_id ORDER BY owner_guide_id LIMIT 2",
                       stores=3, guides_with_region=1)


@pytest.mark.parametrize("name", COMMUNITY)
def test_demo_rollups_equal_raw(demo_db, name):
    as_of = date(2026, 11, 22)
    periods = [Period(as_of, as_of), Period(date(2026, 11, 16), as_of), Period(as_of - timedelta(days=29), as_of),
               Period(date(2026, 2, 1), date(2026, 2, 28)), Period(as_of - timedelta(days=364), as_of)]
    first_group = reader_for(demo_db).query("SELECT min(group_id) AS g FROM groups")["g"].iloc[0]
    groups = (None, first_group) if name in ("group-daily", "group-hours", "group-message-types") else (None,)
    for scope_name, (scope, filters) in _demo_scopes(demo_db).items():
        reader = reader_for(demo_db, scope, filters)
        for period in periods:
            for group in groups:
                args = MetricArgs(period, period.end, (("group", group),) if group else ())
                assert_same(METRICS[name](reader, args), reference(name, reader, args, group),
                            f"{name} {scope_name} {period} {group}")


def test_community_rollups_are_gated_by_their_groups():
    """Each community rollup keeps group_id (or the order's store and guide) so
    that the scope narrows it exactly as it narrows the facts it comes from."""
    by_name = {r.name: r for r in rollups.ROLLUPS}
    for name in ("group_days", "member_days", "member_replies", "group_member_changes", "group_hours",
                 "group_types", "negative_candidates"):
        assert by_name[name].gate.parent == ("group_id", "groups", "group_id"), name
    assert by_name["group_share_sales"].gate.store == "store_id"
    assert by_name["group_share_sales"].gate.guide == "guide_id"
    assert by_name["referred_sales"].gate.store == "store_id"
