from django.core.management.base import BaseCommand, CommandError

from device_bridge.tts import conf, selectors
from device_bridge.tts.exceptions import SpeechInputError
from device_bridge.tts.normalize import normalize


class Command(BaseCommand):
    help = "In ra cách đọc trên loa của một đoạn văn bản (chuẩn hóa văn bản)."

    def add_arguments(self, parser):
        parser.add_argument("text", help="Văn bản cần chuẩn hóa")
        parser.add_argument(
            "--no-lexicon",
            action="store_true",
            help="Không dùng từ điển phát âm trong cơ sở dữ liệu",
        )

    def handle(self, *args, text, no_lexicon=False, **options):
        lexicon = {} if no_lexicon else selectors.lexicon_map()
        try:
            result = normalize(text, lexicon=lexicon, max_chars=conf.max_chars())
        except SpeechInputError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(result.text)
        for warning in result.warnings:
            self.stderr.write(warning)
