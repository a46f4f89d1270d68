"""Who sees upkeep: technicians manage it, Phòng Kinh tế reads the budget estimate only, editors
see none of it, and nobody reaches another commune's records."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from device_bridge.upkeep.models import DataPlan, FaultTicket
from tests.workflows.helpers import make_user
from workflows import roles

from .conftest import d

MANAGE = ["upkeep_admin:clusters", "upkeep_plans:index", "upkeep_faults:index", "upkeep_plans:add",
          "upkeep_faults:add"]


@pytest.fixture
def plan(make_plan):
    today = timezone.localdate()
    plan = make_plan("cl-quyen", free_until=today + dt.timedelta(days=20),
                     warranty_until=today + dt.timedelta(days=10))
    FaultTicket.objects.create(site=plan.site, cluster=plan.cluster, symptom="Mất tiếng",
                               opened_at=timezone.now())
    return plan


def _object_urls(plan):
    ticket = FaultTicket.objects.get(cluster=plan.cluster)
    return [reverse("upkeep_plans:edit", args=[plan.pk]), reverse("upkeep_plans:delete", args=[plan.pk]),
            reverse("upkeep_plans:history", args=[plan.pk]),
            reverse("upkeep_faults:edit", args=[ticket.pk]),
            reverse("upkeep_admin:cluster_history", args=[plan.cluster_id])]


def test_the_roles_hold_the_upkeep_permissions_their_work_needs(upkeep_site):
    technician = Group.objects.get(name=roles.TECHNICIAN)
    economic = Group.objects.get(name=roles.ECONOMIC)
    editor = Group.objects.get(name=roles.EDITOR)
    assert technician.permissions.filter(content_type__app_label="upkeep", codename__in=[
        "add_dataplan", "change_dataplan", "add_faultticket", "change_faultticket", "view_budget",
    ]).count() == 5
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in economic.permissions.all()) == [
        "upkeep.view_budget", "wagtailadmin.access_admin"]
    assert not editor.permissions.filter(content_type__app_label="upkeep").exists()


def test_technician_manages_upkeep_and_sees_the_dashboard_panel(client, technician, plan):
    client.force_login(technician)
    for name in MANAGE:
        assert client.get(reverse(name)).status_code == 200, name
    for url in _object_urls(plan):
        assert client.get(url).status_code == 200, url
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    warranty_end = plan.cluster.warranty_until
    assert "upkeep-status" in dashboard
    assert f"Hết bảo hành ngày {warranty_end:%d/%m/%Y}" in dashboard
    assert 'data-days-left="10"' in dashboard and 'data-days-left="21"' in dashboard
    assert "Mất tiếng" in dashboard


def test_economic_department_reads_the_budget_and_nothing_else(client, economic, plan):
    client.force_login(economic)
    assert client.get(reverse("upkeep_admin:budget")).status_code == 200
    for name in MANAGE:
        assert client.get(reverse(name)).status_code in (302, 403), name
    for url in _object_urls(plan):
        assert client.get(url).status_code in (302, 403), url
    forged = client.post(reverse("upkeep_plans:edit", args=[plan.pk]), {"monthly_fee_vnd": "1"})
    assert forged.status_code in (302, 403)
    plan.refresh_from_db()
    assert plan.monthly_fee_vnd == 50_000
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "upkeep-status" not in dashboard
    # The budget page names clusters without linking to screens the role cannot open.
    budget = client.get(reverse("upkeep_admin:budget"), {"year": "2027"}).content.decode()
    assert "cl-quyen" in budget
    assert reverse("upkeep_admin:cluster_history", args=[plan.cluster_id]) not in budget


def test_editor_sees_none_of_it(client, editor, plan):
    client.force_login(editor)
    for name in [*MANAGE, "upkeep_admin:budget"]:
        assert client.get(reverse(name)).status_code in (302, 403), name
    assert client.get(reverse("upkeep_admin:budget"), {"format": "xlsx"}).status_code in (302, 403)
    for url in _object_urls(plan):
        assert client.get(url).status_code in (302, 403), url
    deleted = client.post(reverse("upkeep_plans:delete", args=[plan.pk]))
    assert deleted.status_code in (302, 403)
    assert DataPlan.objects.filter(pk=plan.pk).exists()
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Bảo trì cụm loa" not in menu and "upkeep-status" not in menu


def test_another_communes_records_are_out_of_reach(client, technician, plan, other_site, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "xa-khac.example"]
    client.force_login(technician)
    host = {"HTTP_HOST": "xa-khac.example"}
    listing = client.get(reverse("upkeep_plans:index"), **host)
    assert listing.status_code == 200 and "cl-quyen" not in listing.content.decode()
    assert "Mất tiếng" not in client.get(reverse("upkeep_faults:index"), **host).content.decode()
    assert "cl-quyen" not in client.get(reverse("upkeep_admin:clusters"), **host).content.decode()
    for url in _object_urls(plan):
        assert client.get(url, **host).status_code == 404, url
    forged = client.post(reverse("upkeep_plans:edit", args=[plan.pk]),
                         {"cluster": plan.cluster_id, "monthly_fee_vnd": "1", "carrier": "X",
                          "sim_number": "1", "free_until": "2030-01-01"}, **host)
    assert forged.status_code == 404
    assert client.post(reverse("upkeep_plans:delete", args=[plan.pk]), **host).status_code == 404
    plan.refresh_from_db()
    assert (plan.monthly_fee_vnd, plan.carrier) == (50_000, "Viettel")
    budget = client.get(reverse("upkeep_admin:budget"), {"year": "2027"}, **host).content.decode()
    assert "cl-quyen" not in budget


def test_a_plan_made_on_a_site_belongs_to_that_site(client, technician, make_cluster, other_site,
                                                    settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "xa-khac.example"]
    cluster = make_cluster("cl-moi", installed_on=d("2025-05-10"), carrier="MobiFone",
                           sim_number="0901234567")
    client.force_login(technician)
    response = client.post(reverse("upkeep_plans:add"), {
        "cluster": cluster.pk, "carrier": "", "sim_number": "", "monthly_fee_vnd": "45000",
        "free_until": "", "note": "", "fees-TOTAL_FORMS": "0", "fees-INITIAL_FORMS": "0",
        "fees-MIN_NUM_FORMS": "0", "fees-MAX_NUM_FORMS": "1000",
    }, HTTP_HOST="xa-khac.example")
    assert response.status_code == 302
    plan = DataPlan.objects.get()
    assert plan.site == other_site
    # Left blank: carrier and SIM from the cluster, free for two years from installation.
    assert (plan.carrier, plan.sim_number, plan.free_until) == ("MobiFone", "0901234567",
                                                               d("2027-05-10"))


def test_a_plan_form_with_a_bad_fee_says_why_and_saves_nothing(client, technician, make_cluster):
    cluster = make_cluster("cl-sai")
    client.force_login(technician)
    response = client.post(reverse("upkeep_plans:add"), {
        "cluster": cluster.pk, "carrier": "Viettel", "sim_number": "098", "monthly_fee_vnd": "-1",
        "free_until": "", "note": "", "fees-TOTAL_FORMS": "0", "fees-INITIAL_FORMS": "0",
        "fees-MIN_NUM_FORMS": "0", "fees-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 200
    assert not DataPlan.objects.exists()


def test_administrator_role_holds_upkeep_too(client, plan):
    client.force_login(make_user("quantri", roles.ADMINISTRATOR))
    assert client.get(reverse("upkeep_plans:index")).status_code == 200
    assert client.get(reverse("upkeep_admin:budget")).status_code == 200
