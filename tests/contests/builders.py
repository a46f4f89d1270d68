"""Focused builders for contest tests: a contest page with one round and a small bank."""

import datetime as dt

from django.utils import timezone

from contests.models import Choice, ContestIndexPage, ContestPage, ContestRound, Question


def make_contest(home, *, questions=6, per_attempt=4, time_limit=300, attempts=1,
                 starts=None, ends=None, multiple_every=0, slug="thi-thu") -> ContestPage:
    """A live quiz with one open round; the first option made of each question is right (and
    of every ``multiple_every``-th question, the third too). Option texts do not tell."""
    index = ContestIndexPage.objects.child_of(home).first()
    if index is None:
        index = ContestIndexPage(title="Cuộc thi", slug="cuoc-thi", show_in_menus=True)
        home.add_child(instance=index)
    now = timezone.now()
    contest = ContestPage(
        title="Cuộc thi tìm hiểu thông tin cơ sở", slug=slug,
        intro="Tìm hiểu kế hoạch thông tin cơ sở năm 2026.",
        rules="<p>Mỗi số điện thoại được thi một lượt.</p>",
    )
    contest.rounds = [
        ContestRound(
            title="Đợt 1", starts_at=starts or now - dt.timedelta(days=1),
            ends_at=ends or now + dt.timedelta(days=7), questions_per_attempt=per_attempt,
            time_limit_seconds=time_limit, attempts_per_phone=attempts,
        )
    ]
    index.add_child(instance=contest)
    contest.save_revision().publish()
    contest.refresh_from_db()
    for n in range(1, questions + 1):
        multiple = bool(multiple_every) and n % multiple_every == 0
        question = Question(
            contest=contest, text=f"Câu hỏi số {n} về thông tin cơ sở?",
            kind=Question.Kind.MULTIPLE if multiple else Question.Kind.SINGLE,
            explanation=f"Giải thích câu {n}.",
        )
        question.choices = [
            Choice(text=f"Phương án {n}.1", is_correct=True),
            Choice(text=f"Phương án {n}.2"),
            Choice(text=f"Phương án {n}.3", is_correct=multiple),
            Choice(text=f"Phương án {n}.4"),
        ]
        question.save()
    return contest


def correct_positions(attempt) -> dict[int, list[int]]:
    """The right answer of every drawn question, as positions (what a perfect player sends)."""
    right = set(Choice.objects.filter(is_correct=True).values_list("id", flat=True))
    return {
        int(q): [pos for pos, cid in enumerate(order) if cid in right]
        for q, order in attempt.option_order.items()
    }


def wrong_positions(attempt) -> dict[int, list[int]]:
    right = set(Choice.objects.filter(is_correct=True).values_list("id", flat=True))
    return {
        int(q): [next(pos for pos, cid in enumerate(order) if cid not in right)]
        for q, order in attempt.option_order.items()
    }
