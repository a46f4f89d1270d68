"""The dashboard panel of fleet alerts (cảnh báo hệ thống loa)."""

from laces.components import Component

from . import selectors
from .views import DISMISS_ALERT, request_site

VIEW_PERMISSION = "monitoring.view_fleetalert"


class FleetAlertsPanel(Component):
    name = "fleet_alerts"
    template_name = "monitoring/alerts_panel.html"
    order = 55  # between the stuck-content alert (50) and the fleet status (60)

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        alerts, count = selectors.fleet_alerts_open(site=request_site(self.request), limit=10)
        context.update({
            "alerts": alerts, "alert_count": count,
            "can_dismiss": self.request.user.has_perm(DISMISS_ALERT),
            "csrf_token": parent_context.get("csrf_token"),
            "request": self.request,
        })
        return context
