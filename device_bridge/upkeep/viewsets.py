"""The admin's data plans and fault tickets: Wagtail model viewsets kept to the current site
(``cms.admin_scope``). The permissions are the models' own (``upkeep.add_dataplan`` ...).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn

from cms.admin_scope import ScopedCreateView, ScopedIndexView, ScopedViewSet

from .history import duration_text
from .models import DataPlan, FaultTicket
from .templatetags.upkeep_tags import vnd_text


class TicketCreateView(ScopedCreateView):
    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance()
        instance.reported_by = self.request.user
        instance.opened_at = timezone.now()
        return instance


class PlanIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("cluster", "cluster__zone")


class TicketIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("cluster", "reported_by")


class VndColumn(Column):
    def get_value(self, instance):
        return vnd_text(super().get_value(instance))


class TimeToRepairColumn(Column):
    def get_value(self, instance):
        return duration_text(instance.time_to_repair) if instance.closed_at else _("Đang mở")


class DataPlanViewSet(ScopedViewSet):
    model = DataPlan
    icon = "mobile-alt"
    menu_label = _("Gói cước 4G")
    url_prefix = "upkeep/plans"
    name = "upkeep_plans"
    index_view_class = PlanIndexView
    list_display = [
        Column("cluster", label=_("Cụm loa")),
        Column("carrier", label=_("Nhà mạng")),
        Column("sim_number", label=_("Số thuê bao SIM")),
        DateColumn("free_until", label=_("Miễn phí đến hết")),
        VndColumn("monthly_fee_vnd", label=_("Cước tháng")),
    ]
    list_filter = ["carrier"]
    search_fields = ["sim_number", "cluster__code", "cluster__name"]
    ordering = ["free_until", "cluster__code"]


class FaultTicketViewSet(ScopedViewSet):
    model = FaultTicket
    icon = "warning"
    menu_label = _("Sự cố")
    url_prefix = "upkeep/faults"
    name = "upkeep_faults"
    index_view_class = TicketIndexView
    add_view_class = TicketCreateView
    list_display = [
        Column("cluster", label=_("Cụm loa")),
        Column("symptom", label=_("Hiện tượng")),
        Column("source", label=_("Nguồn"), accessor="get_source_display"),
        DateColumn("opened_at", label=_("Mở lúc")),
        TimeToRepairColumn("time_to_repair", label=_("Thời gian khắc phục")),
    ]
    list_filter = ["source", "cluster"]
    search_fields = ["symptom", "cluster__code", "cluster__name"]
    ordering = ["-opened_at"]
