"""Reads of the security assessment."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Assessment, AssessmentResult, ChecklistTemplate, Result


def assessments_for_site(*, site):
    """The site's rounds, newest first, with their counts (one query)."""
    return (
        Assessment.objects.filter(site=site)
        .select_related("signed_off_by")
        .annotate(
            total=Count("results"),
            passed=Count("results", filter=Q(results__status=Result.PASSED)),
            failed=Count("results", filter=Q(results__status=Result.FAILED)),
            pending=Count("results", filter=Q(results__status=Result.PENDING)),
            open_findings=Count("results", filter=Q(results__status=Result.FAILED,
                                                    results__resolved_on__isnull=True)),
        )
        .order_by("-created_at")
    )


def assessment_results(*, assessment, status: str = "", cluster_id: int | None = None):
    rows = AssessmentResult.objects.filter(assessment=assessment).select_related("answered_by")
    if status:
        rows = rows.filter(status=status)
    if cluster_id:
        rows = rows.filter(cluster_id=cluster_id)
    return rows.order_by("sort_order", "cluster_label", "pk")


def assessment_open_findings(*, assessment):
    return assessment_results(assessment=assessment, status=Result.FAILED).filter(
        resolved_on__isnull=True)


def assessment_counts(*, assessment) -> dict[str, int]:
    counts = dict(AssessmentResult.objects.filter(assessment=assessment)
                  .values_list("status").annotate(n=Count("pk")).order_by())
    return {value: counts.get(value, 0) for value in Result.values}


def cluster_results(*, cluster, site, limit: int = 200):
    """A cluster's answers across rounds, newest round first (the cluster history page)."""
    return (
        AssessmentResult.objects.filter(cluster=cluster, site=site)
        .select_related("assessment")
        .order_by("-assessment__created_at", "sort_order")[:limit]
    )


def default_template(*, site):
    return ChecklistTemplate.objects.filter(site=site, is_default=True).first()
