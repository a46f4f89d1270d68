"""Reads of the upkeep app: the budget estimate, what comes due, the clusters' upkeep overview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from device_bridge.models import SpeakerCluster

from . import budget
from .models import DataPlan, DataPlanFee, FaultTicket, UpkeepAlert

ALERT_DAYS = (60, 30, 7)


def cluster_site(cluster: SpeakerCluster) -> Site | None:
    """The commune a cluster's upkeep records go to: its data plan's, else the default site."""
    plan = DataPlan.objects.filter(cluster=cluster).select_related("site").first()
    if plan is not None:
        return plan.site
    return Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()


def plans_for_site(site: Site):
    return (DataPlan.objects.filter(site=site)
            .select_related("cluster", "cluster__zone")
            .prefetch_related(Prefetch("fees", queryset=DataPlanFee.objects.order_by("effective_from"))))


@dataclass(slots=True)
class EstimateRow:
    plan: DataPlan
    cluster_code: str
    cluster_name: str
    zone: str
    carrier: str
    sim_number: str
    free_until: dt.date
    months_paid: Decimal
    monthly_fee_vnd: int
    total_vnd: int


@dataclass(slots=True)
class BudgetEstimate:
    year: int
    rows: list[EstimateRow]

    @property
    def total_vnd(self) -> int:
        return sum(row.total_vnd for row in self.rows)

    @property
    def months_paid(self) -> Decimal:
        return sum((row.months_paid for row in self.rows), Decimal("0"))


@dataclass(slots=True)
class RepairOutlook:
    """What the budget should expect for repairs: clusters out of warranty by the year's end,
    and what repairs cost the commune's budget the year before (a reference, not an estimate)."""

    out_of_warranty: list[SpeakerCluster]
    last_year: int
    last_year_spend_vnd: int


def repair_outlook(*, site: Site, year: int) -> RepairOutlook:
    from .models import Repair

    out = list(clusters_overview(site=site).filter(is_active=True,
                                                   warranty_until__lte=dt.date(year, 12, 31)))
    spend = Repair.objects.filter(site=site, paid_by=Repair.PaidBy.BUDGET,
                                  done_on__year=year - 1).aggregate(total=Sum("cost_vnd"))["total"]
    return RepairOutlook(out_of_warranty=out, last_year=year - 1, last_year_spend_vnd=spend or 0)


def budget_estimate(*, site: Site, year: int) -> BudgetEstimate:
    """Next year's 4G cost per cluster of ``site`` (active clusters; see ``budget`` for the rule).

    Two queries whatever the number of plans."""
    rows = []
    for plan in plans_for_site(site).filter(cluster__is_active=True):
        fees = [(fee.effective_from, fee.monthly_fee_vnd) for fee in plan.fees.all()]
        cost = budget.year_cost(year=year, free_until=plan.free_until,
                                base_fee=plan.monthly_fee_vnd, fees=fees)
        last_day = dt.date(year, 12, 31)
        rows.append(EstimateRow(
            plan=plan, cluster_code=plan.cluster.code, cluster_name=plan.cluster.name,
            zone=plan.cluster.zone.name if plan.cluster.zone_id else "",
            carrier=plan.carrier, sim_number=plan.sim_number, free_until=plan.free_until,
            months_paid=cost.months_paid,
            monthly_fee_vnd=budget.fee_on(last_day, base_fee=plan.monthly_fee_vnd, fees=fees),
            total_vnd=cost.total_vnd,
        ))
    return BudgetEstimate(year=year, rows=rows)


@dataclass(slots=True)
class DueEvent:
    """A plan's first paid day or a warranty's last day, ``days_left`` from today."""

    kind: str
    cluster: SpeakerCluster
    site: Site
    event_date: dt.date
    days_left: int

    @property
    def label(self) -> str:
        if self.kind == UpkeepAlert.Kind.PLAN_PAID:
            return _("Hết miễn phí cước 4G, bắt đầu trả cước từ %(date)s") % {
                "date": f"{self.event_date:%d/%m/%Y}"}
        return _("Hết bảo hành ngày %(date)s") % {"date": f"{self.event_date:%d/%m/%Y}"}


def events_due(*, today: dt.date, horizon_days: int = max(ALERT_DAYS),
               site: Site | None = None) -> list[DueEvent]:
    """Paid periods starting and warranties ending within ``horizon_days`` (today included),
    soonest first. Warranties of clusters without a plan belong to the default site."""
    until = today + dt.timedelta(days=horizon_days)
    events = []
    plans = DataPlan.objects.filter(cluster__is_active=True, free_until__gte=today - dt.timedelta(days=1),
                                    free_until__lt=until).select_related("cluster", "site")
    plan_sites = dict(DataPlan.objects.values_list("cluster_id", "site_id"))
    if site is not None:
        plans = plans.filter(site=site)
    for plan in plans:
        start = budget.paid_from(plan.free_until)
        events.append(DueEvent(UpkeepAlert.Kind.PLAN_PAID, plan.cluster, plan.site, start,
                               (start - today).days))
    default_site = Site.objects.filter(is_default_site=True).first()
    sites = {s.pk: s for s in Site.objects.all()}
    for cluster in SpeakerCluster.objects.filter(is_active=True, warranty_until__gte=today,
                                                 warranty_until__lte=until):
        cluster_site_ = sites.get(plan_sites.get(cluster.pk)) or default_site
        if site is not None and cluster_site_ != site:
            continue
        events.append(DueEvent(UpkeepAlert.Kind.WARRANTY_END, cluster, cluster_site_,
                               cluster.warranty_until, (cluster.warranty_until - today).days))
    return sorted(events, key=lambda e: (e.event_date, e.cluster.code))


def technician_emails() -> list[str]:
    from workflows import roles

    return sorted(set(
        get_user_model().objects.filter(groups__name=roles.TECHNICIAN, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    ))


def open_tickets(*, site: Site):
    return (FaultTicket.objects.filter(site=site, closed_at__isnull=True)
            .select_related("cluster").order_by("opened_at"))


def clusters_overview(*, site: Site):
    """Every cluster with its plan on ``site`` (if any) and its open tickets there: the
    technician's upkeep list. Clusters of another site's plan are not listed."""
    other_sites = DataPlan.objects.exclude(site=site).values("cluster_id")
    return (SpeakerCluster.objects.exclude(pk__in=other_sites)
            .select_related("zone", "data_plan")
            .annotate(open_tickets=Count("fault_tickets", filter=Q(
                fault_tickets__site=site, fault_tickets__closed_at__isnull=True)))
            .order_by("code"))
