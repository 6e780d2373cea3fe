"""The hand-built community database shared by tests/metrics/test_community.py
(where every number is worked out) and the community page tests."""
from datetime import date, datetime, time

from builders import build_db, guide_row, order_row, store_row

AS_OF = date(2026, 3, 28)
MARKUP = "**投诉**：[点我](http://evil.example) <script>alert(1)</script> 客服一直不回"


def at(day, hh=10, mm=0, ss=0):
    return datetime.combine(date(2026, 3, day) if isinstance(day, int) else day, time(hh, mm, ss))


class Chat:
    """Messages with readable ids: Chat.say returns the id it gave."""

    def __init__(self):
        self.rows, self.n = [], 0

    def say(self, group, when, sender, text="嗯", sender_type="member", msg_type="text", reply_to=None, mid=None):
        self.n += 1
        mid = mid or f"X{self.n:04d}"
        self.rows.append({"message_id": mid, "group_id": group, "sent_at": when, "sender_type": sender_type,
                          "sender_id": sender, "msg_type": msg_type,
                          "text": text if msg_type in ("text", "solitaire") else None, "reply_to": reply_to})
        return mid


def g1_chat(c: Chat):
    c.say("G1", at(10, 9), "mL", "大家好")
    n4 = c.say("G1", at(10, 10), "m5", "退款申请三天了没人处理", mid="N4")
    c.say("G1", at(10, 10, 10), "g1", "抱歉久等了，退款已经在处理中", sender_type="staff", reply_to=n4)
    for i in range(1, 13):                                    # 03-20: twelve speakers
        c.say("G1", at(20, 10, i), f"m{i}", "早")
    c.say("G1", at(21), "m7", "m7-21")
    # m1 and m7 speak on many days; others reply to them.
    m1, m7 = {}, {}
    for d in (22, 23, 24, 25, 26, 27, 28):
        m1[d] = c.say("G1", at(d, 9), "m1", f"m1-{d}")
    for d in (22, 23, 24, 25, 27, 28):
        m7[d] = c.say("G1", at(d, 9, 30), "m7", f"m7-{d}")
    for d in (22, 23, 24):                                    # m2 replies to m1 three times: one replier
        c.say("G1", at(d, 11), "m2", "同意", reply_to=m1[d])
    c.say("G1", at(25, 11), "m3", "+1", reply_to=m1[25])
    c.say("G1", at(26, 11), "m4", "+1", reply_to=m1[26])
    c.say("G1", at(22, 12), "m2", "好看", reply_to=m7[22])    # m7's repliers: m2, m3, m4, m8
    c.say("G1", at(23, 12), "m3", "好看", reply_to=m7[23])
    c.say("G1", at(24, 12), "m4", "好看", reply_to=m7[24])
    c.say("G1", at(25, 12), "m8", "好看", reply_to=m7[25])
    for i in range(2, 10):                                    # 03-27: m1..m9
        if i != 7:
            c.say("G1", at(27, 14, i), f"m{i}", "来了")
    c.say("G1", at(27, 15), "m5", "赞", reply_to=m1[27])
    c.say("G1", at(27, 15, 5), "g1", "谢谢支持", sender_type="staff", reply_to=m1[27])   # staff: no replier
    c.say("G1", at(27, 15, 6), "m7", "自己顶一下", reply_to=m7[27])                      # self-reply
    for k in range(5):
        c.say("G1", at(27, 16, k), "g1", "限时秒杀", sender_type="staff")
    for k in range(3):
        c.say("G1", at(27, 17, k), "bot", "【签到提醒】", sender_type="bot")
    # 03-28: m1..m10 (m1, m7 above), three complaints, one reassurance, a picture, a 接龙.
    n1 = c.say("G1", at(28, 10), "m3", "发货太慢了，等了一周还没到", mid="N1")
    c.say("G1", at(28, 10, 30), "g1", "您好，已帮您加急催件", sender_type="staff", reply_to=n1)   # exactly 30:00
    n2 = c.say("G1", at(28, 11), "m4", MARKUP, mid="N2")
    c.say("G1", at(28, 11, 5), "g1", "投诉请私信店长", sender_type="staff")            # no reply_to: no answer
    c.say("G1", at(28, 11, 31), "g1", "亲，已私信您处理", sender_type="staff", reply_to=n2)  # 31 minutes: late
    n3 = c.say("G1", at(28, 12), "m5", "这是假货吧😡", mid="N3")
    c.say("G1", at(28, 12, 2), "bot", "您的反馈已收到", sender_type="bot", reply_to=n3)     # a bot is no staff
    c.say("G1", at(28, 13), "m6", "不是假货，放心买")
    c.say("G1", at(28, 13, 1), "m6", "+1", reply_to=m1[28])
    c.say("G1", at(28, 13, 2), "m1", "我自己再说一句", reply_to=m1[28])                # self-reply
    c.say("G1", at(28, 14), "m8", "冲")
    c.say("G1", at(28, 14, 1), "m9", None, msg_type="image")
    c.say("G1", at(28, 14, 2), "m10", "接龙 1. 张三 2件", msg_type="solitaire")
    c.say("G1", at(28, 14, 3), "m2", "好的")


def build_community_db(path):
    return build_db(path, **community_tables())


