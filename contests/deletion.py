"""What may not be deleted in the admin, and why (in Vietnamese).

Entrants' attempts and answers point at rounds and questions with ``PROTECT``, judged entries
at their round: deleting a contest page (or a page above it), a round or an answered question
would fail with a server error, or lose people's results; deleting a scored criterion would
silently change the jury's averages. These checks run first (the hooks in
``contests.wagtail_hooks``) and turn the refusal into a message; a contest that is over is
unpublished, an answered question is set not “Đang dùng”.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import AttemptAnswer, ContestPage


def contest_pages_with_entries(page) -> list[ContestPage]:
    """The contests at or under ``page`` that people have already entered (quiz or judged)."""
    from .judging.models import Entry, Team

    pages = ContestPage.objects.descendant_of(page, inclusive=True)
    entered = set(pages.filter(rounds__attempts__isnull=False).values_list("pk", flat=True))
    entered |= set(Team.objects.filter(contest__in=pages).values_list("contest_id", flat=True))
    entered |= set(Entry.objects.filter(round__page__in=pages).values_list("round__page_id", flat=True))
    return list(ContestPage.objects.filter(pk__in=entered).order_by("title"))


def refuse_page_delete(request, pages):
    """A redirect with the reason, when any of ``pages`` holds an entered contest; else None."""
    blocked = [contest for page in pages for contest in contest_pages_with_entries(page)]
    if not blocked:
        return None
    messages.error(request, _(
        "Không xoá được: cuộc thi “%(title)s” đã có người (hoặc đội) dự thi. Hãy huỷ xuất bản "
        "trang thay vì xoá; dữ liệu cá nhân của người dự thi được xoá theo yêu cầu trong mục "
        "Kết quả cuộc thi."
    ) % {"title": blocked[0].title})
    return redirect("wagtailadmin_explore", pages[0].get_parent().pk)


def refuse_question_delete(request, questions):
    answered = set(
        AttemptAnswer.objects.filter(question__in=[q.pk for q in questions])
        .values_list("question_id", flat=True)
    )
    if not answered:
        return None
    first = next(q for q in questions if q.pk in answered)
    messages.error(request, _(
        "Không xoá được câu hỏi “%(text)s”: đã có người trả lời. Hãy bỏ chọn “Đang dùng” để "
        "câu hỏi không được rút vào lượt thi mới."
    ) % {"text": str(first)})
    return redirect(first.snippet_viewset.get_url_name("list"))


def refuse_criterion_delete(request, criteria):
    """The jury's scores hang on their criterion: deleting it would silently change averages
    and the ranking (even a published one)."""
    from .judging.models import Score

    scored = set(Score.objects.filter(criterion__in=[c.pk for c in criteria]).values_list("criterion_id", flat=True))
    if not scored:
        return None
    first = next(c for c in criteria if c.pk in scored)
    messages.error(request, _(
        "Không xoá được tiêu chí “%(name)s”: Ban giám khảo đã chấm điểm theo tiêu chí này."
    ) % {"name": first.name})
    return redirect(first.snippet_viewset.get_url_name("list"))


def contest_pages_with_records(page) -> list[ContestPage]:
    """The contests at or under ``page`` holding records stamped with their Site: a question
    bank, entrants, teams or criteria."""
    from .judging.models import Criterion, Team
    from .models import Participant, Question

    pages = ContestPage.objects.descendant_of(page, inclusive=True)
    held = set()
    for model in (Question, Participant, Team, Criterion):
        held |= set(model.objects.filter(contest__in=pages).values_list("contest_id", flat=True))
    return list(ContestPage.objects.filter(pk__in=held).order_by("title"))


def refuse_move_to_another_site(request, pages, destination):
    """A contest's bank, entrants and teams belong to its commune (their ``site``): the page
    does not move under another commune's site."""
    target = destination.get_site() if destination is not None else None
    for page in pages:
        if target is None or page.get_site() == target:
            continue
        held = contest_pages_with_records(page)
        if held:
            messages.error(request, _(
                "Không chuyển được cuộc thi “%(title)s” sang trang của xã khác: ngân hàng câu "
                "hỏi, người dự thi và đội thi của cuộc thi thuộc về xã hiện tại."
            ) % {"title": held[0].title})
            return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None
