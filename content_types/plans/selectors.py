"""Reads of plans and their tasks: progress of one plan, overdue tasks per user, a period's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from .models import PlanPage, PlanTask, TaskStatus


def plan_tasks(*, site) -> QuerySet[PlanTask]:
    return PlanTask.objects.filter(site=site)


@dataclass
class PlanProgress:
    plan: PlanPage
    on: dt.date
    tasks: list[PlanTask] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: list[PlanTask] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.tasks)

    @property
    def done(self) -> int:
        return self.by_status.get(TaskStatus.DONE, 0)

    @property
    def percent(self) -> int:
        """Mean progress of the tasks (a done task counts 100 %)."""
        if not self.tasks:
            return 0
        values = [100 if t.status == TaskStatus.DONE else t.progress for t in self.tasks]
        return round(sum(values) / len(values))


def plan_progress(*, plan: PlanPage, on: dt.date) -> PlanProgress:
    """The plan's tasks with their units, counted by status; 2 queries whatever the size."""
    tasks = list(
        PlanTask.objects.filter(plan=plan)
        .select_related("lead_unit")
        .prefetch_related("cooperating_units")
    )
    progress = PlanProgress(plan=plan, on=on, tasks=tasks)
    for task in tasks:
        progress.by_status[task.status] = progress.by_status.get(task.status, 0) + 1
        if task.is_overdue(on):
            progress.overdue.append(task)
    return progress


def plans_of_site(*, site) -> QuerySet[PlanPage]:
    return PlanPage.objects.descendant_of(site.root_page, inclusive=True).order_by("-year", "title")


def overdue_tasks_for_user(*, user, site, on: dt.date) -> QuerySet[PlanTask]:
    """Overdue tasks led by a unit the user belongs to (the dashboard of the lead unit's staff)."""
    return (
        PlanTask.objects.filter(site=site, lead_unit__members=user, deadline__lt=on)
        .exclude(status=TaskStatus.DONE)
        .select_related("lead_unit", "plan")
        .order_by("deadline", "pk")
        .distinct()
    )


def user_can_report_progress(*, user, task: PlanTask) -> bool:
    """Managers of plan tasks, or the staff of the task's lead unit."""
    if not (user and user.is_active):
        return False
    if user.is_superuser or user.has_perm("plans.change_plantask"):
        return True
    return task.lead_unit.members.filter(pk=user.pk).exists()


def plan_period_figures(*, site, date_from: dt.date, date_to: dt.date) -> dict:
    """Plan progress for a report period: tasks due in it, done on time or late, still overdue.

    One query. ``date_to`` is inclusive; "overdue" is judged at the end of the period."""
    due = Q(deadline__gte=date_from, deadline__lte=date_to)
    done = Q(status=TaskStatus.DONE)
    figures = PlanTask.objects.filter(site=site).aggregate(
        tasks_total=Count("pk"),
        due_in_period=Count("pk", filter=due),
        done_total=Count("pk", filter=done),
        done_in_period=Count("pk", filter=done & Q(completed_on__gte=date_from,
                                                  completed_on__lte=date_to)),
        done_on_time=Count("pk", filter=due & done & Q(completed_on__lte=F("deadline"))),
        overdue=Count("pk", filter=Q(deadline__lt=date_to) & ~done),
    )
    return figures

