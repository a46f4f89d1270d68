"""Fixtures of the device bridge tests (prefixed ``dev_`` / ``cluster_``)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from device_bridge.fleet.services import cluster_token_rotate
from device_bridge.models import ScheduleTemplate, SpeakerCluster
from tests.factories import build_site, make_bulletin


@pytest.fixture
def dev_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def dev_site(db, dev_media, dev_tts_fake):
    site = build_site()
    site.template = ScheduleTemplate.objects.create(
        name="Ba buổi mỗi ngày", times="06:00, 11:00, 17:00", days=2, is_default=True
    )
    return site


@pytest.fixture
def cluster_fleet(dev_site):
    """Three clusters: two in Thôn Đông, one in Thôn Đoài, each with a fresh token."""
    east, west = dev_site.zones["thon-dong"], dev_site.zones["thon-doai"]
    clusters = []
    for code, zone in [("cl-dong-1", east), ("cl-dong-2", east), ("cl-doai-1", west)]:
        cluster = SpeakerCluster.objects.create(code=code, name=f"Cụm {code}", zone=zone)
        cluster.token = cluster_token_rotate(cluster=cluster)
        clusters.append(cluster)
    return clusters


class AudioStore:
    """Audio made by the speech pipeline's own services (fake engine: no network).

    Automatic rendering on approval is switched off so each test decides when audio becomes
    ready; ``add`` renders it, and with ``send_signal`` announces it like the pipeline does.
    """

    def add(self, page, *, send_signal: bool = True):
        from device_bridge.tts import services as tts
        from device_bridge.tts.models import PageAudio

        page = page.specific
        if send_signal:
            return tts.page_broadcast_render(page=page)
        audio = tts.page_audio_request(page=page, purpose=PageAudio.Purpose.BROADCAST)
        return tts.speech_render(audio=audio)


@pytest.fixture
def dev_tts_fake(settings):
    settings.TTS_ENGINE = "fake"
    return settings


@pytest.fixture
def dev_audio(dev_tts_fake, dev_media):
    from device_bridge.tts.receivers import render_on_approval
    from workflows.events import content_approved

    content_approved.disconnect(dispatch_uid="tts.render_on_approval")
    yield AudioStore()
    content_approved.connect(render_on_approval, dispatch_uid="tts.render_on_approval")


def local(day: dt.date, hhmm: str) -> dt.datetime:
    from django.utils import timezone

    return dt.datetime.combine(day, dt.datetime.strptime(hhmm, "%H:%M").time(),
                               timezone.get_current_timezone())


def auth(token):
    """The header a cluster sends with its token."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def dev_scheduled(dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
        dev_audio.add(page)
    return page


@pytest.fixture
def dev_technician(db, django_user_model):
    """A user holding exactly the device_bridge permissions (what the Kỹ thuật viên role gets)."""
    group = Group.objects.create(name="Kỹ thuật viên (thử)")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          *Permission.objects.filter(content_type__app_label="device_bridge"))
    user = django_user_model.objects.create_user("kythuat", password="x")
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client
