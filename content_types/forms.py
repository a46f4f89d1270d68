"""Admin forms that offer only zones in use (an inactive zone stays where it already is)."""

from django.db.models import Model, Q
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from .snippets import Zone


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
