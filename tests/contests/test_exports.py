"""The question bank as Excel (issue 11, item 2): export, import round trip, row-level
Vietnamese errors, nothing imported when any row is bad; the organisers' lists."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from contests import exports, services
from contests.exports import BANK_COLUMNS, BankImportError, bank_export, bank_import
from contests.models import Choice, Question

from .builders import correct_positions, make_contest

pytestmark = pytest.mark.django_db


def sheet_bytes(rows, headers=BANK_COLUMNS) -> bytes:
    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(text="Luật Tiếp cận thông tin có hiệu lực năm nào?", kind="Một đáp án", options=("2018", "2016"),
        correct="A", qid=None, explanation="", active="có"):
    options = list(options) + [""] * (8 - len(options))
    return [qid, text, kind, *options, correct, explanation, active]


def test_export_lists_every_question_with_its_correct_letters(site_tree):
    contest = make_contest(site_tree.home, questions=3, multiple_every=3)
    sheet = load_workbook(io.BytesIO(bank_export(contest))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == BANK_COLUMNS
    assert len(rows) == 4
    first = dict(zip(BANK_COLUMNS, rows[1], strict=True))
    assert first["Câu hỏi"] == "Câu hỏi số 1 về thông tin cơ sở?"
    assert (first["Phương án A"], first["Đáp án đúng"], first["Loại"]) == ("Phương án 1.1", "A", "Một đáp án")
    third = dict(zip(BANK_COLUMNS, rows[3], strict=True))
    assert (third["Đáp án đúng"], third["Loại"]) == ("A, C", "Nhiều đáp án")


def test_round_trip_updates_in_place_and_adds_new_rows(site_tree):
    contest = make_contest(site_tree.home, questions=2)
    original_choice_ids = set(Choice.objects.values_list("id", flat=True))
    workbook = load_workbook(io.BytesIO(bank_export(contest)))
    sheet = workbook.active
    sheet["B2"] = "Câu hỏi đã sửa?"
    sheet.append(row(text="Câu hỏi mới về loa truyền thanh?", kind="Nhiều đáp án",
                     options=("Loa có dây", "Loa không dây", "Tivi"), correct="A, B"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = bank_import(contest=contest, data=buffer.getvalue())
    assert (report.created, report.updated) == (1, 2)
    assert Question.objects.filter(contest=contest).count() == 3
    assert Question.objects.filter(text="Câu hỏi đã sửa?").exists()
    # Existing options are rewritten in place: past answers keep pointing at them.
    assert original_choice_ids <= set(Choice.objects.values_list("id", flat=True))
    new = Question.objects.get(text__startswith="Câu hỏi mới")
    assert new.kind == Question.Kind.MULTIPLE and new.site == contest.get_site()
    assert [c.is_correct for c in new.choices.order_by("sort_order")] == [True, True, False]


def test_bad_rows_name_row_column_and_reason_and_nothing_is_imported(site_tree):
    contest = make_contest(site_tree.home, questions=1)
    data = sheet_bytes([
        row(),  # good
        row(text=""),
        row(correct="C"),
        row(kind="Tự luận"),
        row(correct="A, B"),
        row(qid=987654),
        row(options=("Chỉ một",)),
    ])
    with pytest.raises(BankImportError) as caught:
        bank_import(contest=contest, data=data)
    messages = [str(e) for e in caught.value.errors]
    assert "Dòng 3, cột “Câu hỏi”: thiếu nội dung câu hỏi." in messages
    assert "Dòng 4, cột “Đáp án đúng”: “C” không phải một phương án có nội dung của câu này." in messages
    assert any(m.startswith("Dòng 5, cột “Loại”") for m in messages)
    assert "Dòng 6, cột “Đáp án đúng”: câu một đáp án chỉ được có một đáp án đúng." in messages
    assert "Dòng 7, cột “Mã câu hỏi”: không có câu hỏi mã 987654 trong cuộc thi này." in messages
    assert "Dòng 8, cột “Phương án B”: cần ít nhất 2 phương án." in messages
    assert Question.objects.filter(contest=contest).count() == 1  # the good row was not imported


def test_a_file_that_is_not_excel_or_lacks_headers_is_refused(site_tree):
    contest = make_contest(site_tree.home, questions=1)
    with pytest.raises(BankImportError) as caught:
        bank_import(contest=contest, data=b"not a spreadsheet")
    assert "không phải bảng tính Excel" in str(caught.value.errors[0])
    with pytest.raises(BankImportError) as caught:
        bank_import(contest=contest, data=sheet_bytes([["x"]], headers=["Câu hỏi"]))
    assert "Dòng 1, cột “Đáp án đúng”" in str(caught.value.errors[0])


def test_answered_question_keeps_its_number_of_options(site_tree):
    contest = make_contest(site_tree.home, questions=1, per_attempt=1)
    participant = services.participant_register(
        contest=contest, full_name="Lê Văn Cường", phone="0911222333", birth_year=1970,
        unit="Thôn Nam", consent_rules=True, consent_personal_data=True,
    )
    attempt = services.attempt_start(participant=participant, round=contest.rounds.get())
    services.attempt_submit(attempt=attempt, answers=correct_positions(attempt), prediction=1)
    question = Question.objects.get()
    with pytest.raises(BankImportError) as caught:
        bank_import(contest=contest, data=sheet_bytes([row(qid=question.pk)]))
    assert "đã có người trả lời" in str(caught.value.errors[0])


def test_organiser_lists_hold_participants_answers_and_ranking(site_tree):
    contest = make_contest(site_tree.home, questions=3, per_attempt=3)
    round = contest.rounds.get()
    for n, phone in enumerate(["0911000001", "0911000002"]):
        participant = services.participant_register(
            contest=contest, full_name=f"Người {n}", phone=phone, birth_year=1980, unit="Tổ 1",
            consent_rules=True, consent_personal_data=True,
        )
        attempt = services.attempt_start(participant=participant, round=round)
        answers = correct_positions(attempt) if n == 0 else {}
        services.attempt_submit(attempt=attempt, answers=answers, prediction=n)
    people = list(load_workbook(io.BytesIO(exports.participants_export(contest))).active.values)
    assert [r[1:3] for r in people[1:]] == [("Người 0", "0911000001"), ("Người 1", "0911000002")]
    answers = list(load_workbook(io.BytesIO(exports.answers_export(round))).active.values)
    assert len(answers) == 3 and answers[1][5] == 3
    ranking = list(load_workbook(io.BytesIO(exports.ranking_export(round))).active.values)
    assert [r[:2] for r in ranking[1:3]] == [(1, "Người 0"), (2, "Người 1")]
    assert ranking[1][11] == "Giải Nhất"
    assert ranking[-1] == ("Số người trả lời đúng tất cả câu hỏi", 1) + (None,) * 11
