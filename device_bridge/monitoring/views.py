"""Admin views of fleet monitoring: live operations, their acknowledgements, the fleet map and
table, a cluster's state history, dismissing an alert."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Site

from ..models import SpeakerCluster
from . import alerting, selectors, services
from .conf import setting
from .forms import PlayNowForm, RelayForm, VolumeForm
from .models import FleetAlert, LiveOperation

VIEW_FLEET = "device_bridge.view_speakercluster"
OPERATE = "monitoring.add_liveoperation"
VIEW_OPERATIONS = "monitoring.view_liveoperation"
DISMISS_ALERT = "monitoring.change_fleetalert"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def request_site(request) -> Site:
    site = Site.find_for_request(request) or services.site_default()
    if site is None:
        raise PermissionDenied
    return site


FORMS = {"play_now": PlayNowForm, "volume": VolumeForm, "relay": RelayForm}


def live(request):
    """The three live operations; a valid one goes to its acknowledgement page."""
    _require(request, OPERATE)
    site = request_site(request)
    forms = {name: (form_class(site=site) if name == "play_now" else form_class())
             for name, form_class in FORMS.items()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in FORMS:
            messages.error(request, _("Thao tác không hợp lệ."))
            return redirect("monitoring_admin:live")
        kwargs = {"site": site} if action == "play_now" else {}
        form = forms[action] = FORMS[action](request.POST, **kwargs)
        if form.is_valid():
            try:
                operation = _operate(request, site, action, form.cleaned_data)
            except services.LiveOperationError as err:
                form.add_error(None, str(err))
            else:
                messages.success(request, _("Đã gửi lệnh “%(title)s” tới %(count)s cụm loa.")
                                 % {"title": operation.title, "count": operation.commands.count()})
                return redirect("monitoring_admin:operation", pk=operation.pk)
        messages.error(request, _("Chưa gửi được lệnh; hãy sửa các lỗi bên dưới."))
    return TemplateResponse(request, "monitoring/live.html", {
        "forms": forms,
        "recent": selectors.operations_recent(site=site),
    })


def _operate(request, site, action: str, data: dict) -> LiveOperation:
    if action == "play_now":
        return services.live_play_now(site=site, user=request.user, page=data["page"], zone=data["zone"])
    if action == "volume":
        return services.live_volume_set(site=site, user=request.user, volume=data["volume"],
                                        zone=data["zone"], cluster=data["cluster"])
    return services.live_relay_start(site=site, user=request.user, stream_url=data["stream_url"],
                                     title=data["title"], minutes=data["minutes"], zone=data["zone"])


def operation(request, pk: int):
    """Each cluster's acknowledgement of one live operation; reloads itself while any is open."""
    _require(request, VIEW_OPERATIONS)
    op = get_object_or_404(LiveOperation.objects.select_related("zone", "created_by", "page"),
                           pk=pk, site=request_site(request))
    progress = selectors.operation_progress(operation=op)
    response = TemplateResponse(request, "monitoring/operation.html", {
        "progress": progress,
        "counts": [(selectors.COMMAND_STATUS_LABELS[status], status, count)
                   for status, count in progress.counts.items()],
        "refresh_seconds": setting("RESULT_REFRESH_SECONDS") if progress.is_open else None,
        "can_operate": request.user.has_perm(OPERATE),
    })
    response["Cache-Control"] = "no-store"
    return response


def fleet(request):
    """The fleet map (coloured by state) and table."""
    _require(request, VIEW_FLEET)
    site = request_site(request)
    rows = selectors.fleet_rows()
    points = selectors.fleet_map_points(
        rows, detail_url=lambda pk: reverse("device_bridge_admin:cluster_detail", args=[pk]))
    alerts, alert_count = selectors.fleet_alerts_open(site=site, limit=5)
    return TemplateResponse(request, "monitoring/fleet.html", {
        "rows": rows,
        "points": points,
        "legend": selectors.fleet_state_counts(rows),
        "without_position": [row for row in rows if not row.has_position],
        "map_options": {"tiles": setting("MAP_TILES_URL"),
                        "attribution": setting("MAP_TILES_ATTRIBUTION"),
                        "outline": str(_("Khu vực các cụm loa"))},
        "alerts": alerts,
        "alert_count": alert_count,
        "can_change_cluster": request.user.has_perm("device_bridge.change_speakercluster"),
        "can_operate": request.user.has_perm(OPERATE),
        "now": timezone.now(),
        "refresh_seconds": setting("FLEET_REFRESH_SECONDS"),
    })


def cluster_history(request, pk: int):
    """A cluster's state transitions, newest first."""
    _require(request, VIEW_FLEET)
    cluster = get_object_or_404(SpeakerCluster.objects.select_related("zone"), pk=pk)
    changes = selectors.cluster_state_history(site=request_site(request), cluster_id=cluster.pk)
    page = Paginator(changes, 50).get_page(request.GET.get("p"))
    return TemplateResponse(request, "monitoring/cluster_history.html", {
        "cluster": cluster, "page_obj": page,
    })


@require_POST
def alert_dismiss(request, pk: int):
    _require(request, DISMISS_ALERT)
    alert = get_object_or_404(FleetAlert, pk=pk, site=request_site(request))
    if alerting.fleet_alert_dismiss(alert=alert, user=request.user):
        messages.success(request, _("Đã đánh dấu cảnh báo là đã xử lý."))
    else:
        messages.info(request, _("Cảnh báo này đã được xử lý trước đó."))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("monitoring_admin:fleet")
