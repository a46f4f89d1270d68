"""The dashboard alert for live content whose audio or delivery is stuck, and its retry."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from content_types.models import Priority
from device_bridge.models import Delivery
from device_bridge.tts.models import PageAudio, SpeechAudio
from device_bridge.tts.tasks import render_broadcast
from tests.factories import make_bulletin
from tests.workflows.helpers import make_user
from workflows import roles


@pytest.fixture
def failing_engine(settings):
    settings.TTS_FALLBACK = False
    settings.TTS_ENGINES = {**settings.TTS_ENGINES, "fake": {
        "CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {"FAIL": True}}}
    return settings


@pytest.fixture
def people(db):
    return {
        "editor": make_user("bientap-canh-bao", roles.EDITOR),
        "reviewer": make_user("duyet-canh-bao", roles.REVIEWER),
        "technician": make_user("kythuat-canh-bao", roles.TECHNICIAN),
    }


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def assert_refused(response):
    # Wagtail answers an admin view's PermissionDenied with a message and the dashboard.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")
        assert "quyền" in str(list(response.wsgi_request._messages)[0])


def emergency(dev_site, capture):
    with capture(execute=True):
        return make_bulletin(dev_site.news, category=dev_site.categories["phong-chong-thien-tai"],
                             priority=Priority.EMERGENCY, title="Cảnh báo lũ quét khẩn cấp")


def test_dashboard_alerts_a_live_emergency_whose_render_failed_and_retry_airs_it(
    dev_site, cluster_fleet, dev_audio, people, failing_engine, django_capture_on_commit_callbacks
):
    # Regression (issue 8, item 5): an emergency bulletin stayed live with no audio and
    # nothing in the admin said so or offered a retry.
    page = emergency(dev_site, django_capture_on_commit_callbacks)
    render_broadcast(page.pk, page.live_revision_id)
    editor = client_for(people["editor"])
    html = editor.get(reverse("wagtailadmin_home")).content.decode()
    assert "Tin đang phát bị kẹt" in html and "Cảnh báo lũ quét khẩn cấp" in html
    assert "Tạo âm thanh phát thanh thất bại" in html and "Hệ thống sẽ tự thử lại lúc" in html
    retry_url = reverse("device_bridge_admin:alert_retry", args=[page.pk])
    assert retry_url in html

    failing_engine.TTS_ENGINES = {**failing_engine.TTS_ENGINES, "fake": {
        "CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {}}}
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(retry_url)
    assert response.status_code == 302
    link = PageAudio.objects.get(page_id=page.pk, purpose=PageAudio.Purpose.BROADCAST)
    assert link.audio.status == SpeechAudio.Status.READY
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}
    assert "Tin đang phát bị kẹt" not in editor.get(reverse("wagtailadmin_home")).content.decode()


def test_audio_never_made_and_waiting_deliveries_alert_after_the_threshold(
    dev_site, cluster_fleet, dev_audio, people, django_capture_on_commit_callbacks
):
    page = emergency(dev_site, django_capture_on_commit_callbacks)  # the render task was lost
    technician = client_for(people["technician"])
    assert "Tin đang phát bị kẹt" not in technician.get(reverse("wagtailadmin_home")).content.decode()

    long_ago = timezone.now() - dt.timedelta(minutes=25)
    type(page).objects.filter(pk=page.pk).update(last_published_at=long_ago)
    Delivery.objects.filter(dispatch__page_id=page.pk).update(created_at=long_ago)
    html = technician.get(reverse("wagtailadmin_home")).content.decode()
    assert "chưa có âm thanh phát thanh" in html
    assert "3 lượt gửi tới cụm loa đang chờ âm thanh quá 10 phút" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = technician.post(reverse("device_bridge_admin:alert_retry", args=[page.pk]))
    assert response.status_code == 302
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}


def test_failed_deliveries_alert_and_only_who_may_resend_resends_them(
    dev_site, cluster_fleet, dev_audio, people, django_capture_on_commit_callbacks
):
    page = emergency(dev_site, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    failed = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers").first()
    Delivery.objects.filter(pk=failed.pk).update(
        status=Delivery.Status.FAILED, last_error="Cụm loa từ chối lịch", finished_at=timezone.now())
    retry_url = reverse("device_bridge_admin:alert_retry", args=[page.pk])

    reviewer = client_for(people["reviewer"])
    html = reviewer.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 lượt gửi thất bại" in html and "Cụm loa từ chối lịch" in html
    assert retry_url not in html  # may follow progress, may not resend
    assert_refused(reviewer.post(retry_url))
    editor = client_for(people["editor"])
    assert_refused(editor.post(retry_url))  # the audio is fine; resending is technical
    assert Delivery.objects.get(pk=failed.pk).status == Delivery.Status.FAILED

    forged = client_for(people["technician"], enforce_csrf_checks=True)
    assert forged.post(retry_url).status_code == 403
    assert Client().post(retry_url).status_code == 302  # anonymous: to the login page
    assert Delivery.objects.get(pk=failed.pk).status == Delivery.Status.FAILED

    technician = client_for(people["technician"])
    assert technician.get(retry_url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert technician.post(retry_url).status_code == 302
    assert Delivery.objects.get(pk=failed.pk).status == Delivery.Status.SCHEDULED


def test_audio_panel_offers_retry_for_a_failed_broadcast_render(
    dev_site, cluster_fleet, dev_audio, people, failing_engine, django_capture_on_commit_callbacks
):
    # Regression (issue 8, item 5): the editor's audio panel showed only the latest request
    # (here the preview of the next draft, ready) and offered no retry for the live
    # bulletin's failed broadcast render.
    from device_bridge.tts import services as tts

    page = emergency(dev_site, django_capture_on_commit_callbacks)
    render_broadcast(page.pk, page.live_revision_id)
    failing_engine.TTS_ENGINES = {**failing_engine.TTS_ENGINES, "fake": {
        "CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {}}}
    page.radio_text = "Lũ quét đã rút, bà con chú ý an toàn khi trở về nhà."
    draft = page.save_revision(user=people["editor"])
    preview = tts.page_audio_request(page=page, revision=draft, purpose=PageAudio.Purpose.PREVIEW)
    assert tts.speech_render(audio=preview).status == SpeechAudio.Status.READY

    editor = client_for(people["editor"])
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    html = editor.get(edit_url).content.decode()
    assert 'data-broadcast-state="failed"' in html
    assert "tạo âm thanh phát thanh thất bại" in html
    retry_url = reverse("device_bridge_admin:alert_retry", args=[page.pk])
    assert f'formaction="{retry_url}?next=' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(f"{retry_url}?next={edit_url}", {"next": "/admin/pages/"})
    assert response.status_code == 302 and response.url == edit_url
    assert "data-broadcast-state" not in editor.get(edit_url).content.decode()
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}


def test_deliveries_left_waiting_for_ready_audio_are_woken_by_retry(
    dev_site, cluster_fleet, dev_audio, people, django_capture_on_commit_callbacks
):
    page = emergency(dev_site, django_capture_on_commit_callbacks)
    dev_audio.add(page, send_signal=False)  # ready, but the announcement was lost
    Delivery.objects.filter(dispatch__page_id=page.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=15))
    editor = client_for(people["editor"])
    html = editor.get(reverse("wagtailadmin_home")).content.decode()
    assert "3 lượt gửi tới cụm loa đang chờ âm thanh quá 10 phút" in html
    assert "chưa có âm thanh phát thanh" not in html
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("device_bridge_admin:alert_retry", args=[page.pk]))
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}


def test_restricted_bulletin_alert_is_shown_only_to_who_may_see_the_page(
    dev_site, cluster_fleet, dev_audio, people, failing_engine, django_capture_on_commit_callbacks
):
    from wagtail.models import PageViewRestriction

    page = emergency(dev_site, django_capture_on_commit_callbacks)
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="bi-mat")
    render_broadcast(page.pk, page.live_revision_id)
    home = reverse("wagtailadmin_home")
    assert "Cảnh báo lũ quét khẩn cấp" in client_for(people["editor"]).get(home).content.decode()
    reviewer = client_for(people["reviewer"])
    assert "Cảnh báo lũ quét khẩn cấp" not in reviewer.get(home).content.decode()
    response = reviewer.post(reverse("device_bridge_admin:alert_retry", args=[page.pk]))
    assert_refused(response)
    assert "Cảnh báo lũ quét" not in str(list(response.wsgi_request._messages))
