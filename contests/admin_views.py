"""The organisers' side of a contest in the admin (ban tổ chức): the question bank as Excel,
each round's ranking with the winners they pick, lists to export, participation charts.

Rankings and lists carry personal data (names, phone numbers): only users holding
``contests.view_participant`` see or export them (issue 11, item 7). The bank holds the correct
answers: its file needs ``contests.change_question``; awarding prizes needs
``contests.add_winner``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from . import bank_images, exports
from .admin_charts import contest_chart_data
from .admin_scope import commune_contests
from .models import ContestPage, ContestRound, Winner
from .selectors import all_correct_count, ranking_for_round

VIEW_PEOPLE = "contests.view_participant"
EDIT_BANK = "contests.change_question"
PICK_WINNERS = "contests.add_winner"
# The organisers pick among the first places; the whole ranking is in the XLSX export.
RANKING_ROWS_SHOWN = 200


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _contest(request, page_id: int) -> ContestPage:
    return get_object_or_404(commune_contests(request), pk=page_id)


def _round(request, round_id: int) -> ContestRound:
    return get_object_or_404(
        ContestRound.objects.select_related("page").filter(page__in=commune_contests(request)),
        pk=round_id,
    )


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# --- contests ---------------------------------------------------------------------------------


def contest_list(request):
    if not (request.user.has_perm(VIEW_PEOPLE) or request.user.has_perm(EDIT_BANK)):
        raise PermissionDenied
    contests = commune_contests(request).filter(kind=ContestPage.Kind.QUIZ).order_by(
        "-latest_revision_created_at"
    )
    return TemplateResponse(request, "contests/admin/contest_list.html", {"contests": contests})


def contest_dashboard(request, page_id: int):
    _require(request, VIEW_PEOPLE)
    contest = _contest(request, page_id)
    rounds = list(contest.rounds.order_by("starts_at", "pk"))
    return TemplateResponse(request, "contests/admin/contest_dashboard.html", {
        "contest": contest,
        "rounds": rounds,
        "charts": contest_chart_data(contest),
        "can_edit_bank": request.user.has_perm(EDIT_BANK),
    })


# --- the question bank ------------------------------------------------------------------------


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        error_messages={"required": gettext_lazy("Chọn tệp Excel cần nhập.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chỉ nhận tệp Excel dạng .xlsx."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp lớn quá 5 MB."))
        return upload


@require_http_methods(["GET", "POST"])
def bank(request, page_id: int):
    _require(request, EDIT_BANK)
    contest = _contest(request, page_id)
    form = BankUploadForm(request.POST or None, request.FILES or None)
    errors = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = exports.bank_import(
                contest=contest, data=form.cleaned_data["file"].read(),
                can_add_images=bank_images.user_may_add_images(request.user, contest.get_site()),
            )
        except exports.BankImportError as err:
            errors = err.errors
            status = 400
        else:
            messages.success(request, _(
                "Đã nhập ngân hàng câu hỏi: %(created)d câu mới, %(updated)d câu được cập nhật, "
                "%(images)d ảnh mới."
            ) % {"created": report.created, "updated": report.updated, "images": report.images_created})
            return redirect("contests_admin:bank", page_id=contest.pk)
    elif request.method == "POST":
        status = 400
    response = TemplateResponse(request, "contests/admin/bank.html", {
        "contest": contest, "form": form, "errors": errors,
        "question_count": contest.questions.count(),
        "columns": exports.BANK_COLUMNS,
    })
    response.status_code = status
    return response


def bank_download(request, page_id: int):
    _require(request, EDIT_BANK)
    contest = _contest(request, page_id)
    return _xlsx(exports.bank_export(contest), f"ngan-hang-cau-hoi-{slugify(contest.slug)}-{_stamp()}.xlsx")


# --- rankings and winners ---------------------------------------------------------------------


def winners_set(*, round: ContestRound, picks: dict[int, str], user) -> int:
    """Replace the round's winners by ``picks`` ({participant id: prize}); ranking places are
    taken from the ranking as it stands. Answers how many prizes are now awarded."""
    places = {row.participant_id: row for row in ranking_for_round(round)}
    valid = set(Winner.Prize.values)
    rows = [
        Winner(site_id=round.page.get_site().pk, round=round, participant_id=pid,
               attempt_id=places[pid].attempt_id, prize=prize, rank=places[pid].rank,
               picked_by=user)
        for pid, prize in picks.items()
        if prize in valid and pid in places
    ]
    with transaction.atomic():
        Winner.objects.filter(round=round).delete()
        Winner.objects.bulk_create(rows)
    return len(rows)


_SUGGESTED = {
    "Giải Nhất": Winner.Prize.FIRST, "Giải Nhì": Winner.Prize.SECOND,
    "Giải Ba": Winner.Prize.THIRD, "Giải Khuyến khích": Winner.Prize.CONSOLATION,
}


@require_http_methods(["GET", "POST"])
def round_ranking(request, round_id: int):
    _require(request, VIEW_PEOPLE)
    round = _round(request, round_id)
    if request.method == "POST":
        _require(request, PICK_WINNERS)
        picks = {}
        for key, value in request.POST.items():
            if key.startswith("prize-") and key[6:].isdigit() and value:
                picks[int(key[6:])] = value
        if request.POST.get("action") == "suggested":
            picks = {
                row.participant_id: _SUGGESTED[row.prize]
                for row in ranking_for_round(round, limit=round.prize_total) if row.prize
            }
        count = winners_set(round=round, picks=picks, user=request.user)
        messages.success(request, _("Đã lưu danh sách %(count)d người đoạt giải.") % {"count": count})
        return redirect("contests_admin:round_ranking", round_id=round.pk)
    rows = ranking_for_round(round, limit=RANKING_ROWS_SHOWN)
    awarded = dict(round.winners.values_list("participant_id", "prize"))
    return TemplateResponse(request, "contests/admin/round_ranking.html", {
        "round": round,
        "contest": round.page,
        "rows": [(row, awarded.get(row.participant_id, "")) for row in rows],
        "actual": all_correct_count(round),
        "prizes": Winner.Prize.choices,
        "awarded_count": len(awarded),
        "can_pick": request.user.has_perm(PICK_WINNERS),
        "shown": RANKING_ROWS_SHOWN,
    })


EXPORTS = {
    "nguoi-du-thi": lambda round: exports.participants_export(round.page),
    "bai-lam": exports.answers_export,
    "xep-hang": exports.ranking_export,
}


def round_export(request, round_id: int, kind: str):
    _require(request, VIEW_PEOPLE)
    round = _round(request, round_id)
    if kind not in EXPORTS:
        raise Http404
    return _xlsx(EXPORTS[kind](round), f"{kind}-{slugify(round.page.slug)}-dot-{round.pk}-{_stamp()}.xlsx")


# --- wiring -----------------------------------------------------------------------------------

urlpatterns = [
    path("", contest_list, name="contest_list"),
    path("<int:page_id>/", contest_dashboard, name="dashboard"),
    path("<int:page_id>/cau-hoi/", bank, name="bank"),
    path("<int:page_id>/cau-hoi/tai-ve/", bank_download, name="bank_download"),
    path("dot/<int:round_id>/xep-hang/", round_ranking, name="round_ranking"),
    path("dot/<int:round_id>/xuat/<slug:kind>.xlsx", round_export, name="round_export"),
]


@hooks.register("register_admin_urls")
def register_contest_admin_urls():
    return [path("cuoc-thi/", include((urlpatterns, "contests_admin"), namespace="contests_admin"))]


class OrganiserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PEOPLE)


@hooks.register("register_admin_menu_item")
def register_results_menu_item():
    return OrganiserMenuItem(
        _("Kết quả cuộc thi"), reverse("contests_admin:contest_list"), icon_name="trophy",
        order=261, name="contest-results",
    )


def _contest_buttons(page, user):
    if page.specific_class is not ContestPage:
        return
    if isinstance(page, ContestPage) and page.kind != ContestPage.Kind.QUIZ:
        return
    if user.has_perm(VIEW_PEOPLE):
        yield Button(
            _("Kết quả và giải thưởng"), reverse("contests_admin:dashboard", args=[page.pk]),
            icon_name="table", priority=80,
        )
    if user.has_perm(EDIT_BANK):
        yield Button(
            _("Ngân hàng câu hỏi (Excel)"), reverse("contests_admin:bank", args=[page.pk]),
            icon_name="download", priority=81,
        )


@hooks.register("register_page_header_buttons")
def contest_header_buttons(page, user, view_name, next_url=None):
    yield from _contest_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def contest_listing_buttons(page, user, next_url=None):
    yield from _contest_buttons(page, user)
