"""Judged competitions (hội thi) between information officers or units (issue 11, item 6).

App label ``judging``; it only adds to a ``contests.ContestPage`` whose ``kind`` is "hoi_thi".

Models (``contests.judging.models``, each with a ``Site`` FK taken from the contest)
    ``Team``       contest, name (once per contest: ``name_key``), unit, members,
                   contact_phone, contact_email, registered_at, token_hash (SHA-256 of the
                   secret submission token; the token itself is never stored).
    ``Entry``      team, round (``ContestRound``), kind text/file/audio/video, title, text,
                   file, audio (private files), video_url, submitted_at; one per team per round.
    ``Criterion``  contest, name, description, weight, max_score, sort_order.
    ``Score``      entry, criterion, juror, value (0..max_score), comment; one per
                   (entry, criterion, juror). No viewset, API or admin lists it.

Services (``contests.judging.services``; refusals are ``contests.services.ContestError``s)
    ``team_register(*, contest, name, unit, members, contact_phone, contact_email="", ip=None)
        -> (Team, token)``;  ``team_token_rotate(*, team) -> token``;
    ``team_from_token(token) -> Team | None``;
    ``entry_submit(*, team, round, kind, title, text="", file=None, audio=None, video_url="",
        now=None) -> Entry``  (round open only; once per round);
    ``scores_record(*, entry, juror, values={criterion id: (value, comment)}, now=None)``
        (jurors only, round open only, the juror's own rows only).
Selectors (``contests.judging.selectors``)
    ``juror_scores(entry, juror)``, ``juror_progress_for_contest(contest, juror)``: own rows;
    ``round_results(round, now=None) -> list[ResultRow]``: refuses (``ResultsNotYet``) before
    the round's end; averages per criterion, total = Σ weight × average, rank with tie-breaks
    (heaviest criterion's average, then earlier submission).

URLs: public ``/hoi-thi/<page id>/dang-ky/`` and ``/hoi-thi/nop-bai/<token>/`` (namespace
``judging``); admin ``/admin/hoi-thi/…`` (namespace ``judging_admin``). See docs/contests.md.
"""
