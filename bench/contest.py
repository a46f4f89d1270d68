"""Quiz load: answer submissions per second and their p99 against one server process, and the
ranking of a round of 100,000 attempts (issue 11, Performance to reach).

One server process, the production server as ``bench/server.py`` starts it (gunicorn, one
gthread worker, ``BENCH_THREADS`` threads, DEBUG off, one database connection per thread kept
across requests), serves both the quiz API and a bare Django view that parses the same JSON body
and answers a small JSON document: the baseline measured in the same run, through the same
middleware. The load comes from one asyncio client in this process (a minimal keep-alive
HTTP/1.1 client, so that it takes little of the two cores it shares with the server):

- closed loop: ``CONCURRENCY`` clients submit back to back for ``SECONDS``: the sustained rate;
- open loop: submissions arrive at ``RATE`` per second over 32 connections whatever the server
  does: p99 at the goal's rate (a closed loop hides queueing behind its own waiting).

Each line also gives the CPU a request cost the server process (and PostgreSQL's backends),
which a busy machine inflates far less than it cuts the rates.

Then 100,000 submitted attempts (80,000 residents, some with two) are ranked with
``contests.selectors.ranking_for_round``, beside a plain ``ORDER BY`` of the same rows.
Run: ``.venv/bin/python bench/contest.py`` (about 3 minutes); ``BENCH_DATABASE_URL=postgresql://...``
runs both server and ranking on that database instead of the SQLite file (WAL, as
``env.SQLITE_OPTIONS``). Goals: >= 200 submissions/s, p99 < 200 ms, ranking 100,000 attempts < 1 s.
"""

import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port, gunicorn_start, gunicorn_stop, wait_for_server  # noqa: E402

if "BENCH_DB_DIR" not in os.environ:  # the server process inherits the bench's
    os.environ["BENCH_DB_DIR"] = tempfile.mkdtemp(prefix="ttcs-bench-contest-")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("TTS_ENGINE", "fake")

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
RATE = float(os.environ.get("BENCH_RATE", "200"))
OPEN_LOOP_CONNECTIONS = 32
# gunicorn's threads in the one server process (see bench/server.py's gunicorn_start).
THREADS = int(os.environ.get("BENCH_THREADS", "6"))
QUESTIONS_PER_ATTEMPT = 10
BANK = 40
RANKED_ATTEMPTS = 100_000
RANKED_PEOPLE = 80_000
API = "/api/contests/v1"
BARE = "/bench/bare-submit"


# --- the server's URLs: the site's own, plus the bare baseline ---------------------------------


def bare_submit(request):
    """The baseline: what any JSON POST costs in this stack, without the quiz."""
    import json

    from django.http import JsonResponse

    body = json.loads(request.body)
    return JsonResponse({"status": "submitted", "answers": len(body.get("answers", {}))})


def __getattr__(name):
    # ``ROOT_URLCONF = "bench.contest"`` in the server process only; built on first use so that
    # importing this script does not need Django set up.
    if name == "urlpatterns":
        from django.urls import include, path
        from django.views.decorators.csrf import csrf_exempt

        return [path(BARE.lstrip("/"), csrf_exempt(bare_submit)), path("", include("cms.urls"))]
    raise AttributeError(name)


def use_database() -> None:
    """``BENCH_DATABASE_URL`` (e.g. PostgreSQL) instead of the bench's SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        import dj_database_url
        from django.conf import settings

        settings.DATABASES = {"default": dj_database_url.parse(url)}


def application():
    """The server process's WSGI application (``gunicorn 'bench.contest:application()'``)."""
    from django.conf import settings

    use_database()
    # One connection per server thread, kept across requests, as production's DATABASE_URL
    # gives (``conn_max_age=60`` in cms/settings/env.py), but never recycled: a PostgreSQL
    # backend replaced during a loop would take its CPU time out of the bench's sums (one
    # reconnection a minute per thread is no measurable cost either way).
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    settings.ROOT_URLCONF = "bench.contest"
    # All the load comes from one address: the per-IP allowance would refuse it. The counter
    # is still incremented on every request, so its cost is measured.
    settings.CONTESTS_RATE_LIMITS = {"submit_ip": (10**9, 60)}
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# --- data ------------------------------------------------------------------------------------


