"""The speech pipeline end to end: approval -> task -> cached, measured MP3 -> audio_ready."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from device_bridge.audio import probe
from device_bridge.tts import services
from device_bridge.tts.models import BroadcastAudioSettings, PageAudio, SpeechAudio
from device_bridge.tts.selectors import audio_for_page
from device_bridge.tts.signals import audio_ready
from tests.factories import build_site, make_bulletin
from tests.fakes import tts_fixtures

tts_media = tts_fixtures.tts_media
tts_gtts = tts_fixtures.tts_gtts
tts_fake_engine = tts_fixtures.tts_fake_engine
tts_offline = tts_fixtures.tts_offline

pytestmark = pytest.mark.django_db

RADIO_TEXT = (
    "UBND xã thông báo: ngày 28/01/2026 tiêm phòng cho trẻ em tại trạm y tế, liên hệ 0912 345 678."
)


@pytest.fixture
def tts_site(tts_media):
    return build_site()


@pytest.fixture
def tts_announcements():
    received = []

    def collect(sender, page, audio, **kwargs):
        received.append((page.pk, audio.pk))

    audio_ready.connect(collect, dispatch_uid="test-tts-announcements")
    yield received
    audio_ready.disconnect(dispatch_uid="test-tts-announcements")


def approve(site, django_capture_on_commit_callbacks, **fields):
    """Publish a bulletin like a workflow approval does, running the on-commit tasks."""
    fields.setdefault("radio_text", RADIO_TEXT)
    with django_capture_on_commit_callbacks(execute=True):
        return make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"], **fields)


def republish(page, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        for name, value in changes.items():
            setattr(page, name, value)
        page.save_revision().publish()


def stored_mp3s(media: Path) -> list[Path]:
    return sorted(media.rglob("*.mp3")) if media.exists() else []


def test_approval_renders_measured_broadcast_audio_and_announces_it(
    settings, tts_site, tts_media, tts_announcements, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "espeak"
    page = approve(tts_site, django_capture_on_commit_callbacks)
    audio = audio_for_page(page)
    assert audio is not None and audio.status == SpeechAudio.Status.READY
    assert (audio.engine, audio.fallback_used) == ("espeak", False)
    assert "Ủy ban nhân dân" in audio.text and "không chín một hai" in audio.text
    with audio.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == audio.sha256
    assert len(data) == audio.size_bytes
    info = probe(data)
    assert (info.sample_rate, info.channels) == (24000, 1)
    assert info.duration_seconds == pytest.approx(audio.duration_seconds, abs=0.05)
    assert abs(audio.loudness_lufs + 16) <= 1.0 and audio.true_peak_dbtp <= -1.0
    assert tts_announcements == [(page.pk, audio.pk)]
    assert stored_mp3s(tts_media) == [Path(audio.file.path)]


def test_unchanged_text_republished_makes_zero_engine_calls_but_still_announces(
    settings, tts_site, tts_fake_engine, tts_announcements, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "fake"
    page = approve(tts_site, django_capture_on_commit_callbacks)
    assert len(tts_fake_engine.calls) == 1
    first = audio_for_page(page)
    republish(
        page, django_capture_on_commit_callbacks, summary="Tóm tắt mới, văn bản đọc giữ nguyên."
    )
    assert len(tts_fake_engine.calls) == 1
    assert audio_for_page(page).pk == first.pk
    assert tts_announcements == [(page.pk, first.pk), (page.pk, first.pk)]


def test_changed_text_is_rendered_again(
    settings, tts_site, tts_fake_engine, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "fake"
    page = approve(tts_site, django_capture_on_commit_callbacks)
    first = audio_for_page(page)
    republish(
        page,
        django_capture_on_commit_callbacks,
        radio_text="Lịch tiêm đổi sang 8h00 ngày 29/01/2026.",
    )
    second = audio_for_page(page)
    assert second.pk != first.pk and len(tts_fake_engine.calls) == 2
    assert "tám giờ" in tts_fake_engine.calls[-1]["text"]


def test_audio_for_page_follows_the_current_text_in_one_query(
    settings,
    tts_site,
    tts_fake_engine,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    settings.TTS_ENGINE = "fake"
    page = approve(tts_site, django_capture_on_commit_callbacks)
    with django_assert_num_queries(1):
        assert audio_for_page(page) is not None
    page.radio_text = "Văn bản chưa được duyệt lại."
    assert audio_for_page(page) is None


def test_google_tts_is_used_when_it_answers(
    settings, tts_site, tts_gtts, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "gtts"
    page = approve(tts_site, django_capture_on_commit_callbacks)
    audio = audio_for_page(page)
    assert (audio.engine, audio.fallback_used) == ("gtts", False)
    assert audio.engine_requests == len(tts_gtts.requests) >= 1


def test_google_down_falls_back_to_espeak_and_says_so(
    settings, tts_site, tts_gtts, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "gtts"
    tts_gtts.always_status = 503
    page = approve(tts_site, django_capture_on_commit_callbacks)
    audio = audio_for_page(page)
    assert audio.is_ready
    assert (audio.requested_engine, audio.engine, audio.fallback_used) == ("gtts", "espeak", True)
    assert "503" in audio.fallback_reason
    assert str(audio.engine_display) == "espeak (dự phòng cho gtts)"


def test_failed_render_shows_its_reason_leaves_no_file_and_can_be_retried(
    settings, tts_site, tts_media, tts_gtts, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "gtts"
    settings.TTS_FALLBACK = False
    tts_gtts.always_status = 500
    page = approve(tts_site, django_capture_on_commit_callbacks)
    link = PageAudio.objects.get(page_id=page.pk, purpose=PageAudio.Purpose.BROADCAST)
    audio = link.audio
    assert audio.status == SpeechAudio.Status.FAILED
    assert "Dịch vụ Google đang lỗi (500)" in audio.error
    assert not audio.file and stored_mp3s(tts_media) == []
    assert audio_for_page(page) is None

    tts_gtts.always_status = None
    with django_capture_on_commit_callbacks(execute=True):
        services.speech_audio_retry(
            audio=audio, page_id=page.pk, purpose=PageAudio.Purpose.BROADCAST
        )
    audio.refresh_from_db()
    assert audio.status == SpeechAudio.Status.READY and audio.error == ""
    # A person's retry starts a fresh set of automatic retries (like "Gửi lại" of a delivery).
    assert audio.attempts == 1 and audio.next_attempt_at is None
    assert audio_for_page(page).pk == audio.pk


@pytest.mark.parametrize(
    ("radio_text", "reason"),
    [
        ("🎉🎉🎉", "không còn nội dung đọc được"),
        ("Thông báo. " * 5000, "quá dài"),
    ],
)
def test_unreadable_text_fails_with_a_clear_reason(
    settings,
    tts_site,
    tts_media,
    tts_fake_engine,
    django_capture_on_commit_callbacks,
    radio_text,
    reason,
):
    settings.TTS_ENGINE = "fake"
    page = approve(tts_site, django_capture_on_commit_callbacks, radio_text=radio_text)
    audio = PageAudio.objects.get(page_id=page.pk).audio
    assert audio.status == SpeechAudio.Status.FAILED and reason in audio.error
    assert tts_fake_engine.calls == [] and stored_mp3s(tts_media) == []


def test_corrupt_stored_jingle_fails_the_render_without_half_written_files(
    settings, tts_site, tts_media, tts_fake_engine, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "fake"
    config = BroadcastAudioSettings.load()
    config.intro_jingle.save("hong.mp3", ContentFile(b"not audio at all" * 100))
    page = approve(tts_site, django_capture_on_commit_callbacks)
    audio = PageAudio.objects.get(page_id=page.pk).audio
    assert audio.status == SpeechAudio.Status.FAILED
    assert "Nhạc hiệu mở đầu không dùng được" in audio.error
    assert stored_mp3s(tts_media) == [Path(config.intro_jingle.path)]


def test_jingles_can_be_switched_off_and_change_the_cache_key(
    settings, tts_site, tts_fake_engine, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "fake"
    with_jingles = services.speech_render_text(text="Xin chào bà con.")
    BroadcastAudioSettings.objects.update_or_create(defaults={"use_jingles": False})
    without = services.speech_render_text(text="Xin chào bà con.")
    assert with_jingles.cache_key != without.cache_key
    assert without.duration_seconds < with_jingles.duration_seconds - 2


def test_per_bulletin_engine_override(
    settings, tts_site, tts_fake_engine, django_capture_on_commit_callbacks
):
    settings.TTS_ENGINE = "fake"
    page = approve(tts_site, django_capture_on_commit_callbacks, tts_engine="espeak")
    assert audio_for_page(page).engine == "espeak"
    assert tts_fake_engine.calls == []


def test_a_render_claimed_by_another_worker_is_not_duplicated(settings, tts_media, tts_fake_engine):
    settings.TTS_ENGINE = "fake"
    audio = services.speech_prepare(text="Xin chào.", engine_name="fake")
    SpeechAudio.objects.filter(pk=audio.pk).update(status=SpeechAudio.Status.RENDERING)
    audio.refresh_from_db()
    assert services.speech_render(audio=audio).status == SpeechAudio.Status.RENDERING
    assert tts_fake_engine.calls == []


def test_tts_render_command_from_text_and_page(
    settings, tts_site, tmp_path, tts_fake_engine, django_capture_on_commit_callbacks, capsys
):
    settings.TTS_ENGINE = "fake"
    out = tmp_path / "ban-tin.mp3"
    call_command(
        "tts_render",
        "Xin chào bà con, hôm nay 26/11/2026.",
        "--engine",
        "espeak",
        "--out",
        str(out),
    )
    assert probe(out.read_bytes()).channels == 1
    assert "espeak" in capsys.readouterr().out
    page = approve(tts_site, django_capture_on_commit_callbacks)
    calls = len(tts_fake_engine.calls)
    call_command("tts_render", "--page", str(page.pk), "--out", str(tmp_path / "p.mp3"))
    assert "không gọi bộ đọc" in capsys.readouterr().out
    assert len(tts_fake_engine.calls) == calls
    with pytest.raises(CommandError, match="đúng một"):
        call_command("tts_render", "--out", str(out))
    with pytest.raises(CommandError, match="Không tạo được"):
        call_command("tts_render", "   ", "--out", str(out))


def test_submitting_for_moderation_prepares_the_approver_preview(
    settings, tts_site, tts_fake_engine, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import User
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    settings.TTS_ENGINE = "fake"
    page = make_bulletin(
        tts_site.news,
        category=tts_site.categories["an-sinh-xa-hoi"],
        publish=False,
        radio_text="Bản tin chờ duyệt lúc 9h15.",
    )
    editor = User.objects.create_superuser("soantin", "st@example.com", "x")
    workflow = Workflow.objects.create(name="Duyệt thử")
    task = GroupApprovalTask.objects.create(name="Trưởng đài nghe duyệt")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    revision = page.save_revision(user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        state = workflow.start(page, editor)
    assert state.status == state.STATUS_IN_PROGRESS
    link = PageAudio.objects.get(page_id=page.pk, purpose=PageAudio.Purpose.PREVIEW)
    assert link.revision_id == revision.pk
    assert link.audio.status == SpeechAudio.Status.READY
    assert "chín giờ mười lăm phút" in tts_fake_engine.calls[-1]["text"]
    assert audio_for_page(page) is None  # a preview is never the broadcast audio


def test_storage_failure_mid_write_leaves_no_partial_file(
    settings, tts_site, tts_media, tts_fake_engine, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import FileSystemStorage

    settings.TTS_ENGINE = "fake"

    def disk_full(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:100])  # half-written, then the disk fills up
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    page = approve(tts_site, django_capture_on_commit_callbacks)
    audio = PageAudio.objects.get(page_id=page.pk).audio
    assert audio.status == SpeechAudio.Status.FAILED
    assert "Không lưu được tệp âm thanh" in audio.error and "No space left" in audio.error
    assert stored_mp3s(tts_media) == []
