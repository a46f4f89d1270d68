"""Writes of the speech pipeline: prepare, render, link to pages, retry.

Nothing here runs in a request or a signal receiver except ``page_audio_request`` and
``speech_audio_retry``, which only normalise text and write rows; engines and assembly run
in django-q2 tasks (``tasks.py``) or the ``tts_render`` command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from device_bridge.audio import AudioError, assemble_broadcast, decode_to_mono
from device_bridge.audio.jingles import default_intro, default_outro

from . import conf, selectors
from .engines import fallback_name, get_engine
from .exceptions import (
    EngineConfigurationError,
    EngineUnavailable,
    SpeechError,
    SpeechInputError,
)
from .models import PageAudio, SpeechAudio
from .normalize import normalize
from .signals import audio_ready
from .stuck import broadcast_state, live_spoken_pages_without_audio, retry_target

logger = logging.getLogger(__name__)


def _jingle_fingerprint() -> dict:
    intro, outro, enabled = selectors.jingle_files()
    return {
        "enabled": enabled,
        "intro": intro.name if intro else "default",
        "outro": outro.name if outro else "default",
    }


def speech_cache_key(*, text: str, engine_name: str) -> tuple[str, str]:
    """``(cache_key, voice)``: hash of normalised text, engine, voice and assembly settings."""
    voice = get_engine(engine_name).voice
    payload = {
        "text": text,
        "engine": engine_name,
        "voice": voice,
        "assembly": conf.assembly_settings().fingerprint(),
        "jingles": _jingle_fingerprint(),
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest(), voice


def speech_prepare(*, text: str, engine_name: str) -> SpeechAudio:
    """Normalise ``text`` and find or create its audio record (no engine call).

    Text that cannot be spoken (empty, too long) still gets a record, failed with the
    reason, so the bulletin shows why it has no audio.
    """
    try:
        normalized = normalize(text, lexicon=selectors.lexicon_map(), max_chars=conf.max_chars())
    except SpeechInputError as err:
        key = hashlib.sha256(f"invalid\x00{engine_name}\x00{text}".encode()).hexdigest()
        audio, _created = SpeechAudio.objects.update_or_create(
            cache_key=key,
            defaults={
                "requested_engine": engine_name,
                "status": SpeechAudio.Status.FAILED,
                "error": str(err),
                "text": "",
            },
        )
        return audio
    key, voice = speech_cache_key(text=normalized.text, engine_name=engine_name)
    audio, _created = SpeechAudio.objects.get_or_create(
        cache_key=key,
        defaults={
            "text": normalized.text,
            "requested_engine": engine_name,
            "voice": voice,
            "warnings": "\n".join(normalized.warnings),
        },
    )
    return audio


def page_audio_request(*, page, revision=None, purpose: str) -> SpeechAudio:
    """Point ``page`` (as of ``revision``) at the audio of its spoken text; returns it."""
    content = revision.as_object() if revision is not None else page
    text = selectors.spoken_text_for(content)
    engine_name = selectors.engine_for_page(content)
    audio = speech_prepare(text=text, engine_name=engine_name)
    PageAudio.objects.update_or_create(
        page_id=page.pk,
        purpose=purpose,
        revision=revision,
        defaults={
            "audio": audio,
            "source_sha256": selectors.source_fingerprint(text=text, engine=engine_name),
        },
    )
    return audio


def page_audio_enqueue(*, audio: SpeechAudio, page_id: int | None, purpose: str) -> None:
    """Render ``audio`` in a django-q2 task once the current transaction commits."""
    from django_q.tasks import async_task

    audio_id = audio.pk
    transaction.on_commit(
        lambda: async_task(
            "device_bridge.tts.tasks.render_audio",
            audio_id,
            page_id,
            purpose,
            task_name=f"tts-render-{audio_id}",
        )
    )


def _claim(audio: SpeechAudio, *, force: bool) -> bool:
    """Atomically move the record to ``rendering``; ``False`` if another worker has it."""
    stale = timezone.now() - timezone.timedelta(seconds=conf.stale_seconds())
    claimable = Q(status__in=[SpeechAudio.Status.QUEUED, SpeechAudio.Status.FAILED]) | Q(
        status=SpeechAudio.Status.RENDERING, updated_at__lt=stale
    )
    if force:
        claimable |= Q(status=SpeechAudio.Status.READY)
    claimed = (
        SpeechAudio.objects.filter(pk=audio.pk)
        .filter(claimable)
        .update(
            status=SpeechAudio.Status.RENDERING,
            attempts=F("attempts") + 1,
            error="",
            updated_at=timezone.now(),
        )
    )
    audio.refresh_from_db()
    return bool(claimed)


def _load_jingle(field_file, sample_rate: int, label: str):
    try:
        with field_file.open("rb") as handle:
            return decode_to_mono(handle.read(), sample_rate=sample_rate)
    except (OSError, AudioError) as err:
        raise AudioError(
            gettext("%(jingle)s không dùng được: %(error)s") % {"jingle": label, "error": err}
        ) from err


def _jingles(sample_rate: int):
    intro_file, outro_file, enabled = selectors.jingle_files()
    if not enabled:
        return None, None
    intro = (
        _load_jingle(intro_file, sample_rate, gettext("Nhạc hiệu mở đầu"))
        if intro_file
        else default_intro(sample_rate)
    )
    outro = (
        _load_jingle(outro_file, sample_rate, gettext("Nhạc hiệu kết thúc"))
        if outro_file
        else default_outro(sample_rate)
    )
    return intro, outro


def _synthesize(audio: SpeechAudio):
    """Speech from the requested engine, or from its fallback when it is unavailable."""
    primary = get_engine(audio.requested_engine)
    try:
        return primary.synthesize(audio.text), ""
    except EngineUnavailable as err:
        backup = fallback_name(primary.name)
        if backup is None:
            raise
        logger.warning(
            "TTS engine %s unavailable (%s); falling back to %s", primary.name, err, backup
        )
        return get_engine(backup).synthesize(audio.text), str(err)


def _store(mp3: bytes) -> tuple[str, str, bool]:
    """Content-addressed save; returns ``(name, sha256, created)``. Never leaves a partial file."""
    digest = hashlib.sha256(mp3).hexdigest()
    name = f"tts/{digest[:2]}/{digest}.mp3"
    if default_storage.exists(name) and default_storage.size(name) == len(mp3):
        return name, digest, False
    try:
        saved = default_storage.save(name, ContentFile(mp3))
    except Exception:
        # Disk full or storage error mid-write: remove whatever part was written, re-raise.
        if default_storage.exists(name):
            default_storage.delete(name)
        raise
    return saved, digest, True


def speech_render(*, audio: SpeechAudio, force: bool = False) -> SpeechAudio:
    """Synthesise and assemble ``audio`` unless it is ready (zero engine calls then)."""
    if audio.status == SpeechAudio.Status.READY and not force:
        return audio
    if not audio.text:
        # Unspeakable input keeps the reason given by the normaliser; no engine is called.
        return _fail(audio, audio.error or gettext("Văn bản phát thanh trống."))
    if not _claim(audio, force=force):
        return audio
    started = time.monotonic()
    try:
        speech, fallback_reason = _synthesize(audio)
        settings = conf.assembly_settings()
        intro, outro = _jingles(settings.sample_rate)
        assembled = assemble_broadcast(
            speech.samples, speech.sample_rate, settings=settings, intro=intro, outro=outro
        )
        name, digest, created = _store(assembled.mp3)
    except (EngineConfigurationError, SpeechInputError, AudioError) as err:
        # Settings, text or jingle: the same render fails the same way until someone acts.
        return _fail(audio, str(err))
    except SpeechError as err:  # engine down, throttled, timed out: worth another try
        return _fail(audio, str(err), retry=True)
    except OSError as err:  # disk full, storage unreachable: an operator can fix and retry
        return _fail(
            audio, gettext("Không lưu được tệp âm thanh: %(error)s") % {"error": err}, retry=True
        )
    except Exception as err:  # e.g. "database is locked": recorded for a retry, then raised
        _fail(
            audio,
            gettext("Lỗi không mong đợi khi tạo âm thanh: %(error)s") % {"error": err},
            retry=True,
        )
        raise
    previous = audio.file.name
    try:
        SpeechAudio.objects.filter(pk=audio.pk).update(
            status=SpeechAudio.Status.READY,
            engine=speech.engine,
            voice=speech.voice,
            fallback_used=bool(fallback_reason),
            fallback_reason=fallback_reason,
            file=name,
            sha256=digest,
            size_bytes=len(assembled.mp3),
            duration_seconds=round(assembled.duration_seconds, 3),
            sample_rate=assembled.sample_rate,
            bitrate=assembled.bitrate,
            loudness_lufs=assembled.loudness_lufs,
            true_peak_dbtp=assembled.true_peak_dbtp,
            engine_requests=F("engine_requests") + max(speech.requests, 1),
            render_seconds=round(time.monotonic() - started, 3),
            rendered_at=timezone.now(),
            error="",
            next_attempt_at=None,
            updated_at=timezone.now(),
        )
    except Exception as err:
        if created:
            default_storage.delete(name)
        _fail(
            audio,
            gettext("Không ghi được kết quả tạo âm thanh: %(error)s") % {"error": err},
            retry=True,
        )
        raise
    if previous and previous != name and not SpeechAudio.objects.filter(file=previous).exists():
        default_storage.delete(previous)
    audio.refresh_from_db()
    return audio


def _fail(audio: SpeechAudio, reason: str, *, retry: bool = False) -> SpeechAudio:
    """Record the failure; with ``retry``, schedule the next attempt with exponential backoff
    (the sweeper, ``broadcast_audio_sweep``, runs it) until the attempts are used up."""
    now = timezone.now()
    next_attempt_at = None
    if retry and audio.attempts < conf.render_retry("MAX_ATTEMPTS"):
        delay = conf.render_retry("BASE_SECONDS") * 2 ** max(audio.attempts - 1, 0)
        next_attempt_at = now + dt.timedelta(seconds=delay)
    SpeechAudio.objects.filter(pk=audio.pk).update(
        status=SpeechAudio.Status.FAILED,
        error=reason[:2000],
        next_attempt_at=next_attempt_at,
        updated_at=now,
    )
    audio.refresh_from_db()
    logger.warning("TTS render %s failed (retry at %s): %s", audio.pk, next_attempt_at, reason)
    return audio


def page_audio_announce(*, page, audio: SpeechAudio) -> bool:
    """Send ``audio_ready`` when ``audio`` is the ready broadcast audio of the live page."""
    page = page.specific
    if not page.live or not audio.is_ready:
        return False
    current = selectors.audio_for_page(page)
    if current is None or current.pk != audio.pk:
        return False
    audio_ready.send(sender=type(page), page=page, audio=audio)
    return True


def page_broadcast_render(*, page, revision=None) -> SpeechAudio:
    """The approval path: link, render if needed, announce (even when it was cached)."""
    audio = page_audio_request(page=page, revision=revision, purpose=PageAudio.Purpose.BROADCAST)
    audio = speech_render(audio=audio)
    page_audio_announce(page=page, audio=audio)
    return audio


def _requeue(audio: SpeechAudio, *, also_stale_rendering: bool = True) -> bool:
    """Move ``audio`` back to ``queued`` with a fresh set of attempts; ``False`` if a live
    render has it (a render idle past ``TTS_RENDER_STALE_SECONDS`` is presumed dead)."""
    stale = timezone.now() - dt.timedelta(seconds=conf.stale_seconds())
    requeueable = ~Q(status=SpeechAudio.Status.RENDERING)
    if also_stale_rendering:
        requeueable |= Q(status=SpeechAudio.Status.RENDERING, updated_at__lt=stale)
    updated = (
        SpeechAudio.objects.filter(pk=audio.pk)
        .filter(requeueable)
        .update(
            status=SpeechAudio.Status.QUEUED,
            attempts=0,
            next_attempt_at=None,
            updated_at=timezone.now(),
        )
    )
    audio.refresh_from_db()
    return bool(updated)


def speech_audio_retry(*, audio: SpeechAudio, page_id: int | None, purpose: str) -> SpeechAudio:
    """Queue a failed (or fallback-voiced) audio for another render: a person asked, so it
    gets a fresh set of automatic retries."""
    if _requeue(audio):
        page_audio_enqueue(audio=audio, page_id=page_id, purpose=purpose)
    return audio


def page_broadcast_retry(*, page) -> SpeechAudio:
    """Render the live page's broadcast audio again (the admin alert's "Thử lại").

    Requests it when it was never requested (lost task), re-queues it when it failed, was
    lost in the queue or died mid-render; announces it when it is in fact ready.
    """
    page = page.specific
    audio = broadcast_state(page).audio
    if audio is None:
        revision = page.live_revision if page.live else None
        audio = page_audio_request(page=page, revision=revision, purpose=PageAudio.Purpose.BROADCAST)
    if audio.is_ready:
        page_audio_announce(page=page, audio=audio)
        return audio
    if audio.status == SpeechAudio.Status.FAILED and not audio.text:
        return audio  # unspeakable: the editor must change the text, no render can help
    return speech_audio_retry(audio=audio, page_id=page.pk, purpose=PageAudio.Purpose.BROADCAST)


def broadcast_audio_sweep(*, now: dt.datetime | None = None) -> dict:
    """Periodic repair, run every minute with the delivery sweep.

    1. Failed renders whose backoff has passed are rendered again (``_fail`` set the time).
    2. Live content published in the last ``REPAIR_DAYS`` days whose current text has no
       audio is given one: requested when the request was lost (the approval's task failed
       or was never enqueued), re-queued when it sat queued for ``QUEUED_STALE_SECONDS`` or
       its render died. Nothing renders twice: the render claims the record.
    """
    now = now or timezone.now()
    retried = requested = 0
    due = SpeechAudio.objects.filter(
        status=SpeechAudio.Status.FAILED, next_attempt_at__lte=now
    ).exclude(text="")
    for audio in due:
        target = retry_target(audio)
        if target is None:  # no page uses it any more: nothing to retry for
            SpeechAudio.objects.filter(pk=audio.pk).update(next_attempt_at=None)
            continue
        # Claimed by moving it to "queued": a second sweep finds nothing due.
        claimed = SpeechAudio.objects.filter(
            pk=audio.pk, status=SpeechAudio.Status.FAILED, next_attempt_at__lte=now
        ).update(status=SpeechAudio.Status.QUEUED, next_attempt_at=None, updated_at=now)
        if claimed:
            page_audio_enqueue(audio=audio, page_id=target.page_id, purpose=target.purpose)
            retried += 1
    queued_before = now - dt.timedelta(seconds=conf.render_retry("QUEUED_STALE_SECONDS"))
    rendering_before = now - dt.timedelta(seconds=conf.stale_seconds())
    since = now - dt.timedelta(days=conf.render_retry("REPAIR_DAYS"))
    for page in live_spoken_pages_without_audio(published_since=since):
        state = broadcast_state(page)
        lost = state.audio is None or (
            state.status == SpeechAudio.Status.QUEUED and state.audio.updated_at < queued_before
        ) or (
            state.status == SpeechAudio.Status.RENDERING
            and state.audio.updated_at < rendering_before
        )
        if not lost:
            continue
        logger.warning("Broadcast audio of live page %s is %s; requesting it again",
                       page.pk, state.status)
        page_broadcast_retry(page=page)
        requested += 1
    return {"retried": retried, "requested": requested}


def speech_render_text(*, text: str, engine_name: str | None = None) -> SpeechAudio:
    """Shell path (``tts_render``): prepare and render synchronously."""
    audio = speech_prepare(text=text, engine_name=engine_name or conf.default_engine())
    return speech_render(audio=audio)
