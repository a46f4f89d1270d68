"""The upkeep lists run a fixed number of queries whatever the number of clusters and tickets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from device_bridge.upkeep.models import DataPlanFee, FaultTicket

from .conftest import d

PAGES = [("upkeep_admin:budget", {"year": "2027"}), ("upkeep_admin:clusters", {}),
         ("upkeep_plans:index", {}), ("upkeep_faults:index", {}), ("wagtailadmin_home", {})]


def _add(make_plan, start, count):
    for n in range(start, start + count):
        plan = make_plan(f"cl-{n:02d}", free_until=d("2026-06-30"), warranty_until=timezone.localdate())
        DataPlanFee.objects.create(plan=plan, effective_from=d("2027-03-01"), monthly_fee_vnd=70_000)
        FaultTicket.objects.create(site=plan.site, cluster=plan.cluster, symptom=f"Sự cố {n}",
                                   opened_at=timezone.now())


@pytest.mark.parametrize(("name", "query"), PAGES)
def test_list_pages_run_the_same_queries_for_2_and_8_clusters(client, technician, make_plan,
                                                              name, query):
    client.force_login(technician)
    _add(make_plan, 0, 2)
    url = reverse(name)
    client.get(url, query)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    _add(make_plan, 2, 6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, query).status_code == 200
    assert len(many) == len(few), name
