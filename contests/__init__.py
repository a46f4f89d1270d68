"""Contests (cuộc thi): online quiz contests, moderated like bulletins (issue 11).

Interface for the other parts of the app (API, exports, bench, judged competitions):

Models (``contests.models``)
    ``ContestIndexPage``  page under ``HomePage``; lists contests.
    ``ContestPage``       page under ``ContestIndexPage``; ``kind`` ("trac_nghiem" quiz /
                          "hoi_thi" judged), ``intro``, ``image``, ``organiser``, ``rules``
                          (rich text). Rounds: ``page.rounds``. Moderated (normal workflow via
                          the page tree). Site of a page: ``page.get_site()``.
    ``ContestRound``      Orderable, ``ParentalKey(ContestPage, related_name="rounds")``:
                          ``title``, ``starts_at``, ``ends_at``, ``questions_per_attempt``,
                          ``time_limit_seconds``, ``attempts_per_phone`` (default 1),
                          ``prizes_first/second/third/consolation``, ``results_published``,
                          ``results`` (rich text). ``round.is_open(now)``.
    ``Question``          ClusterableModel snippet: ``site``, ``contest`` (FK ContestPage,
                          related_name="questions"), ``text``, ``kind`` ("mot"/"nhieu"),
                          ``image``, ``explanation``, ``active``; ``question.choices``.
    ``Choice``            ``ParentalKey(Question, related_name="choices")``: ``text``,
                          ``is_correct``, ``sort_order``.
    ``Participant``       ``site``, ``contest``, ``full_name``, ``phone`` (normalised
                          "0xxxxxxxxx", unique per contest), ``birth_year``, ``zone`` (FK
                          content_types.Zone, nullable), ``unit`` (free text), ``place``
                          (property), ``consent_rules``, ``consent_personal_data``,
                          ``created_at``, ``ip_hash``.
    ``Attempt``           ``site``, ``participant``, ``round``, ``token`` (uuid), ``started_at``,
                          ``deadline``, ``submitted_at`` (null while open), ``question_ids``
                          (list), ``option_order`` ({"<question id>": [choice ids]}),
                          ``score``, ``max_score``, ``all_correct``, ``prediction``,
                          ``duration_ms``. DB: one open attempt per (round, participant).
    ``AttemptAnswer``     ``attempt`` (related_name="answers"), ``question``, ``choice_ids``,
                          ``is_correct``.

Services (``contests.services``; keyword-only; refusals raise ``ContestError`` subclasses
whose ``message`` is Vietnamese and ``code`` a stable string for the API)
    ``phone_normalise(raw) -> str``                      raises ``InvalidPhone``
    ``participant_register(*, contest, full_name, phone, birth_year, zone=None, unit="",
        consent_rules, consent_personal_data, ip=None) -> Participant``  (get-or-update by phone)
    ``attempt_start(*, participant, round, now=None) -> Attempt``  draws N of M active questions,
        shuffles options; refuses closed rounds, attempt limits, a second open attempt
        (an open unexpired attempt is returned instead of a new one)
    ``attempt_token_sign(attempt) -> str`` / ``attempt_from_token(signed, *, max_age=None)
        -> Attempt``  (django.core.signing; raises ``BadToken``)
    ``attempt_questions(attempt) -> list[dict]``  what the player may see: id, number, text,
        kind, multiple, image (Image or None), options [{key (0-based position), label ("A"),
        text}] in the attempt's shuffled order; never correctness, never choice ids (their
        creation order could betray the correct option)
    ``attempt_submit(*, attempt, answers: dict[int, list[int]], prediction, now=None)
        -> Attempt``  ``answers`` = {question id: [chosen positions as shown]}; grades on the
        server; refuses late (deadline + grace ``CONTESTS_SUBMIT_GRACE_SECONDS``, default 5 s;
        round end), resubmitted (conditional UPDATE: races record once), foreign question ids
        or positions, several positions on a single-choice question
    ``round_check_open(round, now)``  raises ``RoundNotOpen`` / ``RoundClosed``
    ``attempt_review(attempt) -> list[dict]``  after submission: chosen, correct, explanation
    ``participant_erase(*, participant) -> None``  deletes personal data on request
    ``ranking_for_round(round, *, limit=None) -> list[RankingRow]``  (from selectors):
        best attempt per participant; score desc, |prediction - all-correct count| asc,
        duration asc, submitted_at asc, one query (RowNumber window). Row fields: rank,
        attempt_id, participant_id, full_name, phone, masked_phone, place, birth_year, score,
        max_score, prediction, distance, duration_ms, submitted_at, prize (suggested by the
        round's prize counts). ``selectors.ranking_queryset(round)`` for paging/exports,
        ``selectors.all_correct_count(round) -> int``, ``selectors.entries(round)``.
    Errors: ``ContestError`` (``message``, ``code``, ``status``) and subclasses InvalidPhone,
    RoundNotOpen, RoundClosed, AttemptLimitReached, AttemptExpired, AlreadySubmitted, BadToken,
    BadAnswer, NoQuestions. Expired attempts are closed with ``timed_out=True`` (no entry).
Demo: ``contests.demo.seed_demo_contest(site) -> ContestPage`` (idempotent).

Site URLs (routes of ``ContestPage``): ``dang-ky/`` (register + start), ``lam-bai/<signed>/``
(answer, submit), ``ket-qua/<signed>/`` (result), ``xep-hang/<round id>/`` (published ranking; for a judged
contest the teams' weighted totals, once the round has closed, ``judging.selectors.public_results``).
Admin scoping to the request's Site: ``contests.admin_scope``; refused deletes and moves:
``contests.deletion``; images in the bank's Excel file: ``contests.bank_images``.
"""
