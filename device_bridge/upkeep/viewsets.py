"""The admin's data plans and fault tickets: Wagtail model viewsets kept to the current site.

Every view takes its records through ``SiteScoped.get_queryset``: another commune's plan or
ticket is a 404 in lists, edit, delete and inspect alike, and a new record gets the site the
admin is on. The permissions are the models' own (``upkeep.add_dataplan`` ...).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Site

from .history import duration_text
from .models import DataPlan, FaultTicket
from .templatetags.upkeep_tags import vnd_text


def _site(request) -> Site | None:
    return Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()


class SiteScopedObject:
    """Wagtail's single-object lookup (history, usage)."""

    def get_base_object_queryset(self):
        return self.model._default_manager.filter(site=_site(self.request))


class SiteScoped(SiteScopedObject):
    """Also Django's ``get_queryset``, which edit and delete look their object up in."""

    def get_queryset(self):
        return self.get_base_object_queryset()


class ScopedEditView(SiteScoped, generic.EditView):
    pass


class ScopedDeleteView(SiteScoped, generic.DeleteView):
    pass


class ScopedHistoryView(SiteScopedObject, HistoryView):
    pass


class ScopedUsageView(SiteScopedObject, UsageView):
    pass


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(site=_site(self.request))


class ScopedCreateView(generic.CreateView):
    def get_initial_form_instance(self):
        instance = self.model(site=_site(self.request))
        if isinstance(instance, FaultTicket):
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


class ScopedViewSet(ModelViewSet):
    add_to_admin_menu = False
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False  # copying would read any site's record
    inspect_view_enabled = False
    search_backend_name = None  # not in the search index: filter in the database


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
