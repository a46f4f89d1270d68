"""Admin views of the device bridge: dispatch report, resend, calendar, cluster credentials."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from content_types.snippets import Zone

from . import selectors, services
from .fleet import services as fleet
from .models import ClusterCommand, Delivery, DeviceEvent, Dispatch, SpeakerCluster


def _no_store(response):
    # The token page must never sit in a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


def _user_may_see_dispatches_of(user, page) -> bool:
    """Whether the report may show this page (its title) to ``user``.

    A publicly visible page's title is no secret. Otherwise the user must reach the page in
    the admin: edit, publish or unpublish it, or moderate its current workflow step. Fleet
    operators (technicians, who have no page permissions) also see pages that went out to
    the loudspeakers (a dispatch exists): they must follow and stop what the speakers play.
    A draft that never went out stays with its editors and approvers.
    """
    from content_types.selectors import public_pages
    from workflows.selectors import task_state_current_for

    if public_pages(Page.objects.filter(pk=page.pk)).exists():
        return True
    permissions = page.permissions_for_user(user)
    if permissions.can_edit() or permissions.can_publish() or permissions.can_unpublish():
        return True
    task_state = task_state_current_for(page)
    if task_state is not None:
        task = task_state.task.specific
        if task.user_can_access_editor(page, user) or task.get_actions(page, user):
            return True
    return user.has_perm("device_bridge.change_delivery") and Dispatch.objects.filter(
        page_id=page.pk
    ).exists()


@permission_required("device_bridge.view_dispatch", raise_exception=True)
def dispatch_report(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not _user_may_see_dispatches_of(request.user, page):
        raise PermissionDenied
    progress = selectors.dispatch_progress_for_page(page_id=page.pk)
    for channel in progress:
        for delivery in channel.deliveries:
            # "Đã xếp lịch" only says the schedule was sent: flag a cluster that stopped calling
            # while its delivery is still open.
            delivery.cluster_offline = (
                delivery.cluster is not None and delivery.status not in Delivery.TERMINAL
                and not selectors.cluster_is_online(delivery.cluster)
            )
    return TemplateResponse(request, "device_bridge/admin/dispatch_report.html", {
        "page": page,
        "progress": progress,
        "can_resend": request.user.has_perm("device_bridge.change_delivery"),
        "can_edit_page": page.permissions_for_user(request.user).can_edit(),
        "resendable": (Delivery.Status.FAILED, Delivery.Status.CANCELLED),
        "events": DeviceEvent.objects.filter(payload__page_id=page.pk)[:20],
    })


@require_POST
@permission_required("device_bridge.change_delivery", raise_exception=True)
def delivery_resend(request, delivery_id):
    delivery = get_object_or_404(Delivery.objects.select_related("dispatch"), pk=delivery_id)
    if services.delivery_resend(delivery_id=delivery.pk):
        messages.success(request, _("Đã xếp lại lượt gửi tới “%(target)s”.")
                         % {"target": delivery.target_label})
    else:
        messages.warning(request, _("Lượt gửi tới “%(target)s” đang chạy hoặc đã xong, không gửi lại.")
                         % {"target": delivery.target_label})
    return redirect("device_bridge_admin:dispatch_report", page_id=delivery.dispatch.page_id)


@permission_required("device_bridge.view_scheduleitem", raise_exception=True)
def calendar(request):
    zones = list(Zone.objects.all())
    zone_param = request.GET.get("zone", "")
    zone = None
    if zone_param and zone_param != "none":
        zone = next((z for z in zones if str(z.pk) == zone_param), None)
    elif not zone_param and zones:
        zone = zones[0]
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = timezone.localdate()
    days = selectors.calendar_week(zone_id=zone.pk if zone else None, start=start)
    return TemplateResponse(request, "device_bridge/admin/calendar.html", {
        "zones": zones,
        "zone": zone,
        "unzoned": zone_param == "none",
        "days": days,
        "start": start,
        "previous_week": start - dt.timedelta(days=7),
        "next_week": start + dt.timedelta(days=7),
        "conflict_count": sum(len(day.conflicts) for day in days),
        "clusters": SpeakerCluster.objects.filter(zone=zone, is_active=True) if zone
        else SpeakerCluster.objects.filter(zone__isnull=True, is_active=True),
    })


def _cluster_for_change(request, pk):
    if not request.user.has_perm("device_bridge.change_speakercluster"):
        raise PermissionDenied
    return get_object_or_404(SpeakerCluster, pk=pk)


def cluster_token_rotate(request, pk):
    cluster = _cluster_for_change(request, pk)
    if request.method != "POST":
        return TemplateResponse(request, "device_bridge/admin/token_confirm.html",
                                {"cluster": cluster, "action": "rotate"})
    token = fleet.cluster_token_rotate(cluster=cluster)
    return _no_store(TemplateResponse(request, "device_bridge/admin/token_issued.html",
                                      {"cluster": cluster, "token": token}))


def cluster_token_revoke(request, pk):
    cluster = _cluster_for_change(request, pk)
    if request.method != "POST":
        return TemplateResponse(request, "device_bridge/admin/token_confirm.html",
                                {"cluster": cluster, "action": "revoke"})
    fleet.cluster_token_revoke(cluster=cluster)
    messages.success(request, _("Đã thu hồi mã truy cập của cụm loa “%(cluster)s”. Cụm loa sẽ "
                                "không kết nối được cho đến khi được cấp mã mới.") % {"cluster": cluster})
    return redirect("device_bridge_admin:cluster_detail", pk=cluster.pk)


def cluster_detail(request, pk):
    if not request.user.has_perm("device_bridge.view_speakercluster"):
        raise PermissionDenied
    cluster = get_object_or_404(SpeakerCluster.objects.select_related("zone"), pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("device_bridge.add_clustercommand"):
            raise PermissionDenied
        kind = request.POST.get("kind", "")
        try:
            # "Phát ngay" and "Dừng phát" carry the chosen item_id, as the protocol requires.
            payload = fleet.cluster_command_payload(cluster_id=cluster.pk, kind=kind, data=request.POST)
            fleet.cluster_command_create(cluster=cluster, kind=kind, payload=payload,
                                         user=request.user)
        except fleet.CommandInvalid as err:
            messages.error(request, str(err))
        else:
            messages.success(request, _("Đã gửi lệnh “%(kind)s”.")
                             % {"kind": ClusterCommand.Kind(kind).label})
        return redirect("device_bridge_admin:cluster_detail", pk=cluster.pk)
    heartbeat = cluster.last_heartbeat or {}
    status = heartbeat.get("status")
    return TemplateResponse(request, "device_bridge/admin/cluster_detail.html", {
        "cluster": cluster,
        # A value the protocol does not define is shown as sent rather than hidden.
        "player_status": SpeakerCluster.PlayerStatus(status).label
        if status in SpeakerCluster.PlayerStatus.values else status,
        "online": selectors.cluster_is_online(cluster),
        "commands": cluster.commands.order_by("-created_at")[:10],
        "events": cluster.events.all()[:10],
        "receipts": cluster.receipts.select_related("item")[:10],
        "command_kinds": ClusterCommand.Kind.choices,
        "open_items": selectors.cluster_schedule_items(cluster_id=cluster.pk, now=timezone.now()),
        "can_change": request.user.has_perm("device_bridge.change_speakercluster"),
        "can_delete": request.user.has_perm("device_bridge.delete_speakercluster"),
    })