def community_tables() -> dict:
    """The hand-built community rows, by table (build_community_db builds them)."""
    c = Chat()
    g1_chat(c)
    c.say("G2", at(14, 20), "g2a", "晚安")                      # G2: last member message 03-14
    c.say("G2", at(20), "g1", "新品上架", sender_type="staff")   # staff messages do not break silence
    c.say("G3", at(15, 20), "g3a", "晚安")                      # G3: last member message 03-15
    for i in range(1, 11):                                     # G4: 10 speakers on 03-27, 2 on 03-28
        c.say("G4", at(27, 10, i), f"h{i}", "早")
    for i in range(1, 3):
        c.say("G4", at(28, 10, i), f"h{i}", "早")
    c.say("GB", at(28, 9), "m1", "品牌群里也说一句")

    jan = datetime(2026, 1, 1, 9)
    gm = [{"group_id": "G1", "member_id": f"m{i}", "joined_at": jan} for i in range(1, 13) if i != 2]
    gm += [{"group_id": "G1", "member_id": "m2", "joined_at": jan, "left_at": datetime(2026, 2, 1)},
           {"group_id": "G1", "member_id": "m2", "joined_at": datetime(2026, 2, 10)},
           {"group_id": "G1", "member_id": "mR", "joined_at": jan},
           {"group_id": "G1", "member_id": "mL", "joined_at": jan, "left_at": at(15, 10)},
           {"group_id": "G1", "member_id": "mX", "joined_at": jan, "left_at": at(28, 0)},
           {"group_id": "G1", "member_id": "mJ", "joined_at": at(28, 23)}]
    gm += [{"group_id": "G2", "member_id": m, "joined_at": jan} for m in ("g2a", "g2b", "g2c")]
    gm += [{"group_id": "G3", "member_id": "g3a", "joined_at": jan},
           # g3b: two overlapping rows (counted once on 03-20); g3c: left 08:00 and back 20:00 on 03-10,
           # gone at 00:00 on 03-12.
           {"group_id": "G3", "member_id": "g3b", "joined_at": jan, "left_at": at(20, 12)},
           {"group_id": "G3", "member_id": "g3b", "joined_at": at(20, 9)},
           {"group_id": "G3", "member_id": "g3c", "joined_at": jan, "left_at": at(10, 8)},
           {"group_id": "G3", "member_id": "g3c", "joined_at": at(10, 20), "left_at": at(12, 0)}]
    gm += [{"group_id": "G4", "member_id": f"h{i}", "joined_at": jan} for i in range(1, 13)]
    gm += [{"group_id": "GB", "member_id": "m1", "joined_at": jan}]
    groups = [{"group_id": g, "group_name": f"{g}群", "store_id": s, "owner_guide_id": o, "kind": k,
               "created_at": datetime(2025, 6, 1)}
              for g, s, o, k in (("G1", "S1", "g1", "store"), ("G2", "S1", "g1", "store"), ("G3", "S1", "g1", "store"),
                                 ("G4", "S2", "g2", "store"), ("GB", None, None, "brand"))]
    share = lambda sid, day, target, group: {"share_id": sid, "shared_at": day, "guide_id": "g1", "store_id": "S1",  # noqa: E731
                                             "target": target, "group_id": group, "content_type": "product"}
    wem = dict(channel="wemall", guide_id="g1")
    orders = [
        order_row("o1", "2026-03-06 12:00", "S1", 500, refund_amount=100, share_id="sh1", **wem),  # G1 400
        order_row("o2", "2026-03-07 12:00", "S1", 300, share_id="sh1", **wem),                     # G1 300
        order_row("o3", "2026-03-07 13:00", "S1", 200, share_id="sh2", **wem),                     # moments
        order_row("o4", "2026-02-27 12:00", "S1", 300, share_id="sh3", **wem),                     # before the period
        order_row("o5", "2026-03-28 12:00", "S1", 250, refund_amount=250, share_id="sh1", **wem),  # net 0
        order_row("o6", "2026-03-12 12:00", "S1", 600, referrer_member_id="m8"),
        order_row("o7", "2026-03-20 12:00", "S1", 400, referrer_member_id="m8"),
        order_row("o8", "2026-02-28 23:59:59", "S1", 500, referrer_member_id="m8"),  # before the window
        order_row("o9", "2026-03-15 12:00", "S1", 300, refund_amount=300, referrer_member_id="m8"),
        order_row("o10", "2026-03-05 12:00", "S1", 999.99, referrer_member_id="m9"),
        order_row("o11", "2026-03-06 12:00", "S1", 1200, referrer_member_id="mR"),
        order_row("o12", "2026-03-06 12:00", "S1", 5000, referrer_member_id="mZ"),    # in no group
    ]
    return dict(
        stores=[store_row("S1", region="华东"), store_row("S2", region="华南")],
        guides=[guide_row("g1", "S1"), guide_row("g2", "S2")],
        groups=groups, group_members=gm, group_messages=c.rows, orders=orders,
        shares=[share("sh1", datetime(2026, 3, 5), "group", "G1"), share("sh2", datetime(2026, 3, 5), "moments", None),
                share("sh3", datetime(2026, 2, 20), "group", "G2")],
    )
