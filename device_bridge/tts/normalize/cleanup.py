"""First pass: markup, URLs, e-mail addresses, emoji and characters no voice can read."""

from __future__ import annotations

import html
import re
import unicodedata

_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/li|/h[1-6]|/div|/tr|/blockquote)\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]*)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_MD_LINE_PREFIX = re.compile(r"^[ \t]*(?:#{1,6}|>+|[-*+•·▪●◦–]|\d+\\\.)[ \t]+", re.M)
_BACKTICKS = re.compile(r"`+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.I)
_EMAIL = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
_INVISIBLE = {"\u200d", "\u200c", "\ufe0e", "\ufe0f", "\u20e3", "\u00ad", "\u2060", "\ufeff"}
#: Symbols that later passes read (degree sign) are kept; everything else pictographic goes.
_KEEP_SYMBOLS = {"°", "%", "&", "+", "=", "@", "#", "/", "$", "€", "₫", "~", "<", ">"}
_DOMAIN_WORDS = {
    "gov": "gờ o vê",
    "vn": "vê en",
    "com": "com",
    "org": "o rờ gờ",
    "net": "nét",
    "edu": "e đu",
    "www": "vê kép vê kép vê kép",
}


def _domain_spoken(domain: str) -> str:
    parts = [p for p in domain.lower().strip(".").split(".") if p and p != "www"]
    return " chấm ".join(_DOMAIN_WORDS.get(part, part) for part in parts)


def _url_spoken(match: re.Match) -> str:
    url = re.sub(r"^(?:https?://)?", "", match.group(0), flags=re.I).rstrip(".,;:!?)")
    trailing = match.group(0)[len(match.group(0).rstrip(".,;:!?)")) :]
    domain = url.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    return f" trang {_domain_spoken(domain)} {trailing}"


def _email_spoken(match: re.Match) -> str:
    local = match.group(1).replace(".", " chấm ").replace("_", " gạch dưới ")
    return f" {local} a còng {_domain_spoken(match.group(2))} "


def strip_markup(text: str) -> str:
    if "<" in text and ">" in text:
        text = _BLOCK_TAGS.sub("\n", text)
        text = _TAGS.sub(" ", text)
    text = html.unescape(text)
    text = _MD_IMAGE.sub(" ", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    text = _MD_LINE_PREFIX.sub("", text)
    return _BACKTICKS.sub("", text)


def speak_addresses(text: str) -> str:
    text = _EMAIL.sub(_email_spoken, text)
    return _URL.sub(_url_spoken, text)


def remove_unreadable(text: str) -> tuple[str, list[str]]:
    """Drop emoji, pictographs, control and unsupported-script characters.

    Returns the text and the distinct letters dropped from scripts other than Latin
    (Chinese, Cyrillic...), which the caller reports to the editor.
    """
    kept: list[str] = []
    dropped_letters: list[str] = []
    for char in text:
        if char in "\n\t":
            kept.append(char)
            continue
        if char in _INVISIBLE:
            continue
        category = unicodedata.category(char)
        if category.startswith("L"):
            if unicodedata.name(char, "").startswith("LATIN"):
                kept.append(char)
            else:
                if char not in dropped_letters:
                    dropped_letters.append(char)
                kept.append(" ")
        elif category in {"So", "Sk", "Sm", "Cs", "Co", "Cn", "Cc", "Cf"}:
            kept.append(char if char in _KEEP_SYMBOLS else " ")
        elif category == "Mn":
            continue
        else:
            kept.append(char)
    return "".join(kept), dropped_letters


def unify(text: str) -> str:
    """Compatibility forms (full-width digits, ℃) to plain ones; Vietnamese stays composed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00a0", " ").replace("…", "...")
    text = re.sub(r"[“”„«»\"]", "", text)
    text = re.sub(r"[‘’`´]", "'", text)
    return unicodedata.normalize("NFC", text)
