"""The frame's view checks (dates, periods) and the shared drill-down component."""
MESSAGES = {
    "filter.bad_asof": ("链接中的截至日期 {day} 超出可用范围，已改用 {default}。",
                        "The link's as-of date {day} is out of range; showing {default} instead."),
    "filter.bad_range": ("链接中的自定义区间无效或超出可用范围，已改用“昨天”。",
                         "The link's custom range is invalid or out of range; showing yesterday instead."),
    "filter.range_capped": ("时间区间最长 {years} 年，已显示 {start} 至 {end}。",
                            "A period is at most {years} years; showing {start} to {end}."),
    "drill.path": ("下钻路径", "Drill-down"),
    "drill.all": ("全部", "All"),
    "drill.back_all": ("返回全部", "Back to all"),
    "drill.back_up": ("返回上一级", "Back one level"),
}
