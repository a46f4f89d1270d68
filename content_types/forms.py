"""Admin forms that offer only zones in use (an inactive zone stays where it already is)."""

import datetime as dt

from anyascii import anyascii
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
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


EMERGENCY_VALIDITY = dt.timedelta(hours=24)


def emergency_valid_until_default(now=None) -> dt.datetime:
    """The suggested end of an emergency: 24 hours ahead, to the minute."""
    return ((now or timezone.now()) + EMERGENCY_VALIDITY).replace(second=0, microsecond=0)


class BulletinPageForm(ActiveZonesPageForm):
    """An emergency (khẩn cấp) must say until when it holds, or it stays on the banner forever."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Priority

        if "valid_until" in self.fields and not self.initial.get("valid_until"):
            field = self.fields["valid_until"]
            field.help_text = _(
                "Sau thời điểm này tin không còn được phát trên loa. Bắt buộc với tin khẩn cấp "
                "(mặc định 24 giờ sau khi lưu, có thể sửa)."
            )
            if self.initial.get("priority") == Priority.EMERGENCY:
                self.initial["valid_until"] = emergency_valid_until_default()

    def clean(self):
        from .models import Priority

        cleaned_data = super().clean()
        if cleaned_data.get("priority") == Priority.EMERGENCY and not cleaned_data.get("valid_until"):
            # Never an emergency without an end: left empty, it holds 24 hours from this save.
            cleaned_data["valid_until"] = emergency_valid_until_default()
        return cleaned_data


class ActiveZonesModelForm(ActiveZonesMixin, WagtailAdminModelForm):
    pass
