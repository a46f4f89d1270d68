"""wagtail-modeladmin registrations of the device bridge (the design's choice for the fleet)."""

from django import forms
from django.contrib import messages
from django.contrib.admin import SimpleListFilter, display
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import CreateView, DeleteView

from content_types.forms import ActiveZonesModelForm

from . import selectors
from .conf import channel_config
from .fleet.services import cluster_token_rotate
from .models import (
    ClusterHasHistory,
    Dispatch,
    DistributionRule,
    RelayProgramme,
    ScheduleTemplate,
    SpeakerCluster,
)
from .schedule.services import cluster_deactivate


def channel_label(key):
    """A channel's Vietnamese name; a channel the admin has no name for shows its key."""
    return Dispatch.CHANNEL_LABELS.get(key, key)


def priority_label(value):
    return Dispatch.Priority(value).label if value in Dispatch.Priority.values else value


class ValueLabelFilter(SimpleListFilter):
    """A list filter on a plain text column that shows Vietnamese labels, not stored codes."""

    def lookups(self, request, model_admin):
        values = model_admin.model.objects.order_by().values_list(self.parameter_name, flat=True)
        return [(value, self.label_for(value)) for value in sorted(set(values))]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.parameter_name: self.value()})
        return queryset


class ChannelFilter(ValueLabelFilter):
    title = _("kênh")
    parameter_name = "channel"
    label_for = staticmethod(channel_label)


class PriorityFilter(ValueLabelFilter):
    title = _("mức ưu tiên")
    parameter_name = "priority"
    label_for = staticmethod(priority_label)


class SpeakerClusterCreateView(CreateView):
    """Create, then show the new token once instead of redirecting to the list."""

    def form_valid(self, form):
        super().form_valid(form)
        token = cluster_token_rotate(cluster=self.instance)
        response = TemplateResponse(self.request, "device_bridge/admin/token_issued.html",
                                    {"cluster": self.instance, "token": token, "created": True})
        response["Cache-Control"] = "no-store"
        return response


class SpeakerClusterDeleteView(DeleteView):
    """A cluster with broadcast history is deactivated, never deleted: say so before asking."""

    def get(self, request, *args, **kwargs):
        history = selectors.cluster_history(cluster_id=self.instance.pk)
        if history:
            return self._refuse(ClusterHasHistory(cluster=self.instance, history=history))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "deactivate":
            if not self.permission_helper.user_can_edit_obj(request.user, self.instance):
                raise PermissionDenied
            cluster_deactivate(cluster=self.instance)
            messages.success(request, _("Đã ngừng hoạt động cụm loa “%(cluster)s”: các lượt phát "
                                        "chưa phát đã được huỷ.") % {"cluster": self.instance})
            return redirect(self.index_url)
        try:
            with transaction.atomic():
                log(instance=self.instance, action="wagtail.delete")
                self.instance.delete()
        except ClusterHasHistory as err:
            return self._refuse(err)
        messages.success(request, _("Đã xoá cụm loa “%(cluster)s”.") % {"cluster": self.instance})
        return redirect(self.index_url)

    def _refuse(self, err):
        return TemplateResponse(self.request, "device_bridge/admin/cluster_delete_refused.html", {
            "view": self, "cluster": self.instance, "message": err.args[0],
            "can_deactivate": self.instance.is_active
            and self.permission_helper.user_can_edit_obj(self.request.user, self.instance),
        })


class SpeakerClusterButtonHelper(ButtonHelper):
    """Two buttons a row: the status page (which holds the token and delete actions) and edit."""

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        exclude = [*(exclude or []), "delete"]
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        buttons.insert(0, {
            "url": reverse("device_bridge_admin:cluster_detail", args=[obj.pk]),
            "label": _("Trạng thái"),
            "classname": "button button-small button-secondary",
            "title": _("Trạng thái, lệnh điều khiển, mã truy cập và biên nhận phát"),
        })
        return buttons


