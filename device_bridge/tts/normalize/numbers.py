"""Vietnamese number words (cách đọc số), as a radio announcer reads them.

Rules: ``mười`` for 10-19 and ``mươi`` for 20-90; after ``mươi`` a final 1 is ``mốt`` and a
final 4 is ``tư``; a final 5 after any ten is ``lăm``; a zero ten inside a hundred is
``linh`` (northern; ``lẻ`` southern); an inner group below 100 reads ``không trăm``;
``nghìn`` (``ngàn`` southern), ``triệu``, ``tỷ``, then ``nghìn tỷ``.
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _triple(n: int, *, leading: bool, odd_word: str) -> list[str]:
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append(odd_word)
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units == 1:
            words.append("mốt")
        elif units == 4:
            words.append("tư")
        elif units == 5:
            words.append("lăm")
        elif units:
            words.append(DIGITS[units])
    return words


def _below_billion(n: int, *, leading: bool, thousand: str, odd_word: str) -> list[str]:
    groups = [(n // 1_000_000) % 1000, (n // 1000) % 1000, n % 1000]
    scales = ["triệu", thousand, ""]
    words: list[str] = []
    for value, scale in zip(groups, scales, strict=True):
        if value == 0:
            continue
        words += _triple(value, leading=leading and not words, odd_word=odd_word)
        if scale:
            words.append(scale)
    return words


def number_words(n: int, *, thousand: str = "nghìn", odd_word: str = "linh") -> str:
    """``2026`` -> ``hai nghìn không trăm hai mươi sáu``."""
    if n < 0:
        return "âm " + number_words(-n, thousand=thousand, odd_word=odd_word)
    if n == 0:
        return "không"
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        words = [number_words(high, thousand=thousand, odd_word=odd_word), "tỷ"]
        if low:
            words += _below_billion(low, leading=False, thousand=thousand, odd_word=odd_word)
        return " ".join(words)
    return " ".join(_below_billion(n, leading=True, thousand=thousand, odd_word=odd_word))


def digits_words(digits: str) -> str:
    """Digit by digit: ``0912`` -> ``không chín một hai``."""
    return " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def decimal_words(integer: int, fraction: str, **kwargs) -> str:
    """``2,5`` -> ``hai phẩy năm``; ``0,05`` -> ``không phẩy không năm``."""
    if fraction.startswith("0") or len(fraction) > 2:
        tail = digits_words(fraction)
    else:
        tail = number_words(int(fraction), **kwargs)
    return f"{number_words(integer, **kwargs)} phẩy {tail}"


def day_words(day: int, **kwargs) -> str:
    """Days 1-10 take ``mồng`` (ngày mồng một ... mồng mười)."""
    return f"mồng {number_words(day, **kwargs)}" if day <= 10 else number_words(day, **kwargs)


def month_words(month: int, **kwargs) -> str:
    """Month four is ``tháng tư``, never ``tháng bốn``."""
    return "tư" if month == 4 else number_words(month, **kwargs)


def ordinal_words(n: int, **kwargs) -> str:
    """After ``thứ``: 1 -> ``nhất``, 4 -> ``tư``."""
    if n == 1:
        return "nhất"
    if n == 4:
        return "tư"
    return number_words(n, **kwargs)


def roman_to_int(numeral: str) -> int | None:
    """Strict Roman numerals only (``IIII`` and ``IC`` are rejected)."""
    numeral = numeral.upper()
    if not numeral or any(c not in _ROMAN for c in numeral):
        return None
    total = 0
    for index, char in enumerate(numeral):
        value = _ROMAN[char]
        if index + 1 < len(numeral) and _ROMAN[numeral[index + 1]] > value:
            total -= value
        else:
            total += value
    if total <= 0 or to_roman(total) != numeral:
        return None
    return total


def to_roman(n: int) -> str:
    parts = []
    for value, symbol in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            parts.append(symbol)
            n -= value
    return "".join(parts)
