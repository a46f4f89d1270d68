"""The technician's dashboard panel: free 4G periods and warranties ending within 60 days,
and the open faults of the current site."""

from django.utils import timezone
from laces.components import Component

from cms.admin_scope import request_site

from . import selectors

VIEW_PERMISSION = "upkeep.view_dataplan"


class UpkeepPanel(Component):
    name = "upkeep_status"
    template_name = "upkeep/panel.html"
    order = 70  # under the fleet panel

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        site = request_site(self.request)
        context["events"] = selectors.events_due(today=timezone.localdate(), site=site)
        context["tickets"] = list(selectors.open_tickets(site=site)[:10])
        context["can_view_faults"] = self.request.user.has_perm("upkeep.view_faultticket")
        return context
