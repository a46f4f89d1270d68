"""Benchmark of the offline speech path for a 600-word bulletin.

    .venv/bin/python bench/tts.py [--words 600] [--runs 3]

Prints eSpeak NG synthesis + PyAV assembly time divided by the audio duration (real-time
factor, goal <= 0.05) and the time to answer again for unchanged text (cache hit: normalise,
hash, one lookup, zero engine calls). Runs against a throw-away in-memory database and a
temporary media directory; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PARAGRAPHS = [
    "UBND xã Chí Minh thông báo: thực hiện Kế hoạch số 28/KH-UBND ngày 10/01/2026 về tiêm "
    "chủng mở rộng, từ 7h30 đến 11h00 các ngày 28/01/2026 và 29/01/2026, Trạm Y tế xã tổ chức "
    "tiêm vắc xin cho trẻ em dưới 5 tuổi tại nhà văn hóa các thôn.",
    "Đề nghị các gia đình có trẻ trong độ tuổi mang theo sổ tiêm chủng và thẻ BHYT, đưa trẻ đến "
    "đúng giờ. Trường hợp trẻ đang sốt hoặc mắc bệnh cấp tính, phụ huynh báo cán bộ y tế để hẹn "
    "lịch tiêm bù. Mọi thắc mắc xin liên hệ số điện thoại 0912 345 678.",
    "Thực hiện Nghị định số 49/2024/NĐ-CP của Chính phủ, HĐND xã đã thông qua mức hỗ trợ "
    "1.500.000 đồng mỗi hộ nghèo và 750.000 đồng mỗi hộ cận nghèo trong giai đoạn 2026 - 2030. "
    "Tỷ lệ hộ nghèo của xã hiện là 2,5%, giảm 1,2% so với cùng kỳ năm trước.",
    "Ban Chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn xã đề nghị bà con chủ động gia cố nhà "
    "cửa, chằng chống mái tôn, thu hoạch lúa mùa, không để người và tàu thuyền ra khơi khi có "
    "thông báo của cơ quan chức năng. Lượng mưa dự báo từ 100 - 150 mm.",
    "MTTQ xã phối hợp với các đoàn thể phát động phong trào toàn dân bảo vệ an ninh tổ quốc, "
    "giữ gìn vệ sinh môi trường, phân loại rác thải tại nguồn. Mỗi thôn duy trì ít nhất 2 buổi "
    "tổng vệ sinh mỗi tháng vào sáng Chủ nhật.",
]


def bulletin(words: int) -> str:
    text, count, index = [], 0, 0
    while count < words:
        paragraph = PARAGRAPHS[index % len(PARAGRAPHS)]
        text.append(paragraph)
        count += len(paragraph.split())
        index += 1
    return "\n".join(text)


def setup_django(media_root: str):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = media_root
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tts-bench-") as media:
        print("Chuẩn bị cơ sở dữ liệu tạm…", file=sys.stderr)
        setup_django(media)
        from device_bridge.audio import assemble_broadcast
        from device_bridge.audio.jingles import default_intro, default_outro
        from device_bridge.tts import conf, selectors, services
        from device_bridge.tts.engines import get_engine
        from device_bridge.tts.normalize import normalize

        text = bulletin(args.words)
        lexicon = selectors.lexicon_map()
        started = time.perf_counter()
        spoken = normalize(text, lexicon=lexicon).text
        normalise_seconds = time.perf_counter() - started

        engine = get_engine("espeak")
        settings = conf.assembly_settings()
        intro, outro = default_intro(settings.sample_rate), default_outro(settings.sample_rate)
        synth_times, assembly_times, cpu_times, duration = [], [], [], 0.0
        engine.synthesize("Khởi động.")  # load libespeak-ng once, as a worker would
        for _ in range(args.runs):
            cpu_started = time.process_time()
            started = time.perf_counter()
            speech = engine.synthesize(spoken)
            synth_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = assemble_broadcast(
                speech.samples, speech.sample_rate, settings=settings, intro=intro, outro=outro
            )
            assembly_times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu_started)
            duration = result.duration_seconds
        synth, assembly = statistics.median(synth_times), statistics.median(assembly_times)

        started = time.perf_counter()
        first = services.speech_render_text(text=text, engine_name="espeak")
        first_seconds = time.perf_counter() - started
        hit_times = []
        for _ in range(max(args.runs, 5)):
            started = time.perf_counter()
            again = services.speech_render_text(text=text, engine_name="espeak")
            hit_times.append(time.perf_counter() - started)
        assert again.pk == first.pk and again.attempts == 1, "cache hit must not render again"

    rtf = (synth + assembly) / duration
    cpu_rtf = statistics.median(cpu_times) / duration
    load = os.getloadavg()[0]
    print(
        f"Bản tin: {len(text.split())} từ, {len(text)} ký tự; âm thanh {duration:.1f} s "
        f"({result.loudness_lufs} LUFS, đỉnh {result.true_peak_dbtp} dBTP, {len(result.mp3) // 1024} KiB)"
    )
    print(f"Chuẩn hóa văn bản:        {normalise_seconds * 1000:8.1f} ms")
    print(f"Tổng hợp eSpeak NG:       {synth * 1000:8.1f} ms (trung vị {args.runs} lần)")
    print(f"Ghép + chuẩn độ lớn + MP3: {assembly * 1000:8.1f} ms (trung vị {args.runs} lần)")
    print(
        f"RTF (tổng hợp + ghép) / thời lượng: {rtf:.4f}  (mục tiêu ≤ 0.05: {'ĐẠT' if rtf <= 0.05 else 'CHƯA ĐẠT'})"
    )
    print(
        f"RTF theo thời gian CPU của tiến trình:  {cpu_rtf:.4f}  (tải máy 1 phút: {load:.1f} "
        f"trên {os.cpu_count()} nhân; RTF thực tăng khi máy bận)"
    )
    print(f"Lần tạo đầu qua dịch vụ (gồm lưu tệp, CSDL): {first_seconds * 1000:8.1f} ms")
    print(
        f"Trúng bộ nhớ đệm (không gọi bộ đọc):        {statistics.median(hit_times) * 1000:8.1f} ms"
    )


if __name__ == "__main__":
    main()
