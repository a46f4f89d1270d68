"""The assessment screens: rounds, a round's checklist, one answer, sign-off and the report.

Everything is scoped to the commune of the request (``Site.find_for_request``): another
commune's round or answer is a 404. Every view checks its own permission; a refused POST is a
plain 403 and changes nothing.
"""

from __future__ import annotations

import functools
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Site

from cms.official_document import render_pdf, render_xlsx

from . import selectors, services
from .forms import AssessmentCreateForm, AssessmentEditForm, ResultForm, SignOffForm
from .models import Assessment, AssessmentResult, Result
from .report import assessment_document, report_filename

VIEW = "fleetsecurity.view_assessment"
ADD = "fleetsecurity.add_assessment"
CHANGE = "fleetsecurity.change_assessment"
ANSWER = "fleetsecurity.change_assessmentresult"
SIGN_OFF = "fleetsecurity.sign_off_assessment"

logger = logging.getLogger(__name__)


class _Forbidden(Exception):
    pass


def _require(request, permission: str) -> None:
    if request.user.has_perm(permission):
        return
    if request.method == "POST":
        logger.warning("Security: %s without %s tried POST %s", request.user, permission,
                       request.path)
        raise _Forbidden
    raise PermissionDenied


def _forbidden_as_403(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Forbidden:
            return HttpResponseForbidden(_("Bạn không có quyền thực hiện thao tác này."))

    return wrapped


def commune_site(request) -> Site:
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise Http404
    return site


def _assessment(request, pk: int) -> Assessment:
    return get_object_or_404(Assessment.objects.select_related("template", "signed_off_by"),
                             pk=pk, site=commune_site(request))


def _errors(err: ValidationError) -> list[str]:
    return [str(m) for m in err.messages]


@_forbidden_as_403
def assessment_list(request):
    _require(request, VIEW)
    site = commune_site(request)
    if request.user.has_perm(ADD):
        services.checklist_template_default_create(site=site)
    return TemplateResponse(request, "fleetsecurity/assessment_list.html", {
        "assessments": selectors.assessments_for_site(site=site),
        "can_add": request.user.has_perm(ADD),
    })


@_forbidden_as_403
def assessment_create(request):
    _require(request, ADD)
    site = commune_site(request)
    services.checklist_template_default_create(site=site)
    form = AssessmentCreateForm(request.POST or None, site=site,
                                initial={"template": selectors.default_template(site=site)})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                site=site, period=form.cleaned_data["period"],
                template=form.cleaned_data["template"], user=request.user,
                number_symbol=form.cleaned_data["number_symbol"],
            )
        except ValidationError as err:
            for field, errors in err.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Đã tạo đợt đánh giá “%(period)s”; các nội dung tự "
                                        "động đã được trả lời.") % {"period": assessment.period})
            return redirect("fleetsecurity_admin:assessment_detail", assessment.pk)
    return TemplateResponse(request, "fleetsecurity/assessment_create.html", {"form": form})


@_forbidden_as_403
def assessment_detail(request, pk: int):
    _require(request, VIEW)
    assessment = _assessment(request, pk)
    status = request.GET.get("status", "")
    if status not in Result.values:
        status = ""
    results = list(selectors.assessment_results(assessment=assessment, status=status))
    signer_name = (request.user.get_full_name() or request.user.get_username())
    return TemplateResponse(request, "fleetsecurity/assessment_detail.html", {
        "assessment": assessment,
        "results": results,
        "status": status,
        "statuses": Result.choices,
        "counts": selectors.assessment_counts(assessment=assessment),
        "open_findings": sum(1 for r in results if r.is_open_finding) if not status else None,
        "can_change": request.user.has_perm(CHANGE) and not assessment.is_signed_off,
        "can_answer": request.user.has_perm(ANSWER) and not assessment.is_signed_off,
        "can_sign_off": request.user.has_perm(SIGN_OFF) and not assessment.is_signed_off,
        "edit_form": AssessmentEditForm(initial={"number_symbol": assessment.number_symbol,
                                                 "summary": assessment.summary}),
        "sign_off_form": SignOffForm(initial={"name": signer_name}),
    })


