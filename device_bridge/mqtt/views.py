"""Admin views of the emergency override: live acknowledgements and "Dừng khẩn cấp"."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from ..views import _user_may_see_dispatches_of
from . import emergency

STOP_PERMISSION = "device_bridge.change_delivery"


def emergency_context(*, request, page_id: int) -> dict:
    """What the delivery page's emergency panel shows (also its live fragment)."""
    return {
        "emergency": emergency.emergency_status(page_id=page_id),
        "mqtt_health": emergency.bridge_health(),
        "can_stop_emergency": request.user.has_perm(STOP_PERMISSION),
        "emergency_page_id": page_id,
    }


def _visible_page(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not _user_may_see_dispatches_of(request.user, page):
        raise PermissionDenied
    return page


@require_GET
@permission_required("device_bridge.view_dispatch", raise_exception=True)
def emergency_live(request, page_id):
    """The panel alone, fetched every few seconds by ``mqtt/emergency_live.js``."""
    _visible_page(request, page_id)
    response = TemplateResponse(request, "mqtt/emergency_panel.html",
                                emergency_context(request=request, page_id=page_id))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required(STOP_PERMISSION, raise_exception=True)
def emergency_stop(request, page_id):
    _visible_page(request, page_id)
    count = emergency.emergency_stop(page_id=page_id, user=request.user)
    if count:
        messages.success(request, _("Đã dừng khẩn cấp: gửi lệnh dừng tới %(count)s cụm loa.")
                         % {"count": count})
    else:
        messages.warning(request, _("Không có tin khẩn cấp nào đang phát để dừng."))
    return redirect("device_bridge_admin:dispatch_report", page_id=page_id)
