import shutil

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from wagtail.models import Page

from device_bridge.tts import selectors, services
from device_bridge.tts.engines import engine_names


class Command(BaseCommand):
    help = "Tạo âm thanh phát thanh (MP3) cho một trang hoặc một đoạn văn bản."

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help="Văn bản cần đọc (khi không dùng --page)")
        parser.add_argument("--page", type=int, help="ID của trang bản tin")
        parser.add_argument("--engine", help="Bộ đọc: " + ", ".join(engine_names()))
        parser.add_argument("--out", required=True, help="Đường dẫn tệp MP3 kết quả")

    def handle(self, *args, text=None, page=None, engine=None, out, **options):
        if bool(text) == bool(page):
            raise CommandError(gettext('Cần đúng một trong hai: --page ID hoặc "VĂN BẢN".'))
        if engine and engine not in engine_names():
            raise CommandError(
                gettext("Không có bộ đọc “%(engine)s”. Có: %(names)s.")
                % {"engine": engine, "names": ", ".join(engine_names())}
            )
        if page:
            instance = Page.objects.filter(pk=page).first()
            if instance is None:
                raise CommandError(gettext("Không có trang %(id)s.") % {"id": page})
            instance = instance.specific
            if not hasattr(instance, "spoken_text"):
                raise CommandError(gettext("Trang này không có nội dung đọc trên loa."))
            text = selectors.spoken_text_for(instance)
            engine = engine or selectors.engine_for_page(instance)
        audio = services.speech_prepare(
            text=text, engine_name=engine or selectors.conf.default_engine()
        )
        cached = audio.is_ready
        audio = services.speech_render(audio=audio)
        if not audio.is_ready:
            raise CommandError(
                gettext("Không tạo được âm thanh: %(reason)s") % {"reason": audio.error}
            )
        with audio.file.open("rb") as source, open(out, "wb") as target:
            shutil.copyfileobj(source, target)
        summary = gettext(
            "%(out)s: %(seconds).1f giây, %(lufs)s LUFS, đỉnh %(peak)s dBTP, bộ đọc %(engine)s"
        ) % {
            "out": out,
            "seconds": audio.duration_seconds,
            "lufs": audio.loudness_lufs,
            "peak": audio.true_peak_dbtp,
            "engine": audio.engine_display,
        }
        if cached:
            summary += gettext(" (có sẵn, không gọi bộ đọc)")
        self.stdout.write(summary)
