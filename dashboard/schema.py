"""The data contract of SPEC.md as DuckDB DDL: one table per input file.

Ids are text; `?` columns of the contract are nullable here, everything else is
NOT NULL. Enums and ranges are CHECKs so a bad row can never be stored, whoever
writes it (loader, demo generator or a test). Facts are clustered by time by the
writers (ORDER BY on insert) so DuckDB's zone maps skip data on date filters.
"""
from __future__ import annotations

# 2: the targets table, and rollups (dashboard/rollups/) in every published file.
# 3: area rollups (dashboard/rollups/: sharing, community, channels), each with its gate.
SCHEMA_VERSION = 3

# Column lists in contract order: (name, DuckDB type, nullable)
TABLES: dict[str, list[tuple[str, str, bool]]] = {
    "stores": [
        ("store_id", "VARCHAR", False), ("store_name", "VARCHAR", False),
        ("brand", "VARCHAR", False), ("region", "VARCHAR", False),
        ("province", "VARCHAR", False), ("city", "VARCHAR", False),
        ("opened_on", "DATE", False), ("open_time", "TIME", False),
        ("close_time", "TIME", False), ("closed_on", "DATE", True),
    ],
    "guides": [
        ("guide_id", "VARCHAR", False), ("guide_name", "VARCHAR", False),
        ("store_id", "VARCHAR", False), ("role", "VARCHAR", False),
        ("hired_on", "DATE", False), ("left_on", "DATE", True),
    ],
    "members": [
        ("member_id", "VARCHAR", False), ("joined_at", "TIMESTAMP", False),
        ("acquisition_channel", "VARCHAR", True), ("guide_id", "VARCHAR", True),
        ("store_id", "VARCHAR", True), ("city", "VARCHAR", True),
        ("birthday", "DATE", True), ("unfollowed_at", "TIMESTAMP", True),
    ],
    "member_tags": [
        ("member_id", "VARCHAR", False), ("tag", "VARCHAR", False),
        ("tagged_by", "VARCHAR", True), ("tagged_at", "TIMESTAMP", False),
    ],
    "orders": [
        ("order_id", "VARCHAR", False), ("ordered_at", "TIMESTAMP", False),
        ("channel", "VARCHAR", False), ("store_id", "VARCHAR", False),
        ("guide_id", "VARCHAR", True), ("member_id", "VARCHAR", True),
        ("brand", "VARCHAR", False), ("amount", "DECIMAL(14,2)", False),
        ("refund_amount", "DECIMAL(14,2)", False), ("buyer_city", "VARCHAR", True),
        ("share_id", "VARCHAR", True), ("live_id", "VARCHAR", True),
        ("referrer_member_id", "VARCHAR", True), ("coupon_id", "VARCHAR", True),
    ],
    "shares": [
        ("share_id", "VARCHAR", False), ("shared_at", "TIMESTAMP", False),
        ("guide_id", "VARCHAR", False), ("store_id", "VARCHAR", False),
        ("target", "VARCHAR", False), ("group_id", "VARCHAR", True),
        ("content_type", "VARCHAR", False), ("sku", "VARCHAR", True),
    ],
    "share_visits": [
        ("share_id", "VARCHAR", False), ("member_id", "VARCHAR", True),
        ("visited_at", "TIMESTAMP", False),
    ],
    "groups": [
        ("group_id", "VARCHAR", False), ("group_name", "VARCHAR", False),
        ("store_id", "VARCHAR", True), ("owner_guide_id", "VARCHAR", True),
        ("kind", "VARCHAR", False), ("created_at", "TIMESTAMP", False),
        ("dissolved_at", "TIMESTAMP", True),
    ],
    "group_members": [
        ("group_id", "VARCHAR", False), ("member_id", "VARCHAR", False),
        ("joined_at", "TIMESTAMP", False), ("left_at", "TIMESTAMP", True),
    ],
    "group_messages": [
        ("message_id", "VARCHAR", False), ("group_id", "VARCHAR", False),
        ("sent_at", "TIMESTAMP", False), ("sender_type", "VARCHAR", False),
        ("sender_id", "VARCHAR", False), ("msg_type", "VARCHAR", False),
        ("text", "VARCHAR", True), ("reply_to", "VARCHAR", True),
    ],
    "live_sessions": [
        ("live_id", "VARCHAR", False), ("title", "VARCHAR", False),
        ("brand", "VARCHAR", False), ("host_store_id", "VARCHAR", True),
        ("started_at", "TIMESTAMP", False), ("ended_at", "TIMESTAMP", False),
        ("cost", "DECIMAL(14,2)", False),
    ],
    "live_invites": [
        ("live_id", "VARCHAR", False), ("guide_id", "VARCHAR", False),
        ("member_id", "VARCHAR", False), ("invited_at", "TIMESTAMP", False),
    ],
    "live_views": [
        ("live_id", "VARCHAR", False), ("member_id", "VARCHAR", False),
        ("joined_at", "TIMESTAMP", False), ("watch_seconds", "INTEGER", False),
    ],
    "channels": [
        ("channel_id", "VARCHAR", False), ("channel_name", "VARCHAR", False),
        ("kind", "VARCHAR", False),
    ],
    "channel_spend": [
        ("spend_date", "DATE", False), ("channel_id", "VARCHAR", False),
        ("spend", "DECIMAL(14,2)", False),
    ],
    "targets": [
        ("month", "VARCHAR", False), ("level", "VARCHAR", False),
        ("target_id", "VARCHAR", False), ("sales_target", "DECIMAL(14,2)", False),
        ("wemall_target", "DECIMAL(14,2)", True),
    ],
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "stores": ("store_id",),
    "guides": ("guide_id",),
    "members": ("member_id",),
    "member_tags": ("member_id", "tag"),
    "orders": ("order_id",),
    "shares": ("share_id",),
    "groups": ("group_id",),
    "group_members": ("group_id", "member_id", "joined_at"),
    "group_messages": ("message_id",),
    "live_sessions": ("live_id",),
    "live_invites": ("live_id", "guide_id", "member_id"),
    "live_views": ("live_id", "member_id", "joined_at"),
    "channels": ("channel_id",),
    "channel_spend": ("spend_date", "channel_id"),
    "targets": ("month", "level", "target_id"),
}

