"""The feedback inbox in the admin: the list, a thread with its reply composer, and the
"turn into radio bulletin" action. Every POST checks its own permission (a forged one is 403)."""

from __future__ import annotations

import functools
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from . import selectors, services
from .forms import BulletinDraftForm, FeedbackHandleForm, ReplyForm
from .models import AnswerTemplate, Department, Feedback, FeedbackMessage

VIEW = "feedback.view_feedback"
CHANGE = "feedback.change_feedback"
REPLY = "feedback.reply_feedback"
PAGE_SIZE = 50

logger = logging.getLogger(__name__)


def _require(request, permission: str) -> None:
    """Wagtail answers a refused GET with a redirect and a message; a refused POST (a forged
    form, a stale page after a role change) gets a plain 403 and a log line."""
    if request.user.has_perm(permission):
        return
    if request.method == "POST":
        logger.warning("Feedback: %s without %s tried POST %s", request.user, permission, request.path)
        raise _Forbidden
    raise PermissionDenied


class _Forbidden(Exception):
    pass


def _commune_site(request) -> Site | None:
    """The commune whose admin this request is on: each commune's inbox holds its own
    citizens' threads only (one installation may serve every commune of a city)."""
    return Site.find_for_request(request)


def _threads(request):
    return Feedback.objects.filter(site=_commune_site(request))


def _forbidden_as_403(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Forbidden:
            return HttpResponseForbidden(_("Bạn không có quyền thực hiện thao tác này."))

    return wrapped


@_forbidden_as_403
def inbox(request):
    _require(request, VIEW)
    status = request.GET.get("status", "")
    if status not in Feedback.Status.values:
        status = ""
    department = request.GET.get("department", "")
    department_id = int(department) if department.isdigit() else None
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    threads = selectors.feedback_inbox(
        site=_commune_site(request), status=status, department_id=department_id, overdue=overdue, today=today
    )
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(request, "feedback/admin/inbox.html", {
        "page_obj": page,
        "rows": [(thread, thread.is_overdue(today)) for thread in page.object_list],
        "statuses": Feedback.Status.choices,
        "departments": Department.objects.all(),
        "status": status,
        "department_id": department_id,
        "overdue": overdue,
    })


def _detail_context(request, feedback, *, handle_form=None, reply_form=None):
    window = selectors.reply_window(feedback.citizen)
    reply_form = reply_form or ReplyForm()
    template_id = request.GET.get("template", "")
    if template_id.isdigit() and not reply_form.is_bound:
        template = AnswerTemplate.objects.filter(pk=int(template_id)).first()
        if template is not None:
            reply_form = ReplyForm(initial={"text": template.text})
    return {
        "feedback": feedback,
        "citizen": feedback.citizen,
        "thread": feedback.messages.select_related("sent_by"),
        "window": window,
        "overdue": feedback.is_overdue(),
        "handle_form": handle_form or FeedbackHandleForm(instance=feedback),
        "reply_form": reply_form,
        "templates": AnswerTemplate.objects.all(),
        "can_change": request.user.has_perm(CHANGE),
        "can_reply": request.user.has_perm(REPLY),
    }


@_forbidden_as_403
def detail(request, pk):
    _require(request, VIEW)
    feedback = get_object_or_404(
        _threads(request).select_related("citizen", "department", "assignee", "bulletin"), pk=pk
    )
    here = reverse("feedback_admin:detail", args=[feedback.pk])
    if request.method != "POST":
        return TemplateResponse(request, "feedback/admin/detail.html",
                                _detail_context(request, feedback))
    action = request.POST.get("action", "")
    if action == "update":
        _require(request, CHANGE)
        form = FeedbackHandleForm(request.POST, instance=feedback)
        if not form.is_valid():
            return TemplateResponse(request, "feedback/admin/detail.html",
                                    _detail_context(request, feedback, handle_form=form), status=400)
        services.feedback_update(feedback=feedback, **form.cleaned_data)
        messages.success(request, _("Đã cập nhật phản ánh."))
        return redirect(here)
    if action == "reply":
        _require(request, REPLY)
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return TemplateResponse(request, "feedback/admin/detail.html",
                                    _detail_context(request, feedback, reply_form=form), status=400)
        try:
            services.feedback_reply(feedback=feedback, user=request.user, text=form.cleaned_data["text"])
        except services.ReplyRefused as refusal:
            messages.error(request, refusal.text)
        else:
            messages.success(request, _("Đã lưu câu trả lời; hệ thống đang gửi tới Zalo của người dân."))
        return redirect(here)
    if action == "retry":
        _require(request, REPLY)
        message = get_object_or_404(
            FeedbackMessage, pk=request.POST.get("message", "0") or 0, feedback=feedback,
            direction=FeedbackMessage.Direction.OUTBOUND,
        )
        try:
            services.reply_retry(message=message)
        except services.ReplyRefused as refusal:
            messages.error(request, refusal.text)
        else:
            messages.success(request, _("Đã gửi lại câu trả lời."))
        return redirect(here)
    messages.error(request, _("Thao tác không hợp lệ."))
    return redirect(here)


@_forbidden_as_403
def bulletin(request, pk):
    """Turn the answer of public interest into a draft bulletin (Chuyển thành bản tin phát thanh)."""
    _require(request, CHANGE)
    feedback = get_object_or_404(_threads(request).select_related("site", "bulletin"), pk=pk)
    if request.method == "POST":
        form = BulletinDraftForm(request.POST)
        if form.is_valid():
            try:
                page = services.feedback_bulletin_draft(
                    feedback=feedback, user=request.user, **form.cleaned_data
                )
            except services.BulletinRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, _(
                    "Đã tạo bản nháp “%(title)s” trong mục Tin tức. Biên tập viên hoàn thiện và "
                    "gửi duyệt như mọi bản tin; bản tin chưa được đăng."
                ) % {"title": page.title})
                return redirect("feedback_admin:detail", feedback.pk)
    else:
        answer = (
            feedback.messages.filter(direction=FeedbackMessage.Direction.OUTBOUND)
            .exclude(status=FeedbackMessage.Status.FAILED).order_by("-created_at").first()
        )
        form = BulletinDraftForm(initial={
            "title": _("Giải đáp phản ánh của người dân: %(subject)s") % {"subject": feedback.subject}
            if feedback.subject else _("Giải đáp phản ánh của người dân"),
            "text": answer.text if answer else "",
        })
    return TemplateResponse(request, "feedback/admin/bulletin.html",
                            {"feedback": feedback, "form": form})
