"""The new areas' CLI numbers against an independent pandas computation from
SPEC.md's words, on a real demo database (the way the core's kpis were checked):
share rate (roster days, target days, shares, WeMall sales, diagnosis), WeMall
sources, live tail (live, tail, viewers, invite-watch, return, ROI), channel ROI
(fans, retained, spend, GMV, repeat rate), group activity (members, active,
alive days, silent, group WeMall sales), KOC (active days, distinct repliers,
referred sales) and target attainment. Written apart from the metrics' SQL:
pandas over the raw tables, no code of the metrics reused."""
import calendar
import io
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("areas-xcheck") / "demo.duckdb"
    demo.generate(path, scale=0.02, seed=7)
    return str(path)


def _mismatches(bad, label, a, b, tol=1e-6):
    ok = (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b)
                                         and abs(float(a) - float(b)) <= tol * max(1, abs(float(b))))
    if not ok:
        bad.append((label, a, b))


def test_sharing_live_channels_community_against_pandas(demo_db):
    DB = demo_db
    bad = []
    cmp = lambda label, a, b, tol=1e-6: _mismatches(bad, label, a, b, tol)  # noqa: E731
    START, END = date(2026,10,23), date(2026,11,21); ASOF = END
    con = duckdb.connect(DB, read_only=True, config={'enable_external_access': False})
    T = lambda t: con.execute(f"select * from {t}").df()
    def cli(name, *extra):
        out = subprocess.run([sys.executable, "-m", "dashboard", "metric", name, "--db", DB, "--start", str(START),
                              "--end", str(END), "--as-of", str(ASOF), *extra], capture_output=True, text=True, cwd=str(ROOT),
                             env={**os.environ, "DASHBOARD_OPS_DB": DB + ".ops.sqlite"})  # SPEC defaults
        assert out.returncode == 0, out.stderr
        return pd.read_csv(io.StringIO(out.stdout))
    orders, guides, stores, shares = T("orders"), T("guides"), T("stores"), T("shares")
    orders["net"] = (orders.amount - orders.refund_amount).astype(float)
    s_ts, e_ts = pd.Timestamp(START), pd.Timestamp(END + timedelta(days=1))
    po = orders[(orders.ordered_at >= s_ts) & (orders.ordered_at < e_ts)]
    # --- share-rate guide
    g = guides[guides.role == "guide"].copy()
    g["first"] = g.hired_on.clip(lower=pd.Timestamp(START)); g["last"] = g.left_on.fillna(pd.Timestamp(END)).clip(upper=pd.Timestamp(END))
    g = g[(g.hired_on <= pd.Timestamp(END)) & (g.left_on.isna() | (g.left_on >= pd.Timestamp(START)))]
    g["roster"] = (g["last"] - g["first"]).dt.days + 1
    ps = shares[(shares.shared_at >= s_ts) & (shares.shared_at < e_ts)].copy(); ps["day"] = ps.shared_at.dt.normalize()
    daily = ps.groupby(["guide_id", "day"]).size().rename("n").reset_index()
    daily = daily.merge(g[["guide_id", "first", "last"]], on="guide_id")
    daily = daily[(daily.day >= daily["first"]) & (daily.day <= daily["last"]) & (daily.n >= 3)]
    tdays = daily.groupby("guide_id").size()
    wm = po[po.channel == "wemall"].groupby("guide_id").net.sum()
    c = cli("share-rate", "--level", "guide").set_index("guide_id")
    assert set(c.index) == set(g.guide_id), (len(c), len(g))
    for r in g.itertuples():
        cmp(f"roster {r.guide_id}", c.loc[r.guide_id, "roster_days"], r.roster)
        cmp(f"target {r.guide_id}", c.loc[r.guide_id, "target_days"], tdays.get(r.guide_id, 0))
        cmp(f"wemall {r.guide_id}", c.loc[r.guide_id, "wemall_sales"], wm.get(r.guide_id, 0.0))
        cmp(f"shares {r.guide_id}", c.loc[r.guide_id, "shares"], (ps.guide_id == r.guide_id).sum())
    med = c.wemall_sales.median()
    def diag(x):
        rate = x.share_rate
        if rate >= 0.8: return "标杆" if x.wemall_sales >= med else "方法问题"
        return "积极性问题-高销售" if x.wemall_sales >= med else "积极性问题-低销售"
    dd = c.apply(diag, axis=1)
    assert (dd == c.diagnosis).all(), c[dd != c.diagnosis].head()
    # --- wemall-sources
    w = po[po.channel == "wemall"].merge(shares[["share_id", "target"]], on="share_id", how="left")
    w["source"] = w.target.fillna("direct")
    tot = w.net.sum()
    src = cli("wemall-sources")
    for v, s in w.groupby("source").net.sum().items():
        row = src[(src.dimension == "source") & (src.value == v)]
        cmp(f"source {v}", row.sales.iloc[0] if len(row) else 0, s)
    w = w.merge(stores[["store_id", "city", "open_time", "close_time"]], on="store_id")
    cross = w[w.buyer_city.notna() & (w.buyer_city != w.city)].net.sum()
    cmp("cross_city", src[src.dimension == "cross_city"].sales.iloc[0], cross)
    tod = w.ordered_at.dt.time
    off = w[~((tod >= w.open_time) & (tod < w.close_time))].net.sum()
    cmp("off_hours", src[src.dimension == "off_hours"].sales.iloc[0], off)
    # --- live-tail
    lives = T("live_sessions"); views = T("live_views"); inv = T("live_invites")
    lt = cli("live-tail").set_index("live_id")
    sel = lives[(lives.started_at >= s_ts) & (lives.started_at < e_ts)]
    assert set(lt.index) == set(sel.live_id), (len(lt), len(sel))
    for l in sel.itertuples():
        o = orders[orders.live_id == l.live_id]
        live = o[(o.ordered_at >= l.started_at) & (o.ordered_at <= l.ended_at)].net.sum()
        tail = o[(o.ordered_at > l.ended_at) & (o.ordered_at <= l.ended_at + pd.Timedelta(hours=72))].net.sum()
        cmp(f"live {l.live_id}", lt.loc[l.live_id, "live_sales"], live); cmp(f"tail {l.live_id}", lt.loc[l.live_id, "tail_sales"], tail)
        v = set(views[views.live_id == l.live_id].member_id); i = set(inv[inv.live_id == l.live_id].member_id)
        cmp(f"viewers {l.live_id}", lt.loc[l.live_id, "viewers"], len(v))
        cmp(f"iwr {l.live_id}", lt.loc[l.live_id, "invite_watch_rate"], len(i & v) / len(i) if i else float("nan"))
        pos = orders[(orders.channel == "pos") & (orders.net > 0) & (orders.ordered_at > l.ended_at) & (orders.ordered_at <= l.ended_at + pd.Timedelta(hours=72))]
        ret = len(v & set(pos.member_id))
        cmp(f"return {l.live_id}", lt.loc[l.live_id, "return_rate"], ret / len(v) if v else float("nan"))
        cmp(f"roi {l.live_id}", lt.loc[l.live_id, "roi"], (live + tail) / float(l.cost) if l.cost > 0 else float("nan"))
    # --- channel-roi 30
    mem = T("members"); sp = T("channel_spend"); ch = T("channels")
    cr = cli("channel-roi", "--window", "30").set_index("channel_id")
    nf = mem[(mem.joined_at >= s_ts) & (mem.joined_at < e_ts)]
    for cid in ch.channel_id:
        f = nf[nf.acquisition_channel == cid]
        spend = float(sp[(sp.channel_id == cid) & (sp.spend_date >= pd.Timestamp(START)) & (sp.spend_date <= pd.Timestamp(END))].spend.sum())
        ret = f[f.unfollowed_at.isna() | (f.unfollowed_at >= f.joined_at + pd.Timedelta(days=7))]
        oo = orders[orders.member_id.isin(f.member_id)].merge(f[["member_id", "joined_at"]], on="member_id")
        oo = oo[(oo.ordered_at >= oo.joined_at) & (oo.ordered_at < oo.joined_at + pd.Timedelta(days=30))]
        gmv = oo.net.sum(); cnt = oo[oo.net > 0].groupby("member_id").size()
        cmp(f"fans {cid}", cr.loc[cid, "new_fans"], len(f)); cmp(f"ret {cid}", cr.loc[cid, "retained_fans"], len(ret))
        cmp(f"spend {cid}", cr.loc[cid, "spend"], spend); cmp(f"gmv {cid}", cr.loc[cid, "gmv"], gmv)
        cmp(f"repeat {cid}", cr.loc[cid, "repeat_rate"], (cnt >= 2).sum() / len(cnt) if len(cnt) else float("nan"))
    # --- group-activity
    gm = T("group_members"); msg = T("group_messages"); grp = T("groups")
    ga = cli("group-activity").set_index("group_id")
    day_s, day_e = pd.Timestamp(ASOF), pd.Timestamp(ASOF + timedelta(days=1))
    for gr in grp.itertuples():
        if gr.group_id not in ga.index: continue
        m = gm[(gm.group_id == gr.group_id) & (gm.joined_at < day_e) & (gm.left_at.isna() | (gm.left_at > day_s))]
        cmp(f"members {gr.group_id}", ga.loc[gr.group_id, "members"], m.member_id.nunique())
        mm = msg[(msg.group_id == gr.group_id) & (msg.sender_type == "member")]
        act = mm[(mm.sent_at >= day_s) & (mm.sent_at < day_e)].sender_id.nunique()
        cmp(f"active {gr.group_id}", ga.loc[gr.group_id, "active_members"], act)
        pm = mm[(mm.sent_at >= s_ts) & (mm.sent_at < e_ts)].copy(); pm["d"] = pm.sent_at.dt.normalize()
        alive = (pm.groupby("d").sender_id.nunique() >= 10).sum()
        cmp(f"alive {gr.group_id}", ga.loc[gr.group_id, "alive_days"], alive)
        last = mm[mm.sent_at < day_e].sent_at.max()
        silent = pd.isna(last) or last < day_e - pd.Timedelta(days=14)
        if str(ga.loc[gr.group_id, "silent"]).lower() != str(silent).lower():
            bad.append(("silent", gr.group_id, ga.loc[gr.group_id, "silent"], silent, last))
        gs = shares[shares.group_id == gr.group_id].share_id
        cmp(f"gwm {gr.group_id}", ga.loc[gr.group_id, "wemall_sales"], po[po.share_id.isin(gs)].net.sum())
    assert not bad, bad[:10]


