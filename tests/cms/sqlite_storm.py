"""A heartbeat storm on the embedded default: run as a script by ``test_sqlite_concurrency``.

One process serves the site (``manage.py runserver``, threaded, as ``make run`` does) on an
SQLite file; this process runs the speaker simulator (every cluster heartbeating every
``--poll`` seconds) and, from several threads at once, editors saving and submitting bulletins
and approvers approving them through the admin views. It prints one JSON line: the status of
every editor request and of every device request.

``python tests/cms/sqlite_storm.py --clusters 100 --editors 3 --pages 3`` with
``DJANGO_SETTINGS_MODULE=tests.cms.storm_settings`` and ``DATABASE_URL`` of a migrated file.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.server import free_port, wait_for_server  # noqa: E402


def setup_data(*, clusters: int, editors: int, pages: int) -> dict:
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    from device_bridge.fleet.services import cluster_token_rotate
    from device_bridge.models import SpeakerCluster
    from tests.factories import build_site, make_bulletin
    from tests.workflows.helpers import make_user
    from workflows import roles
    from workflows.models import WorkflowRoute

    site = build_site()
    # One plain approval step for the news section: the storm is about the database, not
    # about which workflow the routing rules pick.
    WorkflowRoute.objects.all().delete()
    task = GroupApprovalTask.objects.create(name="Duyệt trong bão nhịp tim")
    task.groups.set(Group.objects.filter(name=roles.REVIEWER))
    workflow = Workflow.objects.create(name="Quy trình bão nhịp tim")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=site.news)
    approver = make_user("duyet-bao", roles.REVIEWER)
    writers = []
    for n in range(editors):
        editor = make_user(f"bientap-bao-{n}", roles.EDITOR)
        drafts = [
            make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"], publish=False,
                          owner=editor, slug=f"bao-{n}-{k}").pk
            for k in range(pages)
        ]
        writers.append({"user_id": editor.pk, "page_ids": drafts})
    fleet = []
    for n in range(clusters):
        cluster = SpeakerCluster.objects.create(code=f"bao-{n:03d}", name=f"Cụm bão {n}")
        fleet.append((cluster.code, cluster_token_rotate(cluster=cluster)))
    return {"approver_id": approver.pk, "writers": writers, "fleet": fleet,
            "category_id": site.categories["an-sinh-xa-hoi"].pk}


class EditorialLog:
    """Status of every editor and approver request, from all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.results: list[tuple[str, int]] = []
        self.errors: list[str] = []

    def record(self, action: str, response) -> None:
        ok = response.status_code in (200, 302)
        with self.lock:
            self.results.append((action, response.status_code))
            if not ok:
                # The test client keeps the exception of a 500 (raise_request_exception off).
                exc_info = getattr(response, "exc_info", None)
                reason = "".join(traceback.format_exception(*exc_info))[-800:] if exc_info else ""
                self.errors.append(f"{action}: HTTP {response.status_code} {reason}")

    def missing(self, action: str, reason: str) -> None:
        with self.lock:
            self.results.append((action, -1))
            self.errors.append(f"{action}: {reason}")

    def crash(self, action: str) -> None:
        with self.lock:
            self.results.append((action, 0))
            self.errors.append(f"{action}: {traceback.format_exc(limit=3)[-600:]}")


def editor_work(writer: dict, approver_id: int, category_id: int, log: EditorialLog) -> None:
    """Save each draft, submit it, approve it: the day of an information office."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from wagtail.models import Page

    from content_types.snippets import Category
    from tests.workflows.helpers import bulletin_form_data

    try:
        users = get_user_model().objects
        editor = Client(raise_request_exception=False)
        editor.force_login(users.get(pk=writer["user_id"]))
        approver = Client(raise_request_exception=False)
        approver.force_login(users.get(pk=approver_id))
        category = Category.objects.get(pk=category_id)
        for page_id in writer["page_ids"]:
            page = Page.objects.get(pk=page_id)
            edit = reverse("wagtailadmin_pages:edit", args=[page_id])
            response = None
            for action, extra in (("save", None), ("submit", "action-submit")):
                try:
                    response = editor.post(edit, bulletin_form_data(
                        category=category, slug=page.slug, title=f"{page.title} ({action})",
                        action=extra))
                    log.record(action, response)
                except Exception:  # noqa: BLE001 - counted as a failed request, with its trace
                    log.crash(action)
            state = Page.objects.get(pk=page_id).specific.current_workflow_task_state
            if state is None:
                # Say why: a 200 here is the edit form shown again with its errors.
                form = getattr(response, "context", None) and response.context.get("form")
                errors = form.errors.as_json() if form else ""
                status = getattr(response, "status_code", None)
                log.missing("approve", f"page {page_id} has no task to approve "
                                       f"(submit: HTTP {status} {errors[:300]})")
                continue
            url = reverse("wagtailadmin_pages:workflow_action", args=(page_id, "approve", state.pk))
            try:
                log.record("approve", approver.post(url, {"comment": ""}))
            except Exception:  # noqa: BLE001 - counted as a failed request, with its trace
                log.crash("approve")
    except Exception:  # noqa: BLE001 - a thread that could not even start its work
        log.crash("login")
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=100)
    parser.add_argument("--editors", type=int, default=3)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--poll", type=float, default=1.0, help="heartbeat interval of a cluster (s)")
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()

    import django

    django.setup()
    from device_bridge.fleet.simulator import run_fleet

    data = setup_data(clusters=args.clusters, editors=args.editors, pages=args.pages)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload",
         "--skip-checks"],
        cwd=ROOT, env=os.environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    fleet_result: dict = {}
    storm_on = threading.Event()
    editors_done = threading.Event()
    try:
        wait_for_server(url, path="/api/devices/v1/openapi.json", interval=0.2)

        def fleet():
            async def run():
                # Stop when the editors are done (checked every 0.1 s), at most after 120 s.
                return await run_fleet(
                    data["fleet"], server=url, duration=120, poll_interval=args.poll,
                    tick=args.poll, lean=True, max_connections=args.clusters,
                    stop_when=lambda sims: editors_done.is_set(),
                )

            storm_on.set()
            stats, _sims = asyncio.run(run())
            fleet_result.update(statuses=stats.statuses, errors=stats.errors[:5],
                                heartbeats=len(stats.latencies["heartbeat"]))

        fleet_thread = threading.Thread(target=fleet)
        fleet_thread.start()
        storm_on.wait()
        time.sleep(args.warmup)  # every cluster is heartbeating before the editors start
        log = EditorialLog()
        started = time.monotonic()
        threads = [threading.Thread(target=editor_work,
                                    args=(writer, data["approver_id"], data["category_id"], log))
                   for writer in data["writers"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        editorial_seconds = time.monotonic() - started
        editors_done.set()
        fleet_thread.join()
    finally:
        server.terminate()
        server.wait(10)
    print(json.dumps({
        "editorial": log.results, "editorial_errors": log.errors[:10],
        "editorial_seconds": round(editorial_seconds, 1), "fleet": fleet_result,
    }))


if __name__ == "__main__":
    main()
