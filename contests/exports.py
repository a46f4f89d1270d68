"""Spreadsheets (XLSX, openpyxl) of a contest: the question bank both ways, and the organisers'
lists of participants, answers and the ranking (issue 11, items 2 and 5).

The bank's import checks every row before writing anything: one bad row and nothing is
imported, and each problem says its row, its column and why, in Vietnamese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from zipfile import BadZipFile

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from . import bank_images
from .bank_images import COL_IMAGE, ImageChoice
from .models import (
    Attempt,
    AttemptAnswer,
    Choice,
    ContestPage,
    ContestRound,
    Participant,
    Question,
    Winner,
)
from .selectors import all_correct_count, ranking_for_round

MAX_OPTIONS = 8
LETTERS = [chr(ord("A") + n) for n in range(MAX_OPTIONS)]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_ROWS = 5000
# Options in the order the editor gave them: sort_order, then creation (equal sort orders would
# otherwise come back in any order on PostgreSQL, and the letters of the answers with them).
OPTIONS_IN_ORDER = Prefetch("choices", queryset=Choice.objects.order_by("sort_order", "pk"))

# Column headers of the bank, as organisers read them in Excel. The import finds columns by
# these headers (any order), so a sheet that gained a column for notes still imports.
COL_ID = "Mã câu hỏi"
COL_TEXT = "Câu hỏi"
COL_KIND = "Loại"
COL_CORRECT = "Đáp án đúng"
COL_EXPLANATION = "Giải thích"
COL_ACTIVE = "Đang dùng"
OPTION_COLUMNS = [f"Phương án {letter}" for letter in LETTERS]
BANK_COLUMNS = [
    COL_ID, COL_TEXT, COL_KIND, *OPTION_COLUMNS, COL_CORRECT, COL_EXPLANATION, COL_ACTIVE, COL_IMAGE,
]
KIND_LABELS = {Question.Kind.SINGLE: "Một đáp án", Question.Kind.MULTIPLE: "Nhiều đáp án"}
_KIND_FROM_TEXT = {
    "mot": Question.Kind.SINGLE, "một": Question.Kind.SINGLE, "một đáp án": Question.Kind.SINGLE,
    "nhieu": Question.Kind.MULTIPLE, "nhiều": Question.Kind.MULTIPLE,
    "nhiều đáp án": Question.Kind.MULTIPLE,
}
_YES = {"có", "co", "x", "1", "true", "yes"}
_NO = {"không", "khong", "0", "false", "no"}


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Workbook, title: str, headers: list[str], *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for n, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = max(12, min(len(header) + 4, 60))
    return sheet


def _naive(moment):
    """openpyxl refuses aware datetimes: local wall-clock time, as the organisers live it."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# --- the question bank ------------------------------------------------------------------------


def bank_export(contest: ContestPage) -> bytes:
    """The contest's whole bank, one row per question, correct options as letters ("A, C"),
    its image named in “Ảnh” and embedded in that cell (``bank_images``)."""
    workbook = Workbook()
    sheet = _sheet(workbook, "Ngân hàng câu hỏi", BANK_COLUMNS, first=True)
    sheet.column_dimensions["B"].width = 60
    image_column = BANK_COLUMNS.index(COL_IMAGE) + 1
    sheet.column_dimensions[get_column_letter(image_column)].width = 36
    questions = Question.objects.filter(contest=contest).order_by("id").select_related(
        "image"
    ).prefetch_related(OPTIONS_IN_ORDER)
    for question in questions:
        choices = list(question.choices.all())[:MAX_OPTIONS]
        texts = [c.text for c in choices] + [""] * (MAX_OPTIONS - len(choices))
        correct = ", ".join(LETTERS[n] for n, c in enumerate(choices) if c.is_correct)
        sheet.append([
            question.pk, question.text, KIND_LABELS[question.kind], *texts, correct,
            question.explanation, "có" if question.active else "không",
            bank_images.reference_text(question.image) if question.image_id else "",
        ])
        if question.image_id:
            bank_images.embed(sheet, row=sheet.max_row, column=image_column, image=question.image)
    return _workbook_bytes(workbook)


@dataclass(slots=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Dòng %(row)d, cột “%(column)s”: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message,
        }