def build_contest():
    import django

    use_database()
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from content_types.models import HomePage
    from contests.models import Choice, ContestIndexPage, ContestPage, ContestRound, Question

    call_command("migrate", verbosity=0)
    home = HomePage.objects.first()
    if home is None:
        call_command("seed_demo", stdout=open(os.devnull, "w"))
        home = HomePage.objects.first()
    index = ContestIndexPage.objects.first()
    if index is None:
        index = home.add_child(instance=ContestIndexPage(title="Cuộc thi", slug="cuoc-thi"))
    now = timezone.now()
    contest = ContestPage(title="Cuộc thi đo tải", slug=f"do-tai-{int(time.time())}")
    contest.rounds = [
        ContestRound(title="Đợt đo tải", starts_at=now - dt.timedelta(days=1),
                     ends_at=now + dt.timedelta(days=1), questions_per_attempt=QUESTIONS_PER_ATTEMPT,
                     time_limit_seconds=3600, attempts_per_phone=2),
    ]
    index.add_child(instance=contest)
    contest.save_revision().publish()
    for n in range(BANK):
        question = Question(contest=contest, text=f"Câu hỏi đo tải {n}?",
                            kind=Question.Kind.MULTIPLE if n % 5 == 0 else Question.Kind.SINGLE)
        question.choices = [Choice(text=f"Phương án {k}", is_correct=k == 0) for k in range(4)]
        question.save()
    return contest


def open_attempts(contest, count: int, *, offset: int) -> list[tuple[str, dict]]:
    """``count`` residents with an attempt each, started; their tokens and a submission body."""
    from django.utils import timezone

    from contests import services
    from contests.models import Attempt, Choice, Participant

    round = contest.rounds.get()
    site = contest.get_site()
    bank = list(contest.questions.values_list("id", flat=True))
    choices: dict[int, list[int]] = {}
    for question_id, choice_id in Choice.objects.filter(question_id__in=bank).values_list(
        "question_id", "id"
    ):
        choices.setdefault(question_id, []).append(choice_id)
    people = Participant.objects.bulk_create([
        Participant(site=site, contest=contest, full_name=f"Người dự thi {n}",
                    phone=f"09{n:08d}", birth_year=1980 + n % 30, unit=f"Tổ {n % 12}",
                    consent_rules=True, consent_personal_data=True)
        for n in range(offset, offset + count)
    ], batch_size=2000)
    now = timezone.now()
    attempts = []
    for person in people:
        drawn = random.sample(bank, QUESTIONS_PER_ATTEMPT)
        attempts.append(Attempt(
            site=site, participant=person, round=round, started_at=now,
            deadline=now + dt.timedelta(hours=1), question_ids=drawn,
            option_order={str(q): random.sample(choices[q], len(choices[q])) for q in drawn},
            max_score=QUESTIONS_PER_ATTEMPT,
        ))
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    bodies = []
    for attempt in Attempt.objects.filter(round=round, participant__in=people):
        answers = {q: [random.randrange(4)] for q in attempt.option_order}
        bodies.append((services.attempt_token_sign(attempt), {"answers": answers, "prediction": 42}))
    return bodies


