"""Numbers in context: phones, dates, times, ranges, money, units, ordinals, Roman numerals.

Each pass rewrites what it recognises into words (or, for suffixes such as ``%`` and ``đ``,
into the spoken unit next to the digits) and leaves the rest for the general number pass,
which runs last. The order in ``normalize.normalize`` matters and is documented there.
"""

from __future__ import annotations

import re

from .numbers import (
    day_words,
    decimal_words,
    digits_words,
    month_words,
    number_words,
    ordinal_words,
    roman_to_int,
)

# --- phone numbers: digit by digit, in the groups they were written in -----------------
_PHONE_INTL = re.compile(
    r"(?<![\w])\+84[ .-]?(?P<body>[1-9]\d{1,3}(?:[ .-]?\d{2,4}){1,3})(?![\w]|[.,]\d)"
)
_PHONE_AREA = re.compile(
    r"(?P<area>\(0\d{2,3}\))[ .-]?(?P<body>\d{3,4}[ .-]?\d{3,4})(?![\w]|[.,]\d)"
)
_PHONE = re.compile(r"(?<![\w.,])(?P<body>0\d{2,3}(?:[ .-]?\d{2,4}){1,3}|0\d{9,10})(?![\w]|[.,]\d)")
_HOTLINE = re.compile(r"(?<![\w.,])(?P<body>1[89]00[ .]?\d{3,4}(?:[ .]?\d{2,3})?)(?![\w]|[.,]\d)")
_SHORT_SERVICE = re.compile(
    r"\b(?P<lead>gọi|gọi số|đường dây nóng|số máy|tổng đài)\s+(?P<body>1\d\d)\b", re.I
)


def _grouped_digits(raw: str) -> str:
    groups = [g for g in re.split(r"[ .\-()]+", raw) if g]
    if len(groups) == 1 and len(groups[0]) >= 9:
        digits = groups[0]
        groups = [digits[:4], digits[4:7], digits[7:]]
    return ", ".join(digits_words(g) for g in groups)


def speak_phones(text: str) -> str:
    def domestic(match: re.Match) -> str:
        body = match.group("body")
        # Vietnamese mobiles have 10 digits, landlines 11 (with the 0 prefix).
        if not 10 <= sum(c.isdigit() for c in body) <= 11:
            return match.group(0)
        return _grouped_digits(body)

    text = _PHONE_INTL.sub(lambda m: f"cộng tám mươi tư, {_grouped_digits(m.group('body'))}", text)
    text = _PHONE_AREA.sub(
        lambda m: f"{_grouped_digits(m.group('area'))}, {_grouped_digits(m.group('body'))}", text
    )
    text = _PHONE.sub(domestic, text)
    text = _HOTLINE.sub(lambda m: _grouped_digits(m.group("body")), text)
    return _SHORT_SERVICE.sub(lambda m: f"{m.group('lead')} {digits_words(m.group('body'))}", text)


# --- dates ---------------------------------------------------------------------------------
_FULL_DATE = re.compile(r"(?<![\d/.,-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/.-]|,\d)")
_DAY_MONTH = re.compile(
    r"(?:(?<=\bngày )(\d{1,2})-(\d{1,2})(?!\s*tháng)|(?<![\w/.,])(\d{1,2})/(\d{1,2}))(?![\d/.-]|,\d)",
    re.I,
)
#: A bare "d/m" is a date only in a sentence already talking about a day.
_DAY_CONTEXT = re.compile(r"\b(?:ngày|thứ|chủ nhật|hôm)\b", re.I)
_MONTH_YEAR = re.compile(r"(?<=\btháng )(\d{1,2})[/.-](\d{4})(?![\d/.-])", re.I)
_DAY_BEFORE_MONTH = re.compile(r"(?<=\bngày )(\d{1,2})(?=\s+tháng\b)", re.I)
_MONTH_WORD = re.compile(r"(?<=\btháng )(\d{1,2})(?!\d|[/.,-]\d)", re.I)


