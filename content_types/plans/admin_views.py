"""Admin screens of plan tracking: units, tasks, the progress overview and progress reports.

Every list and form is scoped to the commune of the request (``Site.find_for_request``): one
installation may serve several communes, and a commune's plan is its own.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from laces.components import Component
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page, Site

from . import selectors, services
from .models import PlanTask, TaskStatus, Unit

VIEW_TASKS = "plans.view_plantask"


def request_site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


# --- Site-scoped generic views -------------------------------------------------------------

class SiteScopedMixin:
    """Lists, edits and deletes only the request's commune's records."""

    def get_base_queryset(self):
        return super().get_base_queryset().filter(site=request_site(self.request))

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if obj.site_id != request_site(self.request).pk:
            raise Http404
        return obj

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["site"] = request_site(self.request)
        return kwargs


class SiteScopedCreateMixin:
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["site"] = request_site(self.request)
        return kwargs

    def save_instance(self):
        self.form.instance.site = request_site(self.request)
        return super().save_instance()


class UnitForm(WagtailAdminModelForm):
    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Unit.objects.filter(site=self.site, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Đã có đơn vị tên này."))
        return name


class PlanTaskForm(WagtailAdminModelForm):
    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        units = Unit.objects.filter(site=site)
        self.fields["lead_unit"].queryset = units
        self.fields["cooperating_units"].queryset = units
        self.fields["plan"].queryset = selectors.plans_of_site(site=site)
        self.fields["evidence"].queryset = (
            Page.objects.descendant_of(site.root_page).live().specific(defer=True)
            .exclude(depth__lte=site.root_page.depth)
        )
        self.fields["evidence"].required = False

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead_unit")
        if lead and lead in (cleaned.get("cooperating_units") or []):
            self.add_error("cooperating_units", _("Đơn vị chủ trì không đồng thời là đơn vị phối hợp."))
        if cleaned.get("status") == TaskStatus.DONE:
            cleaned["progress"] = 100
        return cleaned

    def save(self, commit=True):
        task = super().save(commit=False)
        task.site = self.site
        if task.status == TaskStatus.DONE:
            task.progress = 100
            task.completed_on = task.completed_on or timezone.localdate()
        else:
            task.completed_on = None
        if commit:
            task.save()
            self.save_m2m()
        return task


class UnitIndexView(SiteScopedMixin, generic.IndexView):
    pass


class UnitCreateView(SiteScopedCreateMixin, generic.CreateView):
    pass


class UnitEditView(SiteScopedMixin, generic.EditView):
    pass


class UnitDeleteView(SiteScopedMixin, generic.DeleteView):
    def get_form_kwargs(self):
        return generic.DeleteView.get_form_kwargs(self)

    def delete_action(self):
        if self.object.led_tasks.exists():
            raise PermissionDenied
        return super().delete_action()

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.led_tasks.exists():
            messages.error(request, _("Không xoá được: đơn vị đang chủ trì nhiệm vụ kế hoạch."))
            return redirect(self.index_url_name)
        return super().post(request, *args, **kwargs)


class SiteFormViewSet(ModelViewSet):
    """A model viewset whose create/edit form is ``site_form`` (it takes the request's site)."""

    site_form = None

    def get_form_class(self, for_update=False):
        from django.forms import modelform_factory

        return modelform_factory(self.model, form=self.site_form, fields=self.get_form_fields(),
                                 formfield_callback=self.formfield_for_dbfield)


class UnitViewSet(SiteFormViewSet):
    model = Unit
    site_form = UnitForm
    icon = "group"
    menu_label = gettext_lazy("Đơn vị")
    url_prefix = "plans/units"
    name = "plan_units"
    index_view_class = UnitIndexView
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    delete_view_class = UnitDeleteView
    form_fields = ["name", "members"]
    list_display = ["name", Column("member_count", label=gettext_lazy("Số cán bộ"))]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_queryset(self, request):
        from django.db.models import Count

        return Unit.objects.annotate(member_count=Count("members"))


class TaskIndexView(SiteScopedMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("lead_unit", "plan")


class TaskCreateView(SiteScopedCreateMixin, generic.CreateView):
    pass


class TaskEditView(SiteScopedMixin, generic.EditView):
    pass


class TaskDeleteView(SiteScopedMixin, generic.DeleteView):
    def get_form_kwargs(self):
        return generic.DeleteView.get_form_kwargs(self)


class PlanTaskViewSet(SiteFormViewSet):
    model = PlanTask
    site_form = PlanTaskForm
    icon = "list-ol"
    menu_label = gettext_lazy("Nhiệm vụ")
    url_prefix = "plans/tasks"
    name = "plan_tasks"
    index_view_class = TaskIndexView
    add_view_class = TaskCreateView
    edit_view_class = TaskEditView
    delete_view_class = TaskDeleteView
    form_fields = ["plan", "code", "title", "content", "lead_unit", "cooperating_units",
                   "deadline", "status", "progress", "evidence", "sort_order"]
    list_display = [
        "title",
        Column("code", label=gettext_lazy("Mục")),
        Column("lead_unit", label=gettext_lazy("Đơn vị chủ trì")),
        DateColumn("deadline", label=gettext_lazy("Thời hạn")),
        Column("get_status_display", label=gettext_lazy("Trạng thái")),
        Column("progress", label=gettext_lazy("Tiến độ (%)")),
    ]
    list_filter = ["status", "lead_unit", "plan"]
    search_fields = ["title", "code", "content"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False


class PlansViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Kế hoạch")
    menu_icon = "date"
    menu_order = 250
    items = (PlanTaskViewSet, UnitViewSet)


# --- Progress overview and progress reports -----------------------------------------------

def progress_overview(request):
    if not request.user.has_perm(VIEW_TASKS):
        raise PermissionDenied
    site = request_site(request)
    today = timezone.localdate()
    plans = [selectors.plan_progress(plan=plan, on=today) for plan in selectors.plans_of_site(site=site)]
    return TemplateResponse(request, "plans/admin/progress.html", {
        "plans": plans, "today": today, "statuses": TaskStatus.choices,
    })


class ProgressReportForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), choices=TaskStatus.choices)
    progress = forms.IntegerField(label=gettext_lazy("Tiến độ (%)"), min_value=0, max_value=100)
    evidence_url = forms.URLField(label=gettext_lazy("Đường dẫn minh chứng"), required=False,
                                  assume_scheme="https")


def task_progress(request, task_id: int):
    """A task's history, and the form its lead unit's staff report progress with."""
    site = request_site(request)
    task = get_object_or_404(
        PlanTask.objects.select_related("lead_unit", "plan").prefetch_related("cooperating_units"),
        pk=task_id, site=site,
    )
    may_report = selectors.user_can_report_progress(user=request.user, task=task)
    if not (may_report or request.user.has_perm(VIEW_TASKS)):
        raise PermissionDenied
    form = ProgressReportForm(initial={"status": task.status, "progress": task.progress})
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied
        form = ProgressReportForm(request.POST)
        if form.is_valid():
            services.plan_task_progress_report(task_id=task.pk, user=request.user, site=site,
                                               **form.cleaned_data)
            messages.success(request, _("Đã ghi nhận tiến độ nhiệm vụ “%(task)s”.") % {"task": task})
            return redirect("plans_admin:task_progress", task_id=task.pk)
    return TemplateResponse(request, "plans/admin/task_progress.html", {
        "task": task, "form": form, "may_report": may_report,
        "notes": task.notes.all()[:50], "evidence": task.evidence.all(),
        "overdue": task.is_overdue(),
    })


class OverdueTasksPanel(Component):
    """Dashboard panel: the overdue tasks of the units the user works in."""

    name = "plan_overdue_tasks"
    template_name = "plans/admin/overdue_panel.html"
    order = 70

    def __init__(self, tasks):
        self.tasks = tasks

    def get_context_data(self, parent_context):
        return {"tasks": self.tasks}


def overdue_panel_for(request) -> OverdueTasksPanel | None:
    site = Site.find_for_request(request)
    if site is None:
        return None
    tasks = list(selectors.overdue_tasks_for_user(user=request.user, site=site,
                                                  on=timezone.localdate())[:20])
    return OverdueTasksPanel(tasks) if tasks else None
