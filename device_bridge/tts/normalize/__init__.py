"""Text normalisation for radio (chuẩn hóa văn bản để đọc): what the announcer would say.

``normalize(text, lexicon=...)`` returns the spoken form. Passes run in this order, each
seeing the output of the previous one (rules are documented in ``docs/speech.md``):

1. unify Unicode, strip HTML/Markdown, speak URLs and e-mail addresses, drop emoji and
   letters of scripts no Vietnamese voice reads (reported as warnings);
2. legal references (``49/2024/NĐ-CP``) - before dates, which they resemble;
3. the pronunciation lexicon (UBND, HĐND, CNTT-VT...) - before numbers (COVID-19);
4. phone numbers, dates, ranges, times - before the dashes and colons they contain are
   taken for something else;
5. money, percentages and units, ordinals and Roman numerals, then every other number;
6. unknown all-caps words, symbols, punctuation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

from ..exceptions import SpeechInputError
from . import cleanup, legal, rules, words
from .numbers import number_words

__all__ = ["NormalizedText", "normalize", "number_words"]

DEFAULT_MAX_CHARS = 20_000


@dataclass(frozen=True)
class NormalizedText:
    text: str
    warnings: list[str] = field(default_factory=list)


def normalize(
    text: str,
    *,
    lexicon: dict[str, str] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> NormalizedText:
    """The spoken form of ``text``; raises :class:`SpeechInputError` for unusable input."""
    if text is None or not text.strip():
        raise SpeechInputError(gettext("Văn bản phát thanh trống."))
    if len(text) > max_chars:
        raise SpeechInputError(
            gettext("Văn bản quá dài để đọc (%(length)s ký tự, tối đa %(limit)s).")
            % {
                "length": f"{len(text):,}".replace(",", "."),
                "limit": f"{max_chars:,}".replace(",", "."),
            }
        )
    lexicon = lexicon or {}
    warnings: list[str] = []

    text = cleanup.unify(text)
    text = cleanup.strip_markup(text)
    text = cleanup.speak_addresses(text)
    text, dropped = cleanup.remove_unreadable(text)
    if dropped:
        warnings.append(
            gettext("Đã bỏ các ký tự không đọc được: %(chars)s") % {"chars": " ".join(dropped[:20])}
        )

    text = legal.speak_references(text, lexicon=lexicon, spell=words.spell)
    text = words.apply_lexicon(text, lexicon)
    text = rules.speak_phones(text)
    text = rules.speak_dates(text)
    text = rules.speak_ranges(text)
    text = rules.speak_times(text)
    text = rules.speak_units(text)
    text = rules.speak_ordinals(text)
    text = rules.speak_numbers(text)
    text = words.speak_capitals(text)
    text = words.speak_symbols(text)
    text = words.finish(text)

    if not text.strip():
        raise SpeechInputError(gettext("Văn bản không còn nội dung đọc được sau khi chuẩn hóa."))
    return NormalizedText(text=text, warnings=warnings)