class BankImportError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass(slots=True)
class BankRow:
    row: int
    question_id: int | None
    text: str
    kind: str
    options: list[str]
    correct: list[int]
    explanation: str
    active: bool
    image: ImageChoice = bank_images.KEEP


@dataclass(slots=True)
class BankImportReport:
    created: int
    updated: int
    images_created: int = 0


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _parse_row(number: int, cells: dict[str, object], known_ids: set[int]) -> tuple[BankRow | None, list[RowError]]:
    errors = []

    def fail(column, message):
        errors.append(RowError(number, column, message))

    raw_id = _text(cells.get(COL_ID))
    question_id = None
    if raw_id:
        if not raw_id.isdigit():
            fail(COL_ID, _("mã câu hỏi phải là số (để trống khi thêm câu hỏi mới)."))
        elif int(raw_id) not in known_ids:
            fail(COL_ID, _("không có câu hỏi mã %(id)s trong cuộc thi này.") % {"id": raw_id})
        else:
            question_id = int(raw_id)
    text = _text(cells.get(COL_TEXT))
    if not text:
        fail(COL_TEXT, _("thiếu nội dung câu hỏi."))
    elif len(text) > 1000:
        fail(COL_TEXT, _("câu hỏi dài quá 1.000 ký tự."))
    raw_kind = _text(cells.get(COL_KIND)).lower()
    kind = _KIND_FROM_TEXT.get(raw_kind or "một đáp án")
    if kind is None:
        fail(COL_KIND, _("loại phải là “Một đáp án” hoặc “Nhiều đáp án”."))
    options = [_text(cells.get(column)) for column in OPTION_COLUMNS]
    while options and not options[-1]:
        options.pop()
    for n, option in enumerate(options):
        if not option:
            fail(OPTION_COLUMNS[n], _("phương án bị bỏ trống giữa các phương án khác."))
        elif len(option) > 500:
            fail(OPTION_COLUMNS[n], _("phương án dài quá 500 ký tự."))
    if len(options) < 2:
        fail(OPTION_COLUMNS[len(options)] if len(options) < MAX_OPTIONS else OPTION_COLUMNS[-1],
             _("cần ít nhất 2 phương án."))
    raw_correct = _text(cells.get(COL_CORRECT)).upper().replace(";", ",").replace(" ", "")
    correct = []
    if not raw_correct:
        fail(COL_CORRECT, _("thiếu đáp án đúng (ví dụ: A, hoặc A, C với câu nhiều đáp án)."))
    else:
        for letter in filter(None, raw_correct.split(",")):
            if letter not in LETTERS[: len(options)]:
                fail(COL_CORRECT, _("“%(letter)s” không phải một phương án có nội dung của câu này.")
                     % {"letter": letter})
            elif LETTERS.index(letter) not in correct:
                correct.append(LETTERS.index(letter))
        if kind == Question.Kind.SINGLE and len(correct) > 1:
            fail(COL_CORRECT, _("câu một đáp án chỉ được có một đáp án đúng."))
    raw_active = _text(cells.get(COL_ACTIVE)).lower()
    if raw_active and raw_active not in _YES | _NO:
        fail(COL_ACTIVE, _("ghi “có” hoặc “không”."))
    if errors:
        return None, errors
    return BankRow(
        row=number, question_id=question_id, text=text, kind=kind, options=options,
        correct=sorted(correct), explanation=_text(cells.get(COL_EXPLANATION)),
        active=raw_active not in _NO,
    ), []


