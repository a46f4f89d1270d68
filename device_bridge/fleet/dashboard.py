"""The technician's dashboard panel (tình trạng hệ thống loa): the fleet at a glance.

Clusters online and offline (the offline ones named), deliveries that failed or are stuck and
content that found no cluster (each linked to its delivery page), and what plays next. Shown
to whoever may see the speaker clusters; a fixed number of queries whatever the fleet's size.
"""

from laces.components import Component

from .. import selectors
from ..alerts import alert_after_seconds

VIEW_PERMISSION = "device_bridge.view_speakercluster"


class FleetPanel(Component):
    name = "fleet_status"
    template_name = "device_bridge/admin/fleet_panel.html"
    order = 60  # just under the stuck-content alert

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["fleet"] = selectors.fleet_status()
        context["attention"] = selectors.deliveries_needing_attention(
            stuck_after_seconds=alert_after_seconds()
        )
        context["upcoming"] = selectors.schedule_upcoming()
        context["can_view_calendar"] = self.request.user.has_perm("device_bridge.view_scheduleitem")
        return context
