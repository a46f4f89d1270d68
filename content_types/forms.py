"""Admin forms that offer only zones in use (an inactive zone stays where it already is)."""

from anyascii import anyascii
from django.db.models import Model, Q
from django.utils.text import slugify
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.widgets import SlugInput

from .snippets import Zone

# The admin's slug auto-fill (Wagtail's JS urlify) has no Vietnamese map: it drops tone-marked
# vowels ("ẩ") and turns "đ" into "dj" (its Serbian map). These run first, in the browser.
_VIETNAMESE_LETTERS = {
    "a": "àáảãạăằắẳẵặâầấẩẫậ",
    "d": "đ",
    "e": "èéẻẽẹêềếểễệ",
    "i": "ìíỉĩị",
    "o": "òóỏõọôồốổỗộơờớởỡợ",
    "u": "ùúủũụưừứửữự",
    "y": "ỳýỷỹỵ",
}
SLUG_FORMATTERS = [(f"[{letters}]", base) for base, letters in _VIETNAMESE_LETTERS.items()] + [
    (f"[{letters.upper()}]", base.upper()) for base, letters in _VIETNAMESE_LETTERS.items()
]


def ascii_slugify(value: str) -> str:
    """An ASCII slug, Vietnamese transliterated: "Khẩn cấp: đường Đông" -> "khan-cap-duong-dong"."""
    return slugify(anyascii(value or ""))


def slug_input() -> SlugInput:
    return SlugInput(formatters=SLUG_FORMATTERS)


def _ids(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, Model):
        return [value.pk]
    if hasattr(value, "__iter__") and not isinstance(value, str):
        return [pk for item in value for pk in _ids(item)]
    return [value]


class ActiveZonesMixin:
    """Every Zone field lists active zones plus the ones the object already has.

    Dropping an inactive zone the object already has from the choices would silently remove
    it on the next save and widen the audience to the whole commune.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or queryset.model is not Zone:
                continue
            field.queryset = queryset.filter(Q(is_active=True) | Q(pk__in=_ids(self.initial.get(name))))


class ActiveZonesPageForm(ActiveZonesMixin, WagtailAdminPageForm):
    pass


class ActiveZonesModelForm(ActiveZonesMixin, WagtailAdminModelForm):
    pass
