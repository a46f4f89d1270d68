"""The broadcast record of deleted content (hồ sơ phát thanh), read from what its dispatches kept."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Page

from . import selectors
from .models import DeviceEvent


@permission_required("device_bridge.view_dispatch", raise_exception=True)
def dispatch_history(request, content_id):
    if content_id > 2**31 - 1:
        raise Http404(_("Không có hồ sơ phát thanh nào của trang này."))
    if Page.objects.filter(pk=content_id).exists():
        # Still there: the page's own report (and its permission check) applies.
        return redirect("device_bridge_admin:dispatch_report", page_id=content_id)
    history = selectors.dispatch_history_deleted(content_id=content_id)
    if history is None:
        raise Http404(_("Không có hồ sơ phát thanh nào của trang này."))
    return TemplateResponse(request, "device_bridge/admin/dispatch_report.html", {
        "page": None,
        "history": history,
        "progress": selectors.dispatch_progress_for_page(page_id=content_id),
        "can_resend": False,
        "events": DeviceEvent.objects.filter(payload__page_id=content_id)[:20],
    })
