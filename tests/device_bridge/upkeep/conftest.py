"""Fixtures of the upkeep tests: a site, clusters, plans, and users of each role."""

import datetime as dt

import pytest
from wagtail.models import Page, Site

from device_bridge.models import SpeakerCluster
from device_bridge.upkeep.models import DataPlan
from tests.factories import build_site
from tests.workflows.helpers import make_user
from workflows import roles


@pytest.fixture
def upkeep_site(db):
    return build_site()


@pytest.fixture
def other_site(upkeep_site):
    """A second commune on the same installation (host "xa-khac.example")."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=Page(title="Xã Khác", slug="xa-khac"))
    return Site.objects.create(hostname="xa-khac.example", port=80, root_page=home,
                               site_name="Xã Khác")


@pytest.fixture
def make_cluster(upkeep_site):
    def make(code, **fields):
        fields.setdefault("zone", upkeep_site.zones["thon-dong"])
        return SpeakerCluster.objects.create(code=code, name=f"Cụm {code}", **fields)

    return make


@pytest.fixture
def make_plan(make_cluster):
    def make(code, *, site=None, fee=50_000, free_until=None, **cluster_fields):
        cluster = make_cluster(code, **cluster_fields)
        plan = DataPlan(site=site or Site.objects.get(is_default_site=True), cluster=cluster,
                        carrier="Viettel", sim_number=f"0980{cluster.pk:06d}",
                        monthly_fee_vnd=fee, free_until=free_until)
        plan.full_clean()
        plan.save()
        return plan

    return make


@pytest.fixture
def technician(upkeep_site):
    return make_user("kythuat", roles.TECHNICIAN)


@pytest.fixture
def economic(upkeep_site):
    return make_user("kinhte", roles.ECONOMIC)


@pytest.fixture
def editor(upkeep_site):
    return make_user("bientap", roles.EDITOR)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
