"""The statements of an answer submission, as SQL built once per process (issue 11).

Submissions all arrive in a round's last minute, and through the ORM compiling the attempt
read, the answer key and the write cost more CPU than running them. Here each statement is
built once from the models' metadata (table and column names only, values always as
parameters), and the attempt's columns go through the same converters the ORM applies, so
``attempt_by_token`` returns the ``Attempt`` the ORM would build. ``contests.services`` is the
only caller: the rules (who may submit, grading) stay there.
"""

from __future__ import annotations

import json
import uuid
from functools import cache

from django.db import connections, transaction

from .models import Attempt, AttemptAnswer, Choice, ContestRound, Participant, Question


def _columns(model, alias: str, connection) -> tuple[str, list]:
    """``alias.col, ...`` for the model's concrete fields, and each column's converters."""
    quote = connection.ops.quote_name
    sql, converters = [], []
    for field in model._meta.concrete_fields:
        sql.append(f"{alias}.{quote(field.column)}")
        col = field.get_col(alias)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        converters.append((found, col))
    return ", ".join(sql), converters


@cache
def _attempt_select(alias: str, with_participant: bool) -> tuple[str, list]:
    """The attempt with its round (and participant): SQL and, per model, its converters."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    joined = [(Attempt, "a"), (ContestRound, "r")] + ([(Participant, "p")] if with_participant else [])
    selects, models = [], []
    for model, table_alias in joined:
        sql, converters = _columns(model, table_alias, connection)
        selects.append(sql)
        models.append((model, [f.attname for f in model._meta.concrete_fields], converters))
    attempt = Attempt._meta
    sql = (
        f"SELECT {', '.join(selects)} FROM {quote(attempt.db_table)} a"
        f" INNER JOIN {quote(ContestRound._meta.db_table)} r"
        f" ON r.{quote('id')} = a.{quote(attempt.get_field('round').column)}"
    )
    if with_participant:
        sql += (
            f" INNER JOIN {quote(Participant._meta.db_table)} p"
            f" ON p.{quote('id')} = a.{quote(attempt.get_field('participant').column)}"
        )
    sql += f" WHERE a.{quote(attempt.get_field('token').column)} = %s LIMIT 1"
    return sql, models


def attempt_by_token(token: str, *, with_participant: bool) -> Attempt | None:
    """The attempt whose token is ``token`` (32 hex digits), its round (and participant) set."""
    alias = Attempt.objects.db
    connection = connections[alias]
    sql, models = _attempt_select(alias, with_participant)
    param = Attempt._meta.get_field("token").get_db_prep_value(uuid.UUID(token), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for model, attnames, converters in models:
        values = list(row[start:start + len(attnames)])
        start += len(attnames)
        for index, (functions, col) in enumerate(converters):
            for convert in functions:
                values[index] = convert(values[index], col, connection)
        instances.append(model.from_db(alias, attnames, values))
    attempt = instances[0]
    Attempt._meta.get_field("round").set_cached_value(attempt, instances[1])
    if with_participant:
        Attempt._meta.get_field("participant").set_cached_value(attempt, instances[2])
    return attempt


def answer_key_rows(question_ids: list[int]) -> list[tuple[int, str, int | None, bool | None]]:
    """(question id, kind, choice id, is correct) for every choice of the questions; a question
    without choices gives one row with ``None`` for both."""
    if not question_ids:
        return []
    connection = connections[Question.objects.db]
    quote = connection.ops.quote_name
    question, choice = quote(Question._meta.db_table), quote(Choice._meta.db_table)
    sql = (
        f"SELECT q.{quote('id')}, q.{quote('kind')}, c.{quote('id')}, c.{quote('is_correct')}"
        f" FROM {question} q LEFT OUTER JOIN {choice} c ON c.{quote('question_id')} = q.{quote('id')}"
        f" WHERE q.{quote('id')} IN ({', '.join(['%s'] * len(question_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(q) for q in question_ids])
        return cursor.fetchall()


_UPDATED = ("submitted_at", "score", "max_score", "all_correct", "prediction", "duration_ms")


@cache
def _record_sql(alias: str) -> tuple[str, str]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    attempt, answer = Attempt._meta, AttemptAnswer._meta
    sets = ", ".join(f"{quote(attempt.get_field(name).column)} = %s" for name in _UPDATED)
    submitted = quote(attempt.get_field("submitted_at").column)
    update = (
        f"UPDATE {quote(attempt.db_table)} SET {sets}"
        f" WHERE {quote('id')} = %s AND {submitted} IS NULL"
    )
    columns = ", ".join(
        quote(answer.get_field(name).column)
        for name in ("attempt", "question", "choice_ids", "is_correct")
    )
    if connection.vendor == "postgresql":
        # One statement, so one round trip and its own transaction (no BEGIN, no COMMIT): the
        # answers are inserted only for the row the conditional UPDATE changed, and the count
        # says whether it changed one (a racing second submission waits for the first's row
        # lock, then finds ``submitted_at`` set and changes none).
        return (
            f"WITH submitted AS ({update} RETURNING {quote('id')}),"
            f" answers AS (INSERT INTO {quote(answer.db_table)} ({columns})"
            f" SELECT submitted.{quote('id')}, a.question_id, a.choice_ids, a.is_correct"
            " FROM submitted, unnest(%s::bigint[], %s::jsonb[], %s::boolean[])"
            " AS a(question_id, choice_ids, is_correct))"
            " SELECT count(*) FROM submitted"
        ), ""
    # SQLite: the UPDATE and one INSERT run for every answer, in the caller's transaction.
    return update, f"INSERT INTO {quote(answer.db_table)} ({columns}) VALUES (%s, %s, %s, %s)"


def attempt_record(*, attempt_id: int, fields: dict, answers: list[tuple[int, list[int], bool]]) -> bool:
    """Write the graded attempt and its answers unless it was already submitted; True if written.

    ``fields`` holds the attempt's new ``_UPDATED`` values; ``answers`` (question id, chosen
    choice ids, is correct) rows.
    """
    alias = Attempt.objects.db
    connection = connections[alias]
    first, insert = _record_sql(alias)
    attempt = Attempt._meta
    values = [attempt.get_field(name).get_db_prep_save(fields[name], connection) for name in _UPDATED]
    if connection.vendor == "postgresql":
        # The JSON as text in a text array cast to jsonb[] (the field's own adapter wraps a
        # single value, not an array's elements): the same json.dumps the field would use.
        params = [*values, attempt_id, [q for q, _c, _ok in answers],
                  [json.dumps(c) for _q, c, _ok in answers], [ok for _q, _c, ok in answers]]
        with connection.cursor() as cursor:
            cursor.execute(first, params)
            return cursor.fetchone()[0] == 1
    answer = AttemptAnswer._meta
    prep = [answer.get_field(name) for name in ("choice_ids", "is_correct")]
    rows = [
        [attempt_id, question_id, prep[0].get_db_prep_save(chosen, connection),
         prep[1].get_db_prep_save(is_correct, connection)]
        for question_id, chosen, is_correct in answers
    ]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(first, [*values, attempt_id])
        if cursor.rowcount != 1:
            return False
        if rows:
            cursor.executemany(insert, rows)
    return True
