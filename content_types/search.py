"""Vietnamese-aware public search: tone folding and the ranking rule on top of Wagtail search.

Vietnamese tells words apart by their tones: "bão" (storm), "bảo" (insure), "báo" (report) and
"bao" (bag) are different words that share their letters. A resident who types the tones means
that word; one who types none (phones often do) means any of them. So:

- each page is indexed twice (``search_fields``): as written, and folded to bare letters
  (``search_text_folded``, lowest boost), so a query without tones finds every spelling;
- the query is searched as typed *or* folded, through the configured Wagtail backend
  (PostgreSQL full-text search in production: its "simple" configuration keeps tones, and the
  field boosts make an exact title match outrank a body match and both outrank a folded one);
- the backend's candidates are then ordered by :func:`tone_match_score`, stable on the backend's
  own relevance. SQLite's FTS5 tokenizer strips diacritics and ignores field boosts, so without
  this rule "Bảo hiểm" and "Cảnh báo bão" tie there; on PostgreSQL it agrees with the ranking.
"""

import re
import unicodedata

from anyascii import anyascii
from wagtail.search import index

# Boosts of the page types' search fields (PostgreSQL maps them to tsvector weights A-D).
BODY_BOOST = 1
FOLDED_BOOST = 0.5

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """``text`` without tones or marks, lower case: "Cảnh báo BÃO" -> "canh bao bao" (đ -> d)."""
    return anyascii(unicodedata.normalize("NFC", text)).lower()


def words(text: str) -> list[str]:
    """The words of ``text`` as typed (tones kept), lower case, in Unicode NFC."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def _flatten(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = value.values()
    if isinstance(value, list | tuple) or hasattr(value, "__iter__"):
        return [text for item in value for text in _flatten(item)]
    return [str(value)]


def indexed_text(page, *, title: bool) -> str:
    """The text of ``page``'s own search fields: the title alone, or everything but the title."""
    parts = []
    for field in page.get_search_fields():
        if not isinstance(field, index.SearchField) or field.field_name == "search_text_folded":
            continue
        if (field.field_name == "title") != title:
            continue
        parts.extend(_flatten(field.get_value(page)))
    return " ".join(parts)


def tone_match_score(page, query: str) -> int:
    """How well ``page`` matches the words of ``query`` with their tones: for each word, 4 if
    the title has it as typed, 2 if the rest of the page does, 1 if the title has it folded."""
    title_words = set(words(page.title))
    folded_title_words = {fold(word) for word in title_words}
    text_words = set(words(indexed_text(page, title=False)))
    score = 0
    for word in words(query):
        score += 4 * (word in title_words) + 2 * (word in text_words)
        score += fold(word) in folded_title_words
    return score


class FoldedSearchMixin:
    """Indexes a page's searchable text a second time, folded, for queries typed without tones."""

    @property
    def search_text_folded(self) -> str:
        return fold(f"{indexed_text(self, title=True)} {indexed_text(self, title=False)}")