@require_POST
@_forbidden_as_403
def assessment_autofill(request, pk: int):
    _require(request, CHANGE)
    assessment = _assessment(request, pk)
    try:
        changed = services.assessment_autofill(assessment=assessment)
    except ValidationError as err:
        for message in _errors(err):
            messages.error(request, message)
    else:
        messages.success(request, _("Đã cập nhật %(n)s nội dung từ số liệu thiết bị.")
                         % {"n": changed})
    return redirect("fleetsecurity_admin:assessment_detail", assessment.pk)


@require_POST
@_forbidden_as_403
def assessment_edit(request, pk: int):
    _require(request, CHANGE)
    assessment = _assessment(request, pk)
    form = AssessmentEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông tin báo cáo chưa hợp lệ."))
        return redirect("fleetsecurity_admin:assessment_detail", assessment.pk)
    try:
        services.assessment_update(assessment=assessment, **form.cleaned_data)
    except ValidationError as err:
        for message in _errors(err):
            messages.error(request, message)
    else:
        messages.success(request, _("Đã lưu thông tin báo cáo."))
    return redirect("fleetsecurity_admin:assessment_detail", assessment.pk)


@require_POST
@_forbidden_as_403
def assessment_sign_off(request, pk: int):
    _require(request, SIGN_OFF)
    assessment = _assessment(request, pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("fleetsecurity_admin:assessment_detail", assessment.pk)
    try:
        services.assessment_sign_off(
            assessment=assessment, user=request.user, on_behalf=form.cleaned_data["on_behalf"],
            title=form.cleaned_data["title"], name=form.cleaned_data["name"])
    except ValidationError as err:
        for message in _errors(err):
            messages.error(request, message)
    else:
        messages.success(request, _("Đã ký duyệt đợt đánh giá; kết quả không sửa được nữa."))
    return redirect("fleetsecurity_admin:assessment_detail", assessment.pk)


@_forbidden_as_403
def result_edit(request, pk: int):
    _require(request, ANSWER)
    result = get_object_or_404(
        AssessmentResult.objects.select_related("assessment"), pk=pk,
        site=commune_site(request))
    detail_url = reverse("fleetsecurity_admin:assessment_detail", args=[result.assessment_id])
    if result.assessment.is_signed_off:
        if request.method == "POST":
            return HttpResponseForbidden(_("Đợt đánh giá đã được ký duyệt, không sửa được nữa."))
        messages.error(request, _("Đợt đánh giá đã được ký duyệt, không sửa được nữa."))
        return redirect(detail_url)
    form = ResultForm(request.POST or None, instance=result)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.result_answer(
                result=AssessmentResult.objects.select_related("assessment").get(pk=result.pk),
                user=request.user, status=data["status"], evidence=data["evidence"],
                finding=data["finding"], remediation=data["remediation"], owner=data["owner"],
                due_date=data["due_date"], resolved_on=data["resolved_on"])
        except ValidationError as err:
            for field, errors in err.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Đã lưu kết quả “%(item)s”.") % {"item": result})
            return redirect(f"{detail_url}#result-{result.pk}")
    return TemplateResponse(request, "fleetsecurity/result_edit.html", {
        "result": result, "form": form, "detail_url": detail_url,
    })


@_forbidden_as_403
def assessment_report(request, pk: int, kind: str):
    _require(request, VIEW)
    assessment = _assessment(request, pk)
    document = assessment_document(assessment=assessment)
    if kind == "pdf":
        body, content_type = render_pdf(document), "application/pdf"
    elif kind == "xlsx":
        body = render_xlsx(document)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{report_filename(assessment, kind)}"')
    return response
