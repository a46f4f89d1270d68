"""A zone (thôn) that bulletins or clusters use is never deleted: deactivate or merge it."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from content_types.models import BulletinPage
from content_types.snippets import Zone
from device_bridge.models import DistributionRule, SpeakerCluster
from tests.factories import build_site, make_bulletin


@pytest.fixture
def zone_site(db):
    site = build_site()
    site.east = site.zones["thon-dong"]
    site.bulletin = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"],
                                  zones=[site.east], title="Lịch cắt điện thôn Đông")
    site.cluster = SpeakerCluster.objects.create(code="cl-dong-1", name="Cụm đầu thôn", zone=site.east)
    return site


def delete_url(zone):
    return f"/admin/snippets/content_types/zone/delete/{zone.pk}/"


def test_a_script_cannot_delete_a_zone_in_use(zone_site):
    # Regression (issue 8 item 8): deleting the zone silently turned its bulletins into
    # commune-wide ones and unzoned its clusters.
    east = zone_site.east
    with pytest.raises(ProtectedError) as err, transaction.atomic():
        Zone.objects.get(pk=east.pk).delete()
    message = str(err.value)
    assert "Không xoá được thôn “Thôn Đông”" in message
    assert "“Lịch cắt điện thôn Đông”" in message and "cl-dong-1" in message
    with pytest.raises(ProtectedError), transaction.atomic():
        Zone.objects.filter(code="thon-dong").delete()
    assert list(zone_site.bulletin.zones.all()) == [east]
    zone_site.cluster.refresh_from_db()
    assert zone_site.cluster.zone_id == east.pk


def test_a_zone_only_a_distribution_rule_uses_is_protected_too(zone_site):
    west = zone_site.zones["thon-doai"]
    rule = DistributionRule.objects.create(name="Tin thôn Đoài", channels="website")
    rule.zones.add(west)
    with pytest.raises(ProtectedError) as err, transaction.atomic():
        west.delete()
    assert "“Tin thôn Đoài”" in str(err.value)


def test_an_unused_zone_can_be_deleted(zone_site):
    spare = Zone.objects.create(code="thon-moi", name="Thôn Mới")
    spare.delete()
    assert not Zone.objects.filter(code="thon-moi").exists()


def test_admin_delete_page_lists_the_uses_and_refuses(zone_site, admin_client):
    east = zone_site.east
    page = admin_client.get(delete_url(east)).content.decode()
    assert "Không xoá được thôn" in page and "Lịch cắt điện thôn Đông" in page
    assert "Ngừng sử dụng thôn này" in page and "Gộp thôn" in page
    refused = admin_client.post(delete_url(east))
    assert "Không xoá được thôn" in refused.content.decode()
    bulk = admin_client.get(f"/admin/bulk/content_types/zone/delete/?id={east.pk}")
    assert "Không xoá được thôn" in bulk.content.decode()
    assert admin_client.post(f"/admin/bulk/content_types/zone/delete/?id={east.pk}").status_code == 200
    assert Zone.objects.filter(pk=east.pk).exists()


def test_deactivated_zone_is_hidden_from_new_content_but_kept_where_used(zone_site, admin_client):
    east = zone_site.east
    response = admin_client.post(f"/admin/content/zones/{east.pk}/deactivate/")
    assert response.status_code == 302
    east.refresh_from_db()
    assert not east.is_active
    add = admin_client.get(
        f"/admin/pages/add/content_types/bulletinpage/{zone_site.news.pk}/").content.decode()
    west = zone_site.zones["thon-doai"]
    assert f'name="zones" value="{west.pk}"' in add
    assert f'name="zones" value="{east.pk}"' not in add
    edit = admin_client.get(f"/admin/pages/{zone_site.bulletin.pk}/edit/").content.decode()
    assert f'name="zones" value="{east.pk}"' in edit
    chooser = admin_client.get("/admin/snippets/choose/content_types/zone/").json()["html"]
    assert "Thôn Đoài" in chooser and "Thôn Đông" not in chooser
    forged = admin_client.post("/admin/device_bridge/speakercluster/create/",
                               {"code": "cl-moi", "name": "Cụm mới", "zone": east.pk, "is_active": "on"})
    assert forged.status_code == 200 and not SpeakerCluster.objects.filter(code="cl-moi").exists()
    cluster_edit = admin_client.get(
        f"/admin/device_bridge/speakercluster/edit/{zone_site.cluster.pk}/").content.decode()
    assert f'name="zone" value="{east.pk}"' in cluster_edit
    news = admin_client.get(zone_site.news.url).content.decode()
    assert '<option value="thon-doai"' in news and '<option value="thon-dong"' not in news


def test_merging_moves_every_use_then_deletes_the_zone(zone_site, admin_client):
    east, west = zone_site.east, zone_site.zones["thon-doai"]
    both = make_bulletin(zone_site.news, category=zone_site.categories["an-sinh-xa-hoi"],
                         zones=[east, west])
    response = admin_client.post(f"/admin/content/zones/{east.pk}/merge/", {"target": west.pk})
    assert response.status_code == 302
    assert not Zone.objects.filter(pk=east.pk).exists()
    assert list(zone_site.bulletin.zones.all()) == [west]
    assert list(both.zones.all()) == [west]
    zone_site.cluster.refresh_from_db()
    assert zone_site.cluster.zone_id == west.pk


def test_merge_refuses_a_bad_target_and_needs_permission(zone_site, admin_client, django_user_model):
    east = zone_site.east
    admin_client.post(f"/admin/content/zones/{east.pk}/merge/", {"target": east.pk})
    admin_client.post(f"/admin/content/zones/{east.pk}/merge/", {"target": "x"})
    assert Zone.objects.filter(pk=east.pk).exists()
    from django.contrib.auth.models import Permission
    from django.test import Client

    editor = django_user_model.objects.create_user("bientap", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(editor)
    west = zone_site.zones["thon-doai"]
    # Wagtail turns a PermissionDenied in an admin view into a redirect with a message.
    assert client.post(f"/admin/content/zones/{east.pk}/merge/", {"target": west.pk}).status_code in (302, 403)
    assert client.post(f"/admin/content/zones/{east.pk}/deactivate/").status_code in (302, 403)
    assert Zone.objects.get(pk=east.pk).is_active


def test_a_zone_named_only_in_a_draft_is_protected_and_merged_there_too(zone_site):
    # Publishing a draft that names a deleted zone silently drops it (commune-wide audience).
    west = zone_site.zones["thon-doai"]
    spare = Zone.objects.create(code="thon-moi", name="Thôn Mới")
    page = make_bulletin(zone_site.news, category=zone_site.categories["an-sinh-xa-hoi"],
                         title="Tin đang sửa")
    page.zones = [spare]
    draft = page.save_revision()
    with pytest.raises(ProtectedError) as err, transaction.atomic():
        spare.delete()
    assert "“Tin đang sửa”" in str(err.value)

    from content_types.services import zone_merge

    zone_merge(source=spare, target=west)
    draft.refresh_from_db()
    draft.publish()
    assert list(BulletinPage.objects.get(pk=page.pk).zones.all()) == [west]