def test_koc_and_targets_against_pandas(demo_db):
    DB = demo_db
    bad = []
    cmp = lambda label, a, b, tol=1e-6: _mismatches(bad, label, a, b, tol)  # noqa: E731
    ASOF = date(2026, 11, 21)
    con = duckdb.connect(DB, read_only=True); T = lambda t: con.execute(f"select * from {t}").df()
    def cli(name, *extra):
        out = subprocess.run([sys.executable, "-m", "dashboard", "metric", name, "--db", DB, "--start", str(ASOF), "--end", str(ASOF),
                              "--as-of", str(ASOF), *extra], capture_output=True, text=True, cwd=str(ROOT),
                             env={**os.environ, "DASHBOARD_OPS_DB": DB + ".ops.sqlite"})  # SPEC defaults
        assert out.returncode == 0, out.stderr
        return pd.read_csv(io.StringIO(out.stdout), dtype={"id": str, "month": str})
    orders = T("orders"); orders["net"] = (orders.amount - orders.refund_amount).astype(float)
    msg = T("group_messages")
    ws, we = pd.Timestamp(ASOF - timedelta(days=27)), pd.Timestamp(ASOF + timedelta(days=1))
    k = cli("koc")
    wm = msg[(msg.sent_at >= ws) & (msg.sent_at < we)]
    mem = wm[wm.sender_type == "member"].copy(); mem["d"] = mem.sent_at.dt.normalize()
    act = mem.groupby(["group_id", "sender_id"]).d.nunique()
    rep = wm[wm.sender_type == "member"].merge(wm[["message_id", "sender_id", "sender_type"]], left_on="reply_to", right_on="message_id", suffixes=("", "_to"))
    rep = rep[(rep.sender_type_to == "member") & (rep.sender_id != rep.sender_id_to)]
    repl = rep.groupby(["group_id", "sender_id_to"]).sender_id.nunique()
    ref = orders[(orders.ordered_at >= ws) & (orders.ordered_at < we) & orders.referrer_member_id.notna()].groupby("referrer_member_id").net.sum()
    for r in k.itertuples():
        cmp(f"active {r.group_id}/{r.member_id}", r.active_days, act.get((r.group_id, r.member_id), 0))
        cmp(f"repliers {r.group_id}/{r.member_id}", r.distinct_repliers, repl.get((r.group_id, r.member_id), 0))
        cmp(f"referred {r.member_id}", r.referred_sales, ref.get(r.member_id, 0.0))
    assert len(k) and k.is_koc.astype(str).str.lower().eq("true").any()
    # targets
    tg = T("targets"); month = ASOF.strftime("%Y-%m"); days = calendar.monthrange(ASOF.year, ASOF.month)[1]
    ms, me = pd.Timestamp(ASOF.replace(day=1)), pd.Timestamp(ASOF + timedelta(days=1))
    mo = orders[(orders.ordered_at >= ms) & (orders.ordered_at < me)]
    for level, key in (("store", "store_id"), ("guide", "guide_id")):
        ta = cli("target-attainment", "--level", level)
        sales = mo.groupby(key).net.sum()
        want = tg[(tg.level == level) & (tg.month == month)]
        assert len(ta) == len(want), (level, len(ta), len(want))
        tp = ASOF.day / days
        for r in ta.itertuples():
            target = float(want[want.target_id == r.id].sales_target.iloc[0]); s = sales.get(r.id, 0.0)
            cmp(f"{level} sales {r.id}", r.sales_mtd, s); cmp(f"{level} target {r.id}", r.target, target)
            cmp(f"{level} att {r.id}", r.attainment, s / target if target else float("nan"))
            cmp(f"{level} tp {r.id}", r.time_progress, tp)
            cmp(f"{level} gap {r.id}", r.gap, target * tp - s)
            cmp(f"{level} need {r.id}", r.needed_per_day, (target - s) / (days - ASOF.day))
    assert not bad, bad[:10]
