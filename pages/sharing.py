"""分享率 — WeMall sharing for the period, in scope: share rate by region →
store → guide (drill-down kept in the URL as sh_region / sh_store), the daily
trend against the target, a bounded guides × days heatmap, the manager's
diagnosis quadrant (a picked quadrant's guides listed and exportable, sh_q in
the URL), the share funnel, and where WeMall sales come from (share target,
cross-city, off-hours by hour of day). Drawing in dashboard/ui/sharing_view."""
import streamlit as st

from dashboard.app_context import current_view, settings_in_force
from dashboard.ui import sharing_view as sv
from dashboard.ui.i18n import t
from dashboard.ui.settings_view import in_force_caption

view = current_view()
st.title(t("sh.title"))
st.caption(t("period.label", start=view.period.start, end=view.period.end))
in_force_caption(settings_in_force(), ["share_k", "share_target_rate"])

top = st.container()
path = sv.drill(view)
with top:
    sv.summary(path.view)
guides = sv.guides_table(path)
sv.quadrant(path.view, guides)
sv.trend(path.view)
sv.heatmap(path.view, guides_total=len(guides))
sv.funnel(path.view)
sv.sources(path.view)
