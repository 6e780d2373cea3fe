"""The 昨日要点 narrative (dashboard/digest.py): one template per kind of line.
Placeholders are filled with formatted numbers and escaped data values only."""
MESSAGES = {
    "dg.empty": ("暂无要点。", "Nothing to report."),
    "dg.heading": ("昨日要点 · {day}（周{weekday}）", "Highlights · {day} ({weekday})"),
    "dg.section.summary": ("概况", "Overview"),
    "dg.section.movers": ("名次变化", "Rank moves"),
    "dg.section.anomalies": ("销售异常", "Sales anomalies"),
    "dg.section.targets": ("目标进度", "Targets"),
    "dg.section.community": ("社群", "Community"),
    "dg.section.negative": ("负面消息", "Negative messages"),
    "dg.section.lives": ("直播72小时", "Lives (72 hours)"),
    "dg.summary": ("销售额 {sales}（较前一天 {vs_prev_day}，较上周同日 {vs_last_week}），微商城 {wemall_sales}",
                   "Sales {sales} ({vs_prev_day} vs day before, {vs_last_week} vs last week), WeMall {wemall_sales}"),
    "dg.riser": ("{name} 上升 {places} 名（第{prev}→第{now}）", "{name} up {places} places ({prev}→{now})"),
    "dg.faller": ("{name} 下降 {places} 名（第{prev}→第{now}）", "{name} down {places} places ({prev}→{now})"),
    "dg.no_movers": ("门店名次没有明显变化", "No notable rank moves"),
    "dg.anomaly.up": ("{name} 销售 {sales}，远高于同星期基线 {baseline}（+{deviation} MAD）",
                      "{name} sold {sales}, far above the weekday baseline {baseline} (+{deviation} MAD)"),
    "dg.anomaly.down": ("{name} 销售 {sales}，远低于同星期基线 {baseline}（−{deviation} MAD）",
                        "{name} sold {sales}, far below the weekday baseline {baseline} (−{deviation} MAD)"),
    "dg.anomaly.more": ("另有 {n} 家门店异常", "{n} more stores with anomalies"),
    "dg.no_anomalies": ("没有门店销售异常", "No store had unusual sales"),
    "dg.target_summary": ("本月达成 {attainment}，时间进度 {progress}；{behind}/{stores} 家门店落后",
                          "Month to date {attainment} attained at {progress} time progress; {behind} of {stores} "
                          "stores behind"),
    "dg.behind_store": ("{name} 达成 {attainment}，差 {gap}，日均需 {needed}",
                        "{name}: {attainment} attained, {gap} short, {needed} a day needed"),
    "dg.behind_guides": ("{behind}/{guides} 名导购落后进度", "{behind} of {guides} guides behind pace"),
    "dg.behind_guide": ("导购 {name}（{store}）达成 {attainment}，差 {gap}", "Guide {name} ({store}): {attainment}, "
                        "{gap} short"),
    "dg.no_targets": ("本月尚未导入目标", "No targets loaded for this month"),
    "dg.silent_groups": ("{n} 个社群已沉默（{days} 天无成员发言）", "{n} groups silent ({days} days without member "
                         "messages)"),
    "dg.unanswered": ("{n} 条负面消息未在时限内回复", "{n} negative messages not answered in time"),
    "dg.lives_tail": ("{n} 场直播处在72小时尾巴期，尾巴销售 {tail}", "{n} lives in their 72-hour tail, tail sales "
                      "{tail}"),
    "dg.more": ("更多内容请打开看板：{url}", "More in the dashboard: {url}"),
    "dg.more_no_url": ("内容较多，已截断，请打开看板查看", "Cut for length: open the dashboard for the rest"),
    "dg.weekday": ("一二三四五六日", "Mon,Tue,Wed,Thu,Fri,Sat,Sun"),
}