def speak_dates(text: str) -> str:
    def full(match: re.Match) -> str:
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return match.group(0)
        before = text[max(0, match.start() - 6) : match.start()].lower()
        prefix = "" if before.rstrip().endswith("ngày") else "ngày "
        return f"{prefix}{day_words(day)} tháng {month_words(month)} năm {number_words(year)}"

    def day_month(match: re.Match) -> str:
        day = int(match.group(1) or match.group(3))
        month = int(match.group(2) or match.group(4))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return match.group(0)
        # "ngày 30/4 và 1/5", "Thứ 3 (02/12)"; but "1/2 số hộ" stays a fraction.
        if not _DAY_CONTEXT.search(text[max(0, match.start() - 40) : match.start()]):
            return match.group(0)
        return f"{day_words(day)} tháng {month_words(month)}"

    def month_year(match: re.Match) -> str:
        month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return match.group(0)
        return f"{month_words(month)} năm {number_words(year)}"

    text = _FULL_DATE.sub(full, text)
    text = _DAY_MONTH.sub(day_month, text)
    text = _MONTH_YEAR.sub(month_year, text)
    text = _DAY_BEFORE_MONTH.sub(
        lambda m: day_words(int(m.group(1))) if 1 <= int(m.group(1)) <= 31 else m.group(1), text
    )
    return _MONTH_WORD.sub(
        lambda m: month_words(int(m.group(1))) if 1 <= int(m.group(1)) <= 12 else m.group(1), text
    )


# --- ranges: "2026 - 2030", "2026-2030", "7h-11h" ------------------------------------------
_RANGE_DASH = re.compile(r"(?:(?<=\d)|(?<=\d[hH]))[ \t]*[-–—][ \t]*(?=\d)")


def speak_ranges(text: str) -> str:
    return _RANGE_DASH.sub(" đến ", text)


# --- times ---------------------------------------------------------------------------------
_TIME_H = re.compile(r"(?<![\w:,.])([01]?\d|2[0-4])\s?[hH](?:\s?([0-5]\d))?(?:'|p\b|ph\b)?(?![\w])")
_TIME_COLON = re.compile(r"(?<![\w:,.])([01]?\d|2[0-4]):([0-5]\d)(?::[0-5]\d)?(?![\d:])")


def _time_words(hours: str, minutes: str | None) -> str:
    spoken = f"{number_words(int(hours))} giờ"
    if minutes and int(minutes):
        spoken += f" {number_words(int(minutes))} phút"
    return spoken


def speak_times(text: str) -> str:
    text = _TIME_H.sub(lambda m: _time_words(m.group(1), m.group(2)), text)
    return _TIME_COLON.sub(lambda m: _time_words(m.group(1), m.group(2)), text)


# --- money, percent, units -------------------------------------------------------------------
_NUMBER = r"\d[\d.,]*"
_CURRENCY = re.compile(
    r"(?:(?<=\d)|(?<=\d )|(?<=nghìn )|(?<=ngàn )|(?<=triệu )|(?<=tỷ ))"
    r"(?:VNĐ|VND|vnđ|vnd|đồng|đ|₫)(?![\w])"
)
_DOLLAR = re.compile(rf"\$\s?({_NUMBER})")
_EURO = re.compile(rf"€\s?({_NUMBER})|({_NUMBER})\s?€")
_PERCENT = re.compile(r"(?<=\d)\s?%")
UNITS = {
    "km²": "ki lô mét vuông",
    "km2": "ki lô mét vuông",
    "m²": "mét vuông",
    "m2": "mét vuông",
    "m³": "mét khối",
    "m3": "mét khối",
    "km/h": "ki lô mét trên giờ",
    "km": "ki lô mét",
    "cm": "xăng ti mét",
    "mm": "mi li mét",
    "m": "mét",
    "kg": "ki lô gam",
    "ha": "héc ta",
    "ml": "mi li lít",
    "°C": "độ xê",
    "oC": "độ xê",
    "độ C": "độ xê",
}
_UNIT = re.compile(
    r"(?<=\d)\s?("
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    + r")(?![\w²³])"
)
_NEGATIVE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\())-(?=\d)", re.M)


