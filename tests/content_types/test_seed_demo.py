import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from content_types.models import BulletinPage, CampaignPage, HomePage, Priority
from content_types.snippets import Category, Zone

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "pages": sorted(Page.objects.values_list("url_path", "live")),
        "revisions": Revision.objects.count(),
        "categories": sorted(Category.objects.values_list("slug", flat=True)),
        "zones": sorted(Zone.objects.values_list("code", flat=True)),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "site_root": Site.objects.get(is_default_site=True).root_page_id,
    }


def test_seed_demo_twice_gives_the_same_site():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == first


def test_seed_demo_builds_the_commune_site():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert BulletinPage.objects.live().count() >= 12
    assert CampaignPage.objects.live().count() == 2
    assert set(BulletinPage.objects.values_list("priority", flat=True)) == set(Priority.values)
    assert BulletinPage.objects.values("category").distinct().count() == Category.objects.count() == 8
    assert Zone.objects.count() >= 5
    assert "Phòng chống thiên tai" in Category.objects.values_list("name", flat=True)
    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert users["admin"].is_superuser
    assert {g.name for g in users["duyet"].groups.all()} == {"Người duyệt", "Lãnh đạo UBND"}
    assert {g.name for g in users["bientap"].groups.all()} == {"Biên tập viên"}
    assert {g.name for g in users["kythuat"].groups.all()} == {"Kỹ thuật viên"}
    # Wagtail's placeholder welcome page is gone.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()


def test_seeded_site_renders(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert client.get("/").status_code == 200
    for page in BulletinPage.objects.live()[:3]:
        assert client.get(page.url).status_code == 200