# Keys the loader upserts by. share_visits has no id and its member_id may be
# null (an anonymous visit), which a PRIMARY KEY forbids: it is de-duplicated
# on the whole natural key instead, with NULLs compared as equal.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    **PRIMARY_KEYS, "share_visits": ("share_id", "member_id", "visited_at"),
}

ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("guides", "role"): ("guide", "store_manager", "community_operator"),
    ("orders", "channel"): ("pos", "wemall"),
    ("shares", "target"): ("moments", "private_chat", "group"),
    ("groups", "kind"): ("store", "live", "brand", "other"),
    ("group_messages", "sender_type"): ("member", "staff", "bot"),
    ("group_messages", "msg_type"): ("text", "image", "link", "miniprogram", "solitaire", "other"),
    ("channels", "kind"): ("paid_ad", "guide", "store_qr", "after_payment", "live",
                           "referral", "outbound_call", "kol", "other"),
    ("targets", "level"): ("store", "guide"),
}

# Row-level range rules: (table, SQL condition, human reason zh / en)
RANGE_CHECKS: list[tuple[str, str, str, str]] = [
    ("orders", "amount >= 0", "金额不能为负", "amount must not be negative"),
    ("orders", "refund_amount >= 0 AND refund_amount <= amount",
     "退款须在 0 与金额之间", "refund_amount must be between 0 and amount"),
    ("live_sessions", "ended_at > started_at", "结束时间须晚于开始时间", "ended_at must be after started_at"),
    ("live_sessions", "cost >= 0", "成本不能为负", "cost must not be negative"),
    ("live_views", "watch_seconds >= 0", "观看秒数不能为负", "watch_seconds must not be negative"),
    ("channel_spend", "spend >= 0", "花费不能为负", "spend must not be negative"),
    ("guides", "left_on IS NULL OR left_on >= hired_on", "离职日期早于入职日期", "left_on is before hired_on"),
    ("stores", "closed_on IS NULL OR closed_on >= opened_on", "闭店日期早于开店日期", "closed_on is before opened_on"),
    ("group_members", "left_at IS NULL OR left_at >= joined_at", "退群时间早于入群时间", "left_at is before joined_at"),
    ("targets", "sales_target >= 0", "销售目标不能为负", "sales_target must not be negative"),
    ("targets", "wemall_target IS NULL OR wemall_target >= 0", "微商城目标不能为负",
     "wemall_target must not be negative"),
    # The loader normalises 2026/11, 2026年11月 and Excel dates to YYYY-MM first (validate.py).
    ("targets", "month SIMILAR TO '[0-9]{4}-(0[1-9]|1[0-2])'", "月份须为 YYYY-MM（如 2026-11）",
     "month must be YYYY-MM (e.g. 2026-11)"),
]

# Columns each table is kept sorted by, so date filters skip row groups.
SORT_KEYS: dict[str, str] = {
    "orders": "ordered_at", "shares": "shared_at", "share_visits": "visited_at",
    "group_messages": "sent_at", "group_members": "joined_at", "members": "joined_at",
    "live_views": "joined_at", "live_invites": "invited_at", "channel_spend": "spend_date",
}

REQUIRED = {t: [c for c, _, nullable in cols if not nullable] for t, cols in TABLES.items()}
COLUMNS = {t: [c for c, _, _ in cols] for t, cols in TABLES.items()}


def create_table_sql(table: str) -> str:
    parts = []
    for col, typ, nullable in TABLES[table]:
        parts.append(f"{col} {typ}{'' if nullable else ' NOT NULL'}")
    for (t, col), values in ENUMS.items():
        if t == table:
            allowed = ", ".join(f"'{v}'" for v in values)
            parts.append(f"CHECK ({col} IN ({allowed}))")
    for t, cond, _, _ in RANGE_CHECKS:
        if t == table:
            parts.append(f"CHECK ({cond})")
    if table in PRIMARY_KEYS:
        parts.append(f"PRIMARY KEY ({', '.join(PRIMARY_KEYS[table])})")
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  " + ",\n  ".join(parts) + "\n)"


META_DDL = [
    """CREATE TABLE IF NOT EXISTS _meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
]


def create_all(con) -> None:
    """Create every contract table (idempotent) and stamp the schema version."""
    for table in TABLES:
        con.execute(create_table_sql(table))
    for ddl in META_DDL:
        con.execute(ddl)
    con.execute("INSERT OR REPLACE INTO _meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
