"""Admin views of the upkeep app: the budget estimate (and its XLSX), the clusters' upkeep list
and one cluster's whole history. Each checks its own permission; records are the current site's."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from . import budget, history, selectors
from .exports import XLSX_CONTENT_TYPE, budget_filename, budget_xlsx

VIEW_BUDGET = "upkeep.view_budget"
VIEW_PLANS = "upkeep.view_dataplan"


def current_site(request) -> Site:
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise PermissionDenied
    return site


def commune_names(site: Site) -> dict:
    from content_types.models import CommuneSettings

    settings = CommuneSettings.for_site(site)
    return {"commune_name": settings.commune_name, "agency_name": settings.agency_name}


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def budget_view(request):
    """Next year's estimate (any year through ``?year=``); ``?format=xlsx`` downloads it."""
    _require(request, VIEW_BUDGET)
    site = current_site(request)
    next_year = timezone.localdate().year + 1
    raw_year = request.GET.get("year", "")
    year = next_year
    if raw_year:
        if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100:
            year = int(raw_year)
        else:
            messages.error(request, _("Năm “%(year)s” không hợp lệ (nhập năm từ 2000 đến 2100); "
                                      "đang hiện dự toán năm %(next)d.") % {"year": raw_year[:10],
                                                                            "next": next_year})
    estimate = selectors.budget_estimate(site=site, year=year)
    outlook = selectors.repair_outlook(site=site, year=year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(budget_xlsx(estimate, outlook=outlook, **commune_names(site)),
                                content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{budget_filename(year)}"'
        return response
    return TemplateResponse(request, "upkeep/budget.html", {
        "estimate": estimate, "outlook": outlook, "year": year, "years": range(next_year - 1, next_year + 3),
        "can_view_plans": request.user.has_perm(VIEW_PLANS),
    })


def clusters_view(request):
    """Every cluster: its plan, paid period, warranty and open faults; the way to its history."""
    _require(request, VIEW_PLANS)
    site = current_site(request)
    today = timezone.localdate()
    soon = today + dt.timedelta(days=max(selectors.ALERT_DAYS))
    rows = []
    for cluster in selectors.clusters_overview(site=site):
        plan = getattr(cluster, "data_plan", None)
        paid_from = budget.paid_from(plan.free_until) if plan else None
        rows.append({
            "cluster": cluster, "plan": plan, "paid_from": paid_from,
            "paid_soon": paid_from is not None and today <= paid_from <= soon,
            "paying": paid_from is not None and paid_from < today,
            "warranty_soon": cluster.warranty_until is not None
            and today <= cluster.warranty_until <= soon,
            "warranty_over": cluster.warranty_until is not None and cluster.warranty_until < today,
        })
    return TemplateResponse(request, "upkeep/clusters.html", {
        "rows": rows, "events": selectors.events_due(today=today, site=site),
        "can_add_fault": request.user.has_perm("upkeep.add_faultticket"),
    })


def cluster_history_view(request, pk):
    _require(request, VIEW_PLANS)
    site = current_site(request)
    cluster = get_object_or_404(selectors.clusters_overview(site=site), pk=pk)
    return TemplateResponse(request, "upkeep/cluster_history.html", {
        "cluster": cluster,
        "entries": history.cluster_history(cluster=cluster, site=site, user=request.user),
        "sections": [s for s in history.sections()
                     if not s.permission or request.user.has_perm(s.permission)],
    })


