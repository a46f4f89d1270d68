"""The contest page's admin form: a round people have already entered cannot be removed, and
a contest people have entered keeps its kind (quiz or judged)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


class ContestPageForm(WagtailAdminPageForm):
    def is_valid(self):
        # The rounds' formset is cleaned after the page form's own clean(): check here.
        valid = super().is_valid()
        rounds = self.formsets.get("rounds")
        if not valid or rounds is None:
            return valid
        for form in rounds.forms:
            instance = form.instance
            # Attempts and judged entries point at the round (PROTECT): removing it would fail
            # at publication, possibly in the middle of an approval, or lose the entrants' results.
            if (
                instance.pk and rounds._should_delete_form(form)
                and (instance.attempts.exists() or instance.judged_entries.exists())
            ):
                self.add_error(
                    None,
                    _("Không thể xoá đợt thi “%(title)s” vì đã có người dự thi.")
                    % {"title": instance.title},
                )
                valid = False
        return valid

    def clean_kind(self):
        kind = self.cleaned_data.get("kind")
        page = self.instance
        if page.pk and kind and kind != page.kind:
            from .deletion import contest_pages_with_entries

            if contest_pages_with_entries(page):
                raise ValidationError(
                    _("Cuộc thi đã có người (hoặc đội) dự thi: không đổi được hình thức thi.")
                )
        return kind