class SpeakerClusterForm(ActiveZonesModelForm):
    """The code is kept as typed (CL-BAC-01) and unique ignoring case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "code" in self.fields:
            # Wagtail's slug widget lowercases what is typed; cluster codes keep their case.
            self.fields["code"].widget = forms.TextInput(attrs={"autocomplete": "off"})

    def clean_code(self):
        code = self.cleaned_data["code"]
        if SpeakerCluster.objects.filter(code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Đã có cụm loa mang mã “%(code)s” (mã cụm loa không phân biệt chữ hoa, chữ "
                  "thường)."), code="unique", params={"code": code},
            )
        return code


class DistributionRuleForm(ActiveZonesModelForm):
    """Channels are ticked from the configured ones, not typed as "website, speakers"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "channels" not in self.fields:
            return
        model_field = self.fields["channels"]
        self.fields["channels"] = forms.MultipleChoiceField(
            label=model_field.label,
            choices=[(key, channel_label(key)) for key in channel_config()],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Bản tin khớp quy tắc được gửi qua các kênh đã chọn."),
        )
        initial = self.initial.get("channels") or ""
        if isinstance(initial, str):
            self.initial["channels"] = [k.strip() for k in initial.split(",") if k.strip()]

    def clean_channels(self):
        return ", ".join(self.cleaned_data["channels"])


class ActiveZonesAdmin(ModelAdmin):
    """Forms offer only zones in use, plus the ones the record already has."""

    form_class = ActiveZonesModelForm

    def get_edit_handler(self):
        handler = super().get_edit_handler()
        handler.base_form_class = self.form_class
        return handler


class SpeakerClusterAdmin(ActiveZonesAdmin):
    model = SpeakerCluster
    form_class = SpeakerClusterForm
    menu_label = _("Cụm loa")
    # "radio-full" is a plain dot in Wagtail's icon set: it reads as a blank icon.
    menu_icon = "mobile-alt"
    create_view_class = SpeakerClusterCreateView
    delete_view_class = SpeakerClusterDeleteView
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


class DistributionRuleAdmin(ActiveZonesAdmin):
    model = DistributionRule
    form_class = DistributionRuleForm
    menu_label = _("Quy tắc phân phối")
    menu_icon = "resubmit"
    list_display = ("name", "priority", "channels_display", "schedule_template", "sort_order",
                    "is_active")
    list_filter = ("is_active", "priority")

    @display(description=_("Kênh phát"))
    def channels_display(self, obj):
        return ", ".join(str(channel_label(key)) for key in obj.channel_keys)


class RelayProgrammeAdmin(ActiveZonesAdmin):
    model = RelayProgramme
    menu_label = _("Tiếp sóng")
    menu_icon = "media"
    list_display = ("name", "start_time", "duration_minutes", "weekdays_only", "is_active")


class BroadcastRecordPermissionHelper(PermissionHelper):
    """Dispatches are made by approvals and are the broadcast record: read-only here."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class DispatchAdmin(ModelAdmin):
    """Every dispatch, deleted content included: the broadcast record."""

    model = Dispatch
    permission_helper_class = BroadcastRecordPermissionHelper
    menu_label = _("Lượt phân phối")
    menu_icon = "list-ul"
    list_display = ("title_display", "channel_display", "priority_display", "status", "created_at",
                    "report_link")
    list_filter = ("status", ChannelFilter, PriorityFilter, "site")
    search_fields = ("title",)
    inspect_view_enabled = False

    @display(description=_("Nội dung"))
    def title_display(self, obj):
        if obj.page_id is None:
            return format_html('{} <span class="w-status w-status--label">{}</span>',
                               obj.title, _("Đã bị xoá"))
        return obj.title or obj.page

    @display(description=_("Kênh"), ordering="channel")
    def channel_display(self, obj):
        return channel_label(obj.channel)

    @display(description=_("Mức ưu tiên"), ordering="priority")
    def priority_display(self, obj):
        return priority_label(obj.priority)

    @display(description=_("Tiến độ"))
    def report_link(self, obj):
        if obj.page_id is None:
            if obj.content_id is None:
                return "–"
            url = reverse("device_bridge_dispatch_history", args=[obj.content_id])
        else:
            url = reverse("device_bridge_admin:dispatch_report", args=[obj.page_id])
        return format_html('<a href="{}">{}</a>', url, _("Xem tiến độ"))

    def get_admin_urls_for_registration(self):
        from .admin_history import dispatch_history

        return super().get_admin_urls_for_registration() + (
            path("device-bridge/history/<int:content_id>/", dispatch_history,
                 name="device_bridge_dispatch_history"),
        )


class BroadcastGroup(ModelAdminGroup):
    menu_label = _("Phát thanh")
    menu_icon = "media"
    menu_order = 300
    items = (SpeakerClusterAdmin, ScheduleTemplateAdmin, DistributionRuleAdmin,
             RelayProgrammeAdmin, DispatchAdmin)
