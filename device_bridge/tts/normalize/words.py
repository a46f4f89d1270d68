"""Words: the pronunciation lexicon, unknown all-caps words, symbols and final punctuation."""

from __future__ import annotations

import re
import unicodedata

LETTER_NAMES = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em",
    "N": "en",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i dài",
    "Z": "dét",
}
# A Vietnamese syllable written without diacritics: onset, vowel nucleus, coda. Used to tell
# an all-caps word that is speakable (HOA, TIN, NAM) from an acronym to spell (UBND, WHO).
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"(?:[aăâeêioôơuưy]{1,3})"
    r"(?:ch|ng|nh|[cmnpt])?$",
    re.I,
)
_WORD = re.compile(r"(?<![\w'])([^\W_][\w]*)(?![\w'])")
_WORD_RUN = re.compile(r"(?:[^\W\d_]+[ ,:]*){3,}")
# "Y" is left alone: it is also a word (y tế, Bộ Y tế).
_SINGLE_CAPITAL = re.compile(r"(?<![\w'])([B-DF-HJ-NP-TV-XZĐ])(?![\w'])")
_SYMBOLS = [
    (re.compile(r"\s*&\s*"), " và "),
    (re.compile(r"(?<=\w)\s*\+\s*(?=\w)"), " cộng "),
    (re.compile(r"\s*=\s*"), " bằng "),
    (re.compile(r"(?<=\w)\s*/\s*(?=\w)"), " trên "),
    (re.compile(r"\s*@\s*"), " a còng "),
    (re.compile(r"\s*~\s*(?=\w)"), " khoảng "),
    (re.compile(r"[#*_|\\^<>{}$€°%/]+"), " "),
    (re.compile(r"[\[(]"), ", "),
    (re.compile(r"[\])]"), ", "),
]


def has_diacritics(word: str) -> bool:
    return (
        any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", word))
        or "Đ" in word.upper()
    )


def spell(word: str) -> str:
    """``UBND`` -> ``u bê en đê``; digits inside stay for the number pass."""
    spoken = []
    for char in word:
        upper = char.upper()
        if upper in LETTER_NAMES:
            spoken.append(LETTER_NAMES[upper])
        elif char.isdigit():
            spoken.append(char)
    return " ".join(spoken)


def lexicon_pattern(lexicon: dict[str, str]) -> re.Pattern | None:
    if not lexicon:
        return None
    alternatives = "|".join(re.escape(k) for k in sorted(lexicon, key=len, reverse=True))
    return re.compile(rf"(?<![\w])({alternatives})(?![\w])")


def apply_lexicon(text: str, lexicon: dict[str, str], pattern: re.Pattern | None = None) -> str:
    pattern = pattern or lexicon_pattern(lexicon)
    if pattern is None:
        return text
    return pattern.sub(lambda m: lexicon[m.group(1)], text)


def speak_capitals(text: str) -> str:
    """Shouted headlines become words; unknown acronyms are spelled letter by letter."""

    def run(match: re.Match) -> str:
        chunk = match.group(0)
        tokens = re.findall(r"[^\W\d_]+", chunk)
        if all(t.isupper() and len(t) > 1 for t in tokens[:3]) and sum(map(has_diacritics, tokens)):
            return chunk.lower()
        return chunk

    text = _WORD_RUN.sub(run, text)

    def word(match: re.Match) -> str:
        token = match.group(1)
        if not (token.isupper() and len(token) >= 2 and not token.isdigit()):
            return token
        if has_diacritics(token):
            return token.lower()
        letters = re.sub(r"\d", "", token)
        if len(letters) >= 2 and token.isalpha() and _SYLLABLE.match(token):
            return token.lower()
        return spell(token)

    text = _WORD.sub(word, text)
    return _SINGLE_CAPITAL.sub(lambda m: LETTER_NAMES[m.group(1)], text)


def speak_symbols(text: str) -> str:
    for pattern, replacement in _SYMBOLS:
        text = pattern.sub(replacement, text)
    return text


def finish(text: str) -> str:
    """One sentence-ending mark per line, single spaces, no stray punctuation."""
    lines = []
    for raw in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", raw).strip(" ,;:-–—")
        line = re.sub(r"\s+([,.;:!?])", r"\1", line)
        line = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", line)
        line = re.sub(r"\.{2,}", ".", line)
        line = re.sub(r"([!?])[!?.]+", r"\1", line)
        line = re.sub(r"([.!?])\s*[,;:]+", r"\1", line)
        line = re.sub(r"(?<=[,;:.!?])(?=[^\s\d.,;:!?])", " ", line)
        line = re.sub(r"\s*[-–—]{1,2}\s+|\s+[-–—]{1,2}\s*", ", ", line)
        line = re.sub(r"\s{2,}", " ", line).strip(" ,;:")
        if not re.search(r"\w", line):
            continue
        if line[-1] not in ".!?":
            line += "."
        lines.append(line)
    return "\n".join(lines)
