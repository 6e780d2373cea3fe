"""Column labels (key "col.<name>") of the core metrics not labelled with the
leaderboards; every declared column has one (tests/unit/test_catalog.py)."""
_BASE = {"sales": ("销售额", "Sales"), "wemall_sales": ("微商城销售额", "WeMall sales"),
         "pos_sales": ("门店POS销售额", "POS sales"), "orders": ("订单数", "Orders"),
         "members": ("购买会员数", "Buying members"), "aov": ("客单价", "Avg. order value")}
_SUFFIX = {"prev": ("上期", "prev. period"), "pop": ("环比", "vs prev."), "last_year": ("去年同期", "last year"),
           "yoy": ("同比", "YoY"), "prev_day": ("前一天", "day before"), "vs_prev_day": ("较前一天", "vs day before"),
           "last_week": ("上周同日", "same day last week"), "vs_last_week": ("较上周同日", "vs last week")}

MESSAGES = {
    f"col.{base}_{suffix}": (f"{zh}{szh}", f"{en} {sen}")
    for base, (zh, en) in _BASE.items() for suffix, (szh, sen) in _SUFFIX.items()
    if f"{base}_{suffix}" not in ("sales_pop", "sales_yoy", "wemall_sales_pop", "wemall_sales_yoy")
}
MESSAGES.update({
    "col.guide_share": ("导购累计占比", "Share of guides"),
    "col.wemall_share": ("微商城累计占比", "Share of WeMall sales"),
    "col.hired_on": ("入职日期", "Hired on"),
    "col.prev_rank": ("上期排名", "Previous rank"),
    "col.as_of": ("日期", "As of"),
    "col.last_sale_on": ("最近有销售日", "Last day with sales"),
    "col.day": ("日期", "Day"),
    # Shared by several areas: one label each.
    "col.complete": ("窗口已满", "Window complete"),  # live: 72 h elapsed; channels: the GMV window
    "col.hour": ("小时", "Hour"),
    "col.direction": ("方向", "Direction"),
    "col.text": ("内容", "Text"),
})
