"""The technician's and editor's admin: clusters and tokens, dispatch progress, calendar."""

import re

from django.contrib.auth.models import Permission
from django.test import Client

from device_bridge.models import Delivery, SpeakerCluster
from tests.factories import make_bulletin

TOKEN_RE = re.compile(r'id="cluster-token"[^>]*value="([^"]+)"')


def schedule_status(token):
    return Client().get("/api/devices/v1/schedule", HTTP_AUTHORIZATION=f"Bearer {token}").status_code




def test_technician_registers_a_cluster_and_sees_its_token_once(dev_site, dev_technician):
    zone = dev_site.zones["thon-dong"]
    response = dev_technician.post("/admin/device_bridge/speakercluster/create/", {
        "code": "cl-moi", "name": "Cụm loa nhà văn hoá", "zone": zone.pk, "is_active": "on",
        "vendor": "VNPT", "sim_number": "0912345678", "carrier": "Viettel",
        "plan_started_on": "2026-11-01", "plan_free_until": "2028-11-01",
    })
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = TOKEN_RE.search(response.content.decode()).group(1)
    cluster = SpeakerCluster.objects.get(code="cl-moi")
    assert token.split(".", 1)[1] not in cluster.token_hash
    assert schedule_status(token) == 200
    # Not shown again anywhere.
    edit = dev_technician.get(f"/admin/device_bridge/speakercluster/edit/{cluster.pk}/")
    detail = dev_technician.get(f"/admin/device-bridge/clusters/{cluster.pk}/")
    assert token not in edit.content.decode() and token not in detail.content.decode()


def test_rotate_and_revoke_from_the_admin(cluster_fleet, dev_technician):
    cluster = cluster_fleet[0]
    confirm = dev_technician.get(f"/admin/device-bridge/clusters/{cluster.pk}/token/rotate/")
    assert confirm.status_code == 200 and schedule_status(cluster.token) == 200
    rotated = dev_technician.post(f"/admin/device-bridge/clusters/{cluster.pk}/token/rotate/")
    new_token = TOKEN_RE.search(rotated.content.decode()).group(1)
    assert schedule_status(cluster.token) == 401 and schedule_status(new_token) == 200
    dev_technician.post(f"/admin/device-bridge/clusters/{cluster.pk}/token/revoke/")
    assert schedule_status(new_token) == 401


def test_cluster_list_flags_a_cluster_without_zone(cluster_fleet, dev_technician):
    SpeakerCluster.objects.filter(code="cl-doai-1").update(zone=None)
    html = dev_technician.get("/admin/device_bridge/speakercluster/").content.decode()
    assert "Chưa gán thôn" in html and "cl-dong-1" in html


def test_cluster_detail_sends_a_volume_command(cluster_fleet, dev_technician):
    cluster = cluster_fleet[0]
    dev_technician.post(f"/admin/device-bridge/clusters/{cluster.pk}/", {"kind": "set_volume", "volume": "40"})
    assert cluster.commands.get().payload == {"volume": 40}
    bad = dev_technician.post(f"/admin/device-bridge/clusters/{cluster.pk}/",
                              {"kind": "set_volume", "volume": "400"}, follow=True)
    assert "Âm lượng phải từ 0 đến 100" in bad.content.decode()


def test_schedule_template_form_explains_a_template_with_no_slot(db, dev_technician):
    response = dev_technician.post("/admin/device_bridge/scheduletemplate/create/", {
        "name": "Sai giờ", "times": "sáu giờ", "days": 1, "window_minutes": 60, "emergency_repeat": 3,
    })
    assert response.status_code == 200
    assert "không đúng dạng HH:MM" in response.content.decode()


def test_dispatch_report_shows_progress_warnings_and_resend(
    dev_site, cluster_fleet, dev_audio, dev_technician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    record = dev_audio.add(page, send_signal=False)
    record.file.storage.delete(record.file.name)
    from device_bridge import services

    with django_capture_on_commit_callbacks(execute=True):
        services.page_audio_ready(page=page)
    html = dev_technician.get(f"/admin/device-bridge/pages/{page.pk}/dispatches/").content.decode()
    assert "không có trong kho lưu trữ" in html
    assert "Gửi lại" in html and 'role="progressbar"' in html
    failed = Delivery.objects.filter(status="failed").first()
    with django_capture_on_commit_callbacks(execute=True):
        from device_bridge.tts.services import speech_render

        speech_render(audio=record, force=True)  # the technician re-renders the audio
        response = dev_technician.post(f"/admin/device-bridge/deliveries/{failed.pk}/resend/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "scheduled"


def test_bulletin_edit_page_links_to_dispatch_progress(dev_site, admin_client):
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    html = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert f"/admin/device-bridge/pages/{page.pk}/dispatches/" in html


def test_calendar_shows_the_week_of_a_zone(dev_site, cluster_fleet, dev_audio, dev_technician,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             title="Lịch tiêm chủng tháng 12")
        dev_audio.add(page)
    zone = dev_site.zones["thon-dong"]
    html = dev_technician.get(f"/admin/device-bridge/calendar/?zone={zone.pk}").content.decode()
    assert "Lịch tiêm chủng tháng 12" in html
    assert dev_technician.get("/admin/device-bridge/calendar/?zone=none").status_code == 200


def test_views_need_device_bridge_permissions(dev_site, cluster_fleet, django_user_model):
    user = django_user_model.objects.create_user("bientap", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)
    cluster = cluster_fleet[0]
    for url in ("/admin/device-bridge/calendar/", f"/admin/device-bridge/clusters/{cluster.pk}/",
                f"/admin/device-bridge/pages/{dev_site.news.pk}/dispatches/"):
        assert client.get(url).status_code in (302, 403), url
    assert client.post(f"/admin/device-bridge/clusters/{cluster.pk}/token/rotate/").status_code in (302, 403)
    assert schedule_status(cluster.token) == 200
