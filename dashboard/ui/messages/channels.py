"""Channels page (渠道ROI) and the columns of channel-roi / channel-cohorts."""
MESSAGES = {
    "col.channel_id": ("渠道编码", "Channel id"),
    "col.channel_name": ("渠道", "Channel"),
    "col.window_days": ("GMV窗口（天）", "GMV window (days)"),
    "col.spend": ("投放花费", "Spend"),
    "col.new_fans": ("新增粉丝", "New fans"),
    "col.retained_fans": ("沉淀粉丝", "Retained fans"),
    "col.cost_per_fan": ("单粉成本", "Cost per fan"),
    "col.cost_per_retained_fan": ("单沉淀粉成本", "Cost per retained fan"),
    "col.gmv": ("粉丝GMV", "Fans' GMV"),
    "col.revenue_per_fan": ("单粉贡献", "Revenue per fan"),
    "col.roi": ("ROI", "ROI"),
    "col.repeat_rate": ("复购率", "Repeat rate"),
    "col.cohort_month": ("加入月份", "Cohort month"),
    "col.fans": ("粉丝数", "Fans"),

    "ch.title": ("渠道ROI", "Channel ROI"),
    "ch.caption": ("新增粉丝：所选期间内加入的会员（按获客渠道）；GMV：每位粉丝加入后 N 天内的订单净额。",
                   "New fans: members who joined in the period, by acquisition channel; GMV: net sales of each "
                   "fan's orders within N days of joining."),
    "ch.table": ("各渠道获客与回报", "Acquisition and return by channel"),
    "ch.at_days": ("{label}·{days}天", "{label} {days}d"),
    "ch.sort": ("排序", "Sort by"),
    "ch.incomplete_mark": ("*", "*"),
    "ch.incomplete_note": ("标 * 的灰色数字：截至 {as_of}，该渠道仍有粉丝的 {days} 天窗口没有走完，数字还会增长；"
                           "排序时它们排在窗口已满的渠道之后，不与之比较。要看完整的 {days} 天窗口，请选择 {latest} 或更早结束的期间。",
                           "Grey numbers marked *: as of {as_of} some of the channel's fans have not had "
                           "{days} days yet, so the number will still grow; they are sorted after the complete "
                           "channels, never among them. For complete {days}-day windows pick a period ending "
                           "{latest} or earlier."),
    "ch.all_complete": ("所有渠道的 {days} 天窗口均已走完（截至 {as_of}）。",
                        "Every channel's {days}-day window has elapsed (as of {as_of})."),
    "ch.no_spend_note": ("投放花费由总部统一采买，不归属任何区域、门店或导购，因此在按区域/门店/导购收窄的视图中不显示花费、"
                         "单粉成本和 ROI；这里显示您范围内会员的新增、沉淀和 GMV（只计您范围内门店的订单）。",
                         "Spend is bought centrally and belongs to no region, store or guide, so a view narrowed to "
                         "regions, stores or guides shows no spend, cost per fan or ROI; shown here are the new and "
                         "retained fans and the GMV of the members in your scope (orders of your stores only)."),
    "ch.export_xlsx": ("导出 Excel", "Export Excel"),
    "ch.export_csv": ("导出 CSV", "Export CSV"),
    "ch.scatter": ("单粉成本 vs 单粉贡献", "Cost per fan vs revenue per fan"),
    "ch.scatter_hint": ("气泡大小 = 新增粉丝数；{days} 天窗口。右下方的渠道花得多、回得少。空心气泡：窗口未满，仅供参考。",
                        "Bubble size = new fans; {days}-day window. Channels to the lower right cost much and "
                        "return little. Hollow bubbles: window still running, for reference only."),
    "ch.axis": ("{label}（{unit}）", "{label} ({unit})"),
    "ch.scatter_complete": ("窗口已满", "Window complete"),
    "ch.scatter_running": ("窗口未满", "Window running"),
    "ch.cohorts": ("月度粉丝队列：累计单粉贡献", "Monthly fan cohorts: cumulative revenue per fan"),
    "ch.cohorts_hint": ("按加入月份分组的粉丝，在加入后第 N 天时的累计单粉贡献，渠道间按相同“粉龄”比较。"
                        "尚未走完的天数留空，不做推算。队列：{start} 至 {end} 加入的粉丝。",
                        "Fans grouped by the month they joined: cumulative revenue per fan N days after joining, "
                        "so channels compare at equal age. Days not yet elapsed stay empty, never extrapolated. "
                        "Cohorts: fans who joined {start} to {end}."),
    "ch.cohort_range": ("队列范围", "Cohorts of"),
    "ch.cohort_range.period": ("所选期间加入的粉丝", "fans who joined in the period"),
    "ch.cohort_range.long": ("近{days}天加入的粉丝", "fans who joined in the last {days} days"),
    "ch.cohort_short": ("所选期间的队列还没有走完任何一天（截至 {as_of}）。选择更早、更长的期间，或上方的“近{days}天加入的粉丝”，可比较多个月的队列。",
                        "The period's cohorts have not completed a single day yet (as of {as_of}). Pick an earlier, "
                        "longer period, or the fans of the last {days} days above, to compare several months."),
    "ch.cohort_month": ("加入月份", "Cohort month"),
    "ch.cohort_x": ("加入后天数", "Days since joining"),
    "ch.cohort_y": ("累计单粉贡献", "Cumulative revenue per fan"),
    "ch.cohort_day": ("第{day}天", "Day {day}"),
    "ch.cohort_table": ("队列明细", "Cohort details"),
    "ch.cohort_none": ("所选期间没有新增粉丝。", "No new fans in the period."),
    "ch.no_fans": ("所选期间没有新增粉丝。", "No new fans in the period."),
}
