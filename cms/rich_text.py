"""The admin's rich-text editor with an accessible name.

Wagtail renders Draftail's editable area as ``role="textbox"`` without a label (axe-core:
``aria-input-field-name``, serious), so screen-reader users editing a bulletin's paragraphs hear
"edit text" and nothing else. Draftail accepts an ``ariaLabel`` option; Wagtail passes the
widget's options through unchanged, to page fields and StreamField blocks alike.
"""

from django.utils.translation import gettext
from wagtail.admin.rich_text import DraftailRichTextArea


class LabelledDraftailRichTextArea(DraftailRichTextArea):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options["ariaLabel"] = gettext("Ô soạn thảo văn bản")
