"""A broadcast render that fails is retried with backoff; lost renders are re-requested."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from content_types.models import Priority
from device_bridge.models import Delivery, ScheduleItem
from device_bridge.tts import services as tts
from device_bridge.tts.engines.fake import FakeEngine
from device_bridge.tts.exceptions import EngineUnavailable
from device_bridge.tts.models import PageAudio, SpeechAudio
from tests.factories import make_bulletin


@pytest.fixture
def flaky_engine(monkeypatch):
    """The fake engine, failing the first ``failures[0]`` calls with ``failures[1]``."""
    FakeEngine.reset()
    real = FakeEngine.synthesize
    plan = {"left": 0, "error": None}

    def synthesize(self, text):
        if plan["left"]:
            plan["left"] -= 1
            with FakeEngine._lock:
                FakeEngine.calls.append({"engine": self.name, "text": text, "failed": True})
            raise plan["error"]
        return real(self, text)

    monkeypatch.setattr(FakeEngine, "synthesize", synthesize)

    def fail(times, error):
        plan.update(left=times, error=error)

    return fail


def sweep(capture, *, after_seconds=0):
    with capture(execute=True):
        return tts.broadcast_audio_sweep(now=timezone.now() + dt.timedelta(seconds=after_seconds))


def broadcast_audio(page):
    return PageAudio.objects.get(page_id=page.pk, purpose=PageAudio.Purpose.BROADCAST).audio


def test_render_failing_with_database_locked_is_retried_and_the_emergency_airs(
    dev_site, cluster_fleet, dev_audio, flaky_engine, django_capture_on_commit_callbacks,
    settings
):
    # Regression (issue 8, item 5): a render_broadcast task that raised "database is locked"
    # was recorded as failed by django-q2 and never retried: the emergency bulletin stayed
    # live with no audio and its deliveries waited forever.
    from device_bridge.tts.tasks import render_broadcast

    settings.TTS_RENDER_RETRY = {"BASE_SECONDS": 60}
    # Two failures: the emergency fan-out's own render at approval (it hands the emergency to
    # the delivery engine when that fails), then the engine's render task.
    flaky_engine(2, OperationalError("database is locked"))
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["phong-chong-thien-tai"],
                             priority=Priority.EMERGENCY)
    with pytest.raises(OperationalError):  # the approval's task, as the worker runs it
        render_broadcast(page.pk, page.live_revision_id)
    audio = broadcast_audio(page)
    assert audio.status == SpeechAudio.Status.FAILED
    assert "database is locked" in audio.error
    retry_in = (audio.next_attempt_at - timezone.now()).total_seconds()
    assert 110 < retry_in <= 120  # the second failure waits twice as long
    waiting = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in waiting} == {Delivery.Status.WAITING_AUDIO}

    assert sweep(django_capture_on_commit_callbacks) == {"retried": 0, "requested": 0}  # backoff
    assert sweep(django_capture_on_commit_callbacks, after_seconds=121)["retried"] == 1

    audio.refresh_from_db()
    assert audio.status == SpeechAudio.Status.READY and audio.next_attempt_at is None
    assert {d.status for d in waiting.all()} == {Delivery.Status.SCHEDULED}
    assert ScheduleItem.objects.filter(page=page).count() == len(cluster_fleet)
    assert len(FakeEngine.calls) == 3  # two failures, one render

    # Idempotent: the task and the sweep running again render nothing and schedule nothing.
    with django_capture_on_commit_callbacks(execute=True):
        render_broadcast(page.pk, page.live_revision_id)
    sweep(django_capture_on_commit_callbacks, after_seconds=3600)
    assert len(FakeEngine.calls) == 3
    assert ScheduleItem.objects.filter(page=page).count() == len(cluster_fleet)


def test_retries_back_off_exponentially_and_stop_after_the_last_attempt(
    dev_site, flaky_engine, django_capture_on_commit_callbacks, settings
):
    settings.TTS_RENDER_RETRY = {"BASE_SECONDS": 60, "MAX_ATTEMPTS": 3}
    settings.TTS_FALLBACK = False  # no eSpeak NG voice to fall back on
    flaky_engine(99, EngineUnavailable("Google TTS 503", status=503))
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    delays = []
    for _ in range(5):
        audio = broadcast_audio(page)
        if audio.next_attempt_at is None:
            break
        delays.append(round((audio.next_attempt_at - audio.updated_at).total_seconds()))
        sweep(django_capture_on_commit_callbacks, after_seconds=delays[-1] + 1)
    assert delays == [60, 120]
    audio = broadcast_audio(page)
    assert audio.status == SpeechAudio.Status.FAILED and audio.attempts == 3
    assert sweep(django_capture_on_commit_callbacks, after_seconds=86400)["retried"] == 0


def test_sweeper_requests_broadcast_audio_that_was_never_requested(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    # ``dev_audio`` switches rendering on approval off: the approval's task was lost.
    FakeEngine.reset()
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    assert not PageAudio.objects.filter(page_id=page.pk).exists()

    assert sweep(django_capture_on_commit_callbacks)["requested"] == 1
    assert broadcast_audio(page).status == SpeechAudio.Status.READY
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}
    assert sweep(django_capture_on_commit_callbacks)["requested"] == 0
    assert len(FakeEngine.calls) == 1


def test_sweeper_requeues_a_render_lost_in_the_queue(
    dev_site, dev_audio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    audio = tts.page_audio_request(page=page, revision=page.live_revision,
                                   purpose=PageAudio.Purpose.BROADCAST)  # enqueue never ran
    assert sweep(django_capture_on_commit_callbacks)["requested"] == 0  # may still be queued
    assert sweep(django_capture_on_commit_callbacks, after_seconds=301)["requested"] == 1
    audio.refresh_from_db()
    assert audio.status == SpeechAudio.Status.READY


def test_unspeakable_text_is_not_retried(dev_site, django_capture_on_commit_callbacks, settings):
    settings.TTS_MAX_CHARS = 10
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    audio = broadcast_audio(page)
    assert audio.status == SpeechAudio.Status.FAILED and audio.next_attempt_at is None
    assert sweep(django_capture_on_commit_callbacks, after_seconds=86400) == {
        "retried": 0, "requested": 0,
    }


@pytest.fixture
def lost_dispatch():
    """The approval's after-commit dispatch step fails (here: is not connected)."""
    from device_bridge.receivers import _dispatch_on_approval
    from workflows.events import content_approved

    content_approved.disconnect(dispatch_uid="device_bridge.dispatch_on_approval")
    yield
    content_approved.connect(_dispatch_on_approval, dispatch_uid="device_bridge.dispatch_on_approval")


def test_sweep_dispatches_live_content_whose_approval_never_reached_the_outbox(
    dev_site, cluster_fleet, lost_dispatch, django_capture_on_commit_callbacks
):
    # Regression (issue 8, item 5): when the step after the approval's commit failed with
    # "database is locked", the bulletin was live and never sent to anyone.
    from device_bridge import services
    from device_bridge.models import Dispatch

    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["phong-chong-thien-tai"],
                             priority=Priority.EMERGENCY)
        old = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    type(old).objects.filter(pk=old.pk).update(
        last_published_at=timezone.now() - dt.timedelta(hours=2))  # long ago: not ours to air
    assert not Dispatch.objects.exists()
    assert services.dispatch_lost_repair() == 0  # the first minute is the normal path's

    later = timezone.now() + dt.timedelta(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dispatch_lost_repair(now=later) == 1
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}
    assert ScheduleItem.objects.filter(page=page).count() == len(cluster_fleet)
    assert not Dispatch.objects.filter(page_id=old.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dispatch_lost_repair(now=later) == 0
    assert ScheduleItem.objects.filter(page=page).count() == len(cluster_fleet)
