"""Admin views for zones in use: refuse the delete, deactivate or merge instead."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import selectors, services
from .snippets import Zone


class ZoneMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Zone.objects.none(), label=gettext_lazy("Gộp vào thôn"),
        error_messages={"required": gettext_lazy("Hãy chọn thôn để gộp vào."),
                        "invalid_choice": gettext_lazy("Thôn được chọn không hợp lệ.")},
    )

    def __init__(self, *args, source: Zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Zone.objects.filter(is_active=True).exclude(pk=source.pk)


def zone_delete_refused(request, zones):
    """What the delete page shows instead when the zones are in use (from the hook)."""
    blocked = [(zone, selectors.zone_usage(zone)) for zone in zones]
    blocked = [(zone, uses) for zone, uses in blocked if uses]
    if not blocked:
        return None
    return TemplateResponse(request, "content_types/admin/zone_delete_refused.html", {
        "refusals": [
            {"zone": zone, "message": selectors.zone_usage_message(zone, uses), "uses": uses,
             "merge_form": ZoneMergeForm(source=zone)}
            for zone, uses in blocked
        ],
        "can_change": request.user.has_perm("content_types.change_zone"),
        "can_merge": request.user.has_perm("content_types.delete_zone"),
    })


@require_POST
def zone_deactivate(request, pk):
    if not request.user.has_perm("content_types.change_zone"):
        raise PermissionDenied
    zone = get_object_or_404(Zone, pk=pk)
    services.zone_deactivate(zone=zone)
    messages.success(request, _("Đã ngừng sử dụng thôn “%(zone)s”: tin mới không chọn được thôn "
                                "này nữa, tin cũ vẫn giữ nguyên.") % {"zone": zone.name})
    return redirect("wagtailsnippets_content_types_zone:list")


@require_POST
def zone_merge(request, pk):
    if not (request.user.has_perm("content_types.change_zone")
            and request.user.has_perm("content_types.delete_zone")):
        raise PermissionDenied
    zone = get_object_or_404(Zone, pk=pk)
    form = ZoneMergeForm(request.POST, source=zone)
    if not form.is_valid():
        for error in form.errors.get("target", []):
            messages.error(request, error)
        return redirect("wagtailsnippets_content_types_zone:delete", zone.pk)
    target = form.cleaned_data["target"]
    moved = services.zone_merge(source=zone, target=target)
    messages.success(request, _("Đã gộp thôn “%(source)s” vào “%(target)s” (%(count)s bản ghi được "
                                "chuyển).") % {"source": zone.name, "target": target.name,
                                                "count": moved})
    return redirect("wagtailsnippets_content_types_zone:list")