# --- load ------------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON: the load generator.

    Not httpx: on this machine the client shares the server's two cores, and httpx spent about
    1.4 ms of CPU a request, more than the bare view costs the server; this costs a tenth of
    that. It reads the answers the server gives (``Content-Length`` bodies, as Django's
    CommonMiddleware sets them) and reconnects when the server closes the connection.
    """

    def __init__(self, url: str):
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.reader = self.writer = None

    async def post(self, path: str, body: dict) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.get_extra_info("socket").setsockopt(
                socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = json.dumps(body).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode() + data
        )
        head = (await self.reader.readuntil(b"\r\n\r\n")).lower()
        length = int(head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        await self.reader.readexactly(length)
        if b"connection: close" in head:
            self.close()
        return int(head[9:12])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def closed_loop(url: str, jobs: list, seconds: float, bare: bool) -> dict:
    latencies, statuses = [], {}
    deadline = time.perf_counter() + seconds
    queue = iter(jobs)

    async def worker(connection):
        while time.perf_counter() < deadline:
            job = next(queue, None)
            if job is None:
                return
            token, body = job
            path = BARE if bare else f"{API}/attempts/{token}/submit"
            started = time.perf_counter()
            status = await connection.post(path, body)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    connections = [Connection(url) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    wall = time.perf_counter() - started
    for connection in connections:
        connection.close()
    return {"rate": len(latencies) / wall, "latencies": latencies, "statuses": statuses}


async def open_loop(url: str, jobs: list, rate: float, seconds: float, bare: bool) -> dict:
    """Submissions due every 1/rate s. Workers pick the next due one; a job waiting for a free
    worker is late, and its latency counts from when it was due (no coordinated omission)."""
    latencies, statuses = [], {}
    count = int(rate * seconds)
    schedule = iter(range(count))

    async def worker(connection, start):
        for n in schedule:
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            token, body = jobs[n]
            path = BARE if bare else f"{API}/attempts/{token}/submit"
            status = await connection.post(path, body)
            latencies.append(time.perf_counter() - due)
            statuses[status] = statuses.get(status, 0) + 1

    connections = [Connection(url) for _ in range(OPEN_LOOP_CONNECTIONS)]
    start = time.perf_counter() + 0.2
    await asyncio.gather(*(worker(c, start) for c in connections))
    wall = time.perf_counter() - start
    for connection in connections:
        connection.close()
    return {"rate": count / wall, "latencies": latencies, "statuses": statuses}


# --- CPU per request: what the machine's load cannot inflate much --------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux ``/proc``); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server) -> dict[str, dict[int, float]]:
    """CPU used so far by the server process (gunicorn's master and its worker) and by the
    database backends serving it (PostgreSQL; SQLite runs inside the server process)."""
    from django.db import connection

    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    pids = [server.pid, *map(int, children.read_text().split())] if children.exists() else []
    backends = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                           " AND pid <> pg_backend_pid()")
            backends = [pid for (pid,) in cursor.fetchall()]
    return {"server": {pid: _cpu_seconds(pid) for pid in pids},
            "database": {pid: _cpu_seconds(pid) for pid in backends}}


def measured(server, run) -> dict:
    """``run()``'s result with the server's and the database's CPU ms per request added."""
    before = cpu_snapshot(server)
    result = asyncio.run(run())
    after = cpu_snapshot(server)
    count = len(result["latencies"]) or 1
    for part in ("server", "database"):
        used = sum(end - before[part].get(pid, 0.0) for pid, end in after[part].items())
        result[f"{part}_cpu_ms"] = used * 1000 / count
    return result


def pct(values, p) -> float:
    from device_bridge.fleet.simulator import percentile

    return percentile(values, p) * 1000


def report(label: str, result: dict) -> str:
    lat = result["latencies"]
    cpu = ""
    if "server_cpu_ms" in result:
        cpu = f"  CPU/req: server {result['server_cpu_ms']:.2f} ms"
        if result["database_cpu_ms"]:
            cpu += f", PostgreSQL {result['database_cpu_ms']:.2f} ms"
    return (f"{label:<26} {result['rate']:7.1f} req/s  p50 {pct(lat, 50):6.1f} ms  "
            f"p99 {pct(lat, 99):6.1f} ms  {result['statuses']}{cpu}")


# --- ranking ---------------------------------------------------------------------------------


def build_ranking_round(contest):
    """100,000 submitted attempts in a second round: 80,000 residents, 20,000 of them twice."""
    from django.db import connection
    from django.utils import timezone

    from contests.models import Attempt, ContestRound, Participant

    now = timezone.now()
    round = ContestRound.objects.create(
        page=contest, title="Đợt xếp hạng", starts_at=now - dt.timedelta(days=7),
        ends_at=now - dt.timedelta(hours=1), questions_per_attempt=QUESTIONS_PER_ATTEMPT,
        attempts_per_phone=2,
    )
    site = contest.get_site()
    first = Participant.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Participant.objects.bulk_create([
        Participant(site=site, contest=contest, full_name=f"Cư dân {n}", phone=f"03{n:08d}",
                    birth_year=1950 + n % 60, unit=f"Thôn {n % 15}", consent_rules=True,
                    consent_personal_data=True)
        for n in range(RANKED_PEOPLE)
    ], batch_size=5000)
    people = list(Participant.objects.filter(pk__gt=first).values_list("pk", flat=True))
    rng = random.Random(11)
    rows = []
    for n in range(RANKED_ATTEMPTS):
        person = people[n % RANKED_PEOPLE]
        score = min(QUESTIONS_PER_ATTEMPT, int(rng.betavariate(5, 2) * 11))
        submitted = round.starts_at + dt.timedelta(seconds=rng.randrange(6 * 86400))
        rows.append(Attempt(
            site=site, participant_id=person, round=round, started_at=submitted,
            deadline=submitted, submitted_at=submitted, question_ids=[], option_order={},
            score=score, max_score=QUESTIONS_PER_ATTEMPT,
            all_correct=score == QUESTIONS_PER_ATTEMPT,
            prediction=rng.randrange(0, 20000) if rng.random() > 0.05 else None,
            duration_ms=rng.randrange(30_000, 600_000),
        ))
    Attempt.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}", flush=True)
    return round


