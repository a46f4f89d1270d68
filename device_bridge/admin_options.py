"""wagtail-modeladmin registrations of the device bridge (the design's choice for the fleet)."""

from django.contrib.admin import display
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import ButtonHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import CreateView

from . import selectors
from .fleet.services import cluster_token_rotate
from .models import (
    Dispatch,
    DistributionRule,
    RelayProgramme,
    ScheduleTemplate,
    SpeakerCluster,
)


class SpeakerClusterCreateView(CreateView):
    """Create, then show the new token once instead of redirecting to the list."""

    def form_valid(self, form):
        super().form_valid(form)
        token = cluster_token_rotate(cluster=self.instance)
        response = TemplateResponse(self.request, "device_bridge/admin/token_issued.html",
                                    {"cluster": self.instance, "token": token, "created": True})
        response["Cache-Control"] = "no-store"
        return response


class SpeakerClusterButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        buttons.insert(0, {
            "url": reverse("device_bridge_admin:cluster_detail", args=[obj.pk]),
            "label": _("Trạng thái"),
            "classname": "button button-small button-secondary",
            "title": _("Trạng thái, lệnh điều khiển và biên nhận phát"),
        })
        if self.request.user.has_perm("device_bridge.change_speakercluster"):
            buttons.append({
                "url": reverse("device_bridge_admin:cluster_token_rotate", args=[obj.pk]),
                "label": _("Cấp mã mới"),
                "classname": "button button-small button-secondary",
                "title": _("Cấp mã truy cập mới (mã cũ hết hiệu lực)"),
            })
            if obj.token_id:
                buttons.append({
                    "url": reverse("device_bridge_admin:cluster_token_revoke", args=[obj.pk]),
                    "label": _("Thu hồi mã"),
                    "classname": "button button-small no",
                    "title": _("Thu hồi mã truy cập"),
                })
        return buttons


class SpeakerClusterAdmin(ModelAdmin):
    model = SpeakerCluster
    menu_label = _("Cụm loa")
    menu_icon = "radio-full"
    create_view_class = SpeakerClusterCreateView
    button_helper_class = SpeakerClusterButtonHelper
    list_display = ("code", "name", "zone_display", "online_display", "firmware_version",
                    "last_seen_at", "plan_free_until", "is_active")
    list_filter = ("zone", "is_active", "carrier")
    search_fields = ("code", "name", "address", "sim_number")
    form_fields_exclude = ("token_id", "token_hash")

    @display(description=_("Thôn"))
    def zone_display(self, obj):
        if obj.zone_id is None:
            return format_html('<span class="w-status w-status--label">{}</span>',
                               _("Chưa gán thôn – chỉ nhận tin toàn xã"))
        return obj.zone

    @display(description=_("Kết nối"))
    def online_display(self, obj):
        if not obj.token_id:
            return _("Chưa có mã truy cập")
        return _("Trực tuyến") if selectors.cluster_is_online(obj) else _("Mất kết nối")


class ScheduleTemplateAdmin(ModelAdmin):
    model = ScheduleTemplate
    menu_label = _("Mẫu lịch phát")
    menu_icon = "date"
    list_display = ("name", "times", "days", "weekdays_only", "emergency_repeat", "is_default")


class DistributionRuleAdmin(ModelAdmin):
    model = DistributionRule
    menu_label = _("Quy tắc phân phối")
    menu_icon = "resubmit"
    list_display = ("name", "priority", "channels", "schedule_template", "sort_order", "is_active")
    list_filter = ("is_active", "priority")


class RelayProgrammeAdmin(ModelAdmin):
    model = RelayProgramme
    menu_label = _("Tiếp sóng")
    menu_icon = "media"
    list_display = ("name", "start_time", "duration_minutes", "weekdays_only", "is_active")


class DispatchAdmin(ModelAdmin):
    model = Dispatch
    menu_label = _("Lượt phân phối")
    menu_icon = "list-ul"
    list_display = ("page", "channel", "priority", "status", "created_at", "report_link")
    list_filter = ("status", "channel", "priority")
    inspect_view_enabled = False

    @display(description=_("Tiến độ"))
    def report_link(self, obj):
        return format_html('<a href="{}">{}</a>',
                           reverse("device_bridge_admin:dispatch_report", args=[obj.page_id]),
                           _("Xem tiến độ"))


class BroadcastGroup(ModelAdminGroup):
    menu_label = _("Phát thanh")
    menu_icon = "radio-full"
    menu_order = 300
    items = (SpeakerClusterAdmin, ScheduleTemplateAdmin, DistributionRuleAdmin,
             RelayProgrammeAdmin, DispatchAdmin)