def bank_parse(contest: ContestPage, data: bytes, *, can_add_images: bool = True) -> list[BankRow]:
    """Every row of the file, checked; ``BankImportError`` lists each problem found."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as err:
        raise BankImportError(
            [RowError(0, "", _("Tệp không phải bảng tính Excel (.xlsx) đọc được."))]
        ) from err
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = [_text(h) for h in next(rows, ())]
    missing = [c for c in (COL_TEXT, COL_CORRECT, *OPTION_COLUMNS[:2]) if c not in headers]
    if missing:
        raise BankImportError([
            RowError(1, column, _("thiếu cột này ở dòng tiêu đề (xem tệp tải về để có mẫu)."))
            for column in missing
        ])
    known_ids = set(Question.objects.filter(contest=contest).values_list("id", flat=True))
    try:
        pictures = bank_images.pictures_by_row(data)
    except bank_images.PicturesUnreadable as err:
        raise BankImportError([RowError(0, COL_IMAGE, _("ảnh gắn trong tệp không đọc được."))]) from err
    images = bank_images.ImageResolver(contest.get_site())
    has_image_column = COL_IMAGE in headers
    parsed, errors, seen_ids = [], [], {}
    for number, values in enumerate(rows, start=2):
        cells = dict(zip(headers, values, strict=False))
        if not any(_text(v) for v in values):
            if number in pictures:
                errors.append(RowError(number, COL_IMAGE, _("dòng có ảnh nhưng không có câu hỏi.")))
            continue
        if number - 1 > MAX_IMPORT_ROWS:
            errors.append(RowError(number, "", _("tệp có quá %(max)d dòng.") % {"max": MAX_IMPORT_ROWS}))
            break
        row, row_errors = _parse_row(number, cells, known_ids)
        image, image_error = images.choose(
            reference=_text(cells.get(COL_IMAGE)), pictures=pictures.get(number, []),
            has_column=has_image_column,
        )
        errors += row_errors
        if image is not None and image.action == "new" and not can_add_images:
            image, image_error = None, _("bạn không có quyền thêm ảnh vào thư viện ảnh của xã.")
        if image_error:
            errors.append(RowError(number, COL_IMAGE, image_error))
        if row is None or image is None:
            continue
        row.image = image
        if row.question_id is not None:
            if row.question_id in seen_ids:
                errors.append(RowError(number, COL_ID, _("mã câu hỏi trùng với dòng %(row)d.")
                                       % {"row": seen_ids[row.question_id]}))
                continue
            seen_ids[row.question_id] = number
        parsed.append(row)
    workbook.close()
    if errors:
        raise BankImportError(errors)
    if not parsed:
        raise BankImportError([RowError(2, COL_TEXT, _("tệp không có câu hỏi nào."))])
    _check_answered_questions(parsed)
    return parsed


def _check_answered_questions(rows: list[BankRow]) -> None:
    """Past answers point at options by id: a question already answered keeps its options."""
    ids = [r.question_id for r in rows if r.question_id]
    answered = set(
        AttemptAnswer.objects.filter(question_id__in=ids).values_list("question_id", flat=True)
    )
    counts: dict[int, int] = {}
    for question_id, in Choice.objects.filter(question_id__in=answered).values_list("question_id"):
        counts[question_id] = counts.get(question_id, 0) + 1
    errors = [
        RowError(r.row, OPTION_COLUMNS[0], _(
            "câu hỏi đã có người trả lời nên không được thêm hay bớt phương án (đang có %(n)d)."
        ) % {"n": counts[r.question_id]})
        for r in rows
        if r.question_id in answered and len(r.options) != counts[r.question_id]
    ]
    if errors:
        raise BankImportError(errors)


def bank_import(*, contest: ContestPage, data: bytes, can_add_images: bool = True) -> BankImportReport:
    """Import the bank from an XLSX file: all rows or none.

    A row with a "Mã câu hỏi" updates that question of this contest (its options are rewritten
    in place, so past answers keep pointing at the same option); a row without one adds a
    question. Questions missing from the file are left as they are. A picture embedded in a
    row becomes a new library image only if ``can_add_images`` (the uploader may add images to
    the commune's collection).
    """
    rows = bank_parse(contest, data, can_add_images=can_add_images)
    site = contest.get_site()
    created = updated = images_created = 0
    with transaction.atomic():
        existing = {
            q.pk: q
            for q in Question.objects.filter(contest=contest).prefetch_related(OPTIONS_IN_ORDER)
        }
        for row in rows:
            question = existing.get(row.question_id) or Question(contest=contest, site=site)
            question.text, question.kind = row.text, row.kind
            question.explanation, question.active = row.explanation, row.active
            old = list(question.choices.all()) if question.pk else []
            choices = []
            for n, text in enumerate(row.options):
                choice = old[n] if n < len(old) else Choice()
                choice.text, choice.is_correct, choice.sort_order = text, n in row.correct, n
                choices.append(choice)
            question.choices = choices
            if row.image.action == "existing":
                question.image_id = row.image.image_id
            elif row.image.action == "clear":
                question.image = None
            elif row.image.action == "new":
                question.image = bank_images.image_create(
                    data=row.image.data, extension=row.image.extension,
                    title=_("Ảnh câu hỏi: %(text)s") % {"text": row.text[:200]}, site=site,
                )
                images_created += 1
            updated += question.pk is not None
            created += question.pk is None
            question.save()
    return BankImportReport(created=created, updated=updated, images_created=images_created)


# --- organisers' lists (personal data: callers check the permission) --------------------------


def participants_export(contest: ContestPage) -> bytes:
    workbook = Workbook()
    sheet = _sheet(workbook, "Người dự thi", [
        "STT", "Họ và tên", "Số điện thoại", "Năm sinh", "Thôn / tổ dân phố", "Đơn vị",
        "Đăng ký lúc", "Số lượt thi",
    ], first=True)
    participants = (
        Participant.objects.filter(contest=contest)
        .select_related("zone")
        .annotate(entries=Count("attempts", filter=Q(attempts__submitted_at__isnull=False,
                                                     attempts__timed_out=False)))
        .order_by("created_at", "pk")
    )
    for n, p in enumerate(participants.iterator(chunk_size=2000), start=1):
        sheet.append([n, p.full_name, p.phone, p.birth_year, p.zone.name if p.zone_id else "",
                      p.unit, _naive(p.created_at), p.entries])
    return _workbook_bytes(workbook)


def answers_export(round: ContestRound) -> bytes:
    """One row per submitted attempt, one column per question of the bank (the letter chosen)."""
    questions = list(Question.objects.filter(contest_id=round.page_id).order_by("id"))
    workbook = Workbook()
    sheet = _sheet(workbook, "Bài làm", [
        "Mã lượt", "Họ và tên", "Số điện thoại", "Nộp lúc", "Thời gian (giây)", "Điểm", "Dự đoán",
        *[f"Câu {q.pk}" for q in questions],
    ], first=True)
    columns = {q.pk: n for n, q in enumerate(questions)}
    attempts = (
        Attempt.objects.filter(round=round, submitted_at__isnull=False, timed_out=False)
        .select_related("participant")
        .prefetch_related("answers")
        .order_by("submitted_at", "pk")
    )
    for attempt in attempts.iterator(chunk_size=1000):
        cells = [""] * len(questions)
        for answer in attempt.answers.all():
            order = attempt.option_order.get(str(answer.question_id), [])
            letters = [LETTERS[order.index(c)] for c in answer.choice_ids if c in order]
            marker = "" if answer.is_correct else " ✗"
            if answer.question_id in columns:
                cells[columns[answer.question_id]] = ", ".join(letters) + marker if letters else "—"
        sheet.append([
            attempt.pk, attempt.participant.full_name, attempt.participant.phone,
            _naive(attempt.submitted_at), round_duration(attempt.duration_ms), attempt.score,
            attempt.prediction, *cells,
        ])
    return _workbook_bytes(workbook)


def round_duration(duration_ms: int | None) -> float | None:
    return None if duration_ms is None else duration_ms / 1000


def ranking_export(round: ContestRound) -> bytes:
    workbook = Workbook()
    sheet = _sheet(workbook, "Xếp hạng", [
        "Hạng", "Họ và tên", "Số điện thoại", "Năm sinh", "Thôn / đơn vị", "Điểm", "Tối đa",
        "Dự đoán", "Chênh lệch dự đoán", "Thời gian (giây)", "Nộp lúc", "Giải gợi ý", "Giải đã trao",
    ], first=True)
    awarded = dict(round.winners.values_list("participant_id", "prize"))
    labels = dict(Winner.Prize.choices)
    for row in ranking_for_round(round):
        sheet.append([
            row.rank, row.full_name, row.phone, row.birth_year, row.place, row.score,
            row.max_score, row.prediction, row.distance, round_duration(row.duration_ms),
            _naive(row.submitted_at), row.prize, str(labels.get(awarded.get(row.participant_id), "")),
        ])
    sheet.append([])
    sheet.append([_("Số người trả lời đúng tất cả câu hỏi"), all_correct_count(round)])
    return _workbook_bytes(workbook)