def time_best_of(fn, runs: int = 3) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def ranking_figures(contest) -> None:
    from contests.models import Attempt
    from contests.selectors import ranking_for_round

    started = time.perf_counter()
    round = build_ranking_round(contest)
    print(f"ranking: {RANKED_ATTEMPTS:,} attempts of {RANKED_PEOPLE:,} residents written in "
          f"{time.perf_counter() - started:.1f} s")
    from contests.selectors import ranking_queryset

    order, ids = time_best_of(lambda: list(ranking_queryset(round).values_list("id", flat=True)))
    full, rows = time_best_of(lambda: ranking_for_round(round))
    top, _ = time_best_of(lambda: ranking_for_round(round, limit=100))
    bare, plain = time_best_of(lambda: list(
        Attempt.objects.filter(round=round, submitted_at__isnull=False)
        .order_by("-score", "duration_ms", "submitted_at", "id")
        .values_list("id", "participant_id", "participant__full_name", "participant__phone",
                     "score", "prediction", "duration_ms", "submitted_at")
    ))
    assert len(rows) == len(ids) == RANKED_PEOPLE and len(plain) == RANKED_ATTEMPTS
    print(f"ranking order alone (window query, {len(ids):,} attempt ids best first): "
          f"{order * 1000:8.1f} ms (goal < 1000 ms: {'met' if order < 1 else 'NOT met'})")
    print(f"ranking_for_round, whole ranking as Python rows ({len(rows):,}): {full * 1000:8.1f} ms")
    print(f"ranking_for_round, first 100:                {top * 1000:8.1f} ms")
    print(f"bare ORDER BY of the same {RANKED_ATTEMPTS:,} attempts (no window, no best-of):"
          f" {bare * 1000:8.1f} ms")


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    contest = build_contest()
    # Enough for a closed loop of up to 1,000 submissions/s, then the open loop.
    needed = int(SECONDS * 1000 + RATE * SECONDS * 1.1) + 500
    jobs = open_attempts(contest, needed, offset=0)
    print(f"{len(jobs):,} open attempts of {QUESTIONS_PER_ATTEMPT} questions ready", flush=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = gunicorn_start("bench.contest:application()", port, threads=THREADS, cwd=ROOT, env=env)
    try:
        wait_for_server(url, path=f"{API}/openapi.json")
        print("server up", flush=True)
        bare_jobs = [("", body) for _token, body in jobs[:50]] * 10_000
        asyncio.run(closed_loop(url, bare_jobs, 2, bare=True))  # warm both
        asyncio.run(closed_loop(url, jobs[:200], 0.5, bare=False))
        cursor = 200
        bare_closed = measured(server, lambda: closed_loop(url, bare_jobs, SECONDS, bare=True))
        print(report("(closed) bare", bare_closed), flush=True)
        quiz_closed = measured(server, lambda: closed_loop(url, jobs[cursor:], SECONDS, bare=False))
        print(report("(closed) submission", quiz_closed), flush=True)
        cursor += sum(quiz_closed["statuses"].values())
        bare_open = measured(server, lambda: open_loop(url, bare_jobs, RATE, SECONDS, bare=True))
        print(report("(open) bare", bare_open), flush=True)
        quiz_open = measured(server, lambda: open_loop(url, jobs[cursor:], RATE, SECONDS, bare=False))
        print(report("(open) submission", quiz_open), flush=True)
    finally:
        gunicorn_stop(server)
    # Bare view and submission share the client, the concurrency, the server process and its
    # middleware; what they cannot share is a machine other work is also using.
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"warning: load average {load:.1f} on {os.cpu_count()} cores: other processes "
              "competed for the CPU; the figures are low (the bare view's say by how much)")
    print(f"one server process, {CONCURRENCY} concurrent clients (closed loop, {SECONDS:.0f} s):")
    print("  " + report("bare Django JSON view", bare_closed))
    print("  " + report("answer submission (API)", quiz_closed))
    print(f"  submission / bare: {quiz_closed['rate'] / bare_closed['rate']:.2f}x")
    # The CPU a submission costs says what a quiet machine would sustain: the server process
    # runs Python on one core at a time (the GIL), PostgreSQL's backends on the other.
    per_core = 1000 / quiz_closed["server_cpu_ms"]
    print(f"  at {quiz_closed['server_cpu_ms']:.2f} ms of server CPU a submission, one core "
          f"serves {per_core:.0f} submissions/s")
    print(f"open loop at {RATE:.0f} submissions/s for {SECONDS:.0f} s:")
    print("  " + report("bare Django JSON view", bare_open))
    print("  " + report("answer submission (API)", quiz_open))
    met = quiz_closed["rate"] >= 200 and pct(quiz_open["latencies"], 99) < 200 and set(
        quiz_open["statuses"]) == {200}
    print(f"goal (>= 200 submissions/s sustained, p99 < 200 ms at 200/s): "
          f"{'met' if met else 'NOT met'}", flush=True)
    ranking_figures(contest)
    print(f"(median submission latency, closed loop: "
          f"{statistics.median(quiz_closed['latencies']) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