def speak_units(text: str) -> str:
    text = _CURRENCY.sub("đồng", text)
    text = _DOLLAR.sub(r"\1 đô la", text)
    text = _EURO.sub(lambda m: f"{m.group(1) or m.group(2)} ơ rô", text)
    text = _PERCENT.sub(" phần trăm", text)
    text = _UNIT.sub(lambda m: " " + UNITS[m.group(1)], text)
    return _NEGATIVE.sub("âm ", text)


# --- ordinals and Roman numerals -------------------------------------------------------------
_ORDINAL = re.compile(r"\b(thứ|Thứ|THỨ)\s+(\d{1,3})\b")
_ROMAN_CONTEXT = re.compile(
    r"\b(Phần|phần|PHẦN|Chương|chương|CHƯƠNG|Mục|mục|MỤC|Khóa|khóa|KHÓA|Khoá|khoá|Đại hội|đại hội|"
    r"ĐẠI HỘI|lần thứ|Lần thứ|thế kỷ|Thế kỷ|quý|Quý|QUÝ|Điều|giai đoạn)\s+([IVXLC]{1,7})\b"
)
_ROMAN_HEADING = re.compile(r"^([ \t]*)([IVX]{1,6})[.)][ \t]+(?=\S)", re.M)
_NUMBER_HEADING = re.compile(r"^([ \t]*)(\d{1,2})[.)][ \t]+(?=[^\d\s])", re.M)


def speak_ordinals(text: str) -> str:
    def ordinal(match: re.Match) -> str:
        return f"{match.group(1)} {ordinal_words(int(match.group(2)))}"

    def roman_in_context(match: re.Match) -> str:
        value = roman_to_int(match.group(2))
        if value is None:
            return match.group(0)
        spoken = (
            ordinal_words(value) if match.group(1).lower() == "lần thứ" else number_words(value)
        )
        return f"{match.group(1)} {spoken}"

    def heading(match: re.Match) -> str:
        value = (
            roman_to_int(match.group(2)) if not match.group(2).isdigit() else int(match.group(2))
        )
        if value is None:
            return match.group(0)
        return f"{match.group(1)}{number_words(value).capitalize()}. "

    text = _ORDINAL.sub(ordinal, text)
    text = _ROMAN_CONTEXT.sub(roman_in_context, text)
    text = _ROMAN_HEADING.sub(heading, text)
    return _NUMBER_HEADING.sub(heading, text)


# --- everything else that is a number --------------------------------------------------------
_GROUPED = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?(?![\d]|[.,]\d)")
_GROUPED_COMMA = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3}){2,})(?![\d]|[.,]\d)")
_DECIMAL = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d]|[.,]\d)")
_DOTTED = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d]|[.,]\d)")
_PLAIN = re.compile(r"\d+")


def _plain(match: re.Match) -> str:
    digits = match.group(0)
    if (digits.startswith("0") and len(digits) > 2) or len(digits) > 15:
        return f" {digits_words(digits)} "
    return f" {number_words(int(digits))} "


def speak_numbers(text: str) -> str:
    def grouped(match: re.Match) -> str:
        integer = int(match.group(1).replace(".", "").replace(",", ""))
        if match.lastindex and match.lastindex >= 2 and match.group(2):
            return f" {decimal_words(integer, match.group(2))} "
        return f" {number_words(integer)} "

    text = _GROUPED.sub(grouped, text)
    text = _GROUPED_COMMA.sub(grouped, text)
    text = _DECIMAL.sub(lambda m: f" {decimal_words(int(m.group(1)), m.group(2))} ", text)
    text = _DOTTED.sub(
        lambda m: f" {number_words(int(m.group(1)))} chấm {digits_words(m.group(2))} ", text
    )
    return _PLAIN.sub(_plain, text)
