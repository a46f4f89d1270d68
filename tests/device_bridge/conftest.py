"""Fixtures of the device bridge tests (prefixed ``dev_`` / ``cluster_``)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from device_bridge.fleet.services import cluster_token_rotate
from device_bridge.models import ScheduleTemplate, SpeakerCluster
from device_bridge.tts.signals import audio_ready
from tests.device_bridge.audio_helpers import mp3_bytes, sha256_hex
from tests.factories import build_site


@pytest.fixture
def dev_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def dev_site(db, dev_media):
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
    """Stands in for the speech pipeline's read contract until its model is present."""

    def __init__(self):
        self.by_page = {}

    def add(self, page, *, seconds: float = 1.0, send_signal: bool = True):
        data = mp3_bytes(seconds)
        name = default_storage.save(f"tts/test/page-{page.pk}.mp3", ContentFile(data))
        record = SimpleNamespace(
            file=SimpleNamespace(name=name, storage=default_storage),
            sha256=sha256_hex(data), size_bytes=len(data), duration_seconds=seconds,
            engine="test", data=data,
        )
        self.by_page[page.pk] = record
        if send_signal:
            audio_ready.send(sender=type(page), page=page, audio=record)
        return record

    def get(self, page):
        return self.by_page.get(page.pk)


@pytest.fixture
def dev_audio(monkeypatch, dev_media):
    store = AudioStore()
    monkeypatch.setattr("device_bridge.channels.speakers._audio_for_page", store.get)
    return store


def local(day: dt.date, hhmm: str) -> dt.datetime:
    from django.utils import timezone

    return dt.datetime.combine(day, dt.datetime.strptime(hhmm, "%H:%M").time(),
                               timezone.get_current_timezone())
