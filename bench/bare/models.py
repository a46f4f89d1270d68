"""A bare Wagtail page with the bulletin's body: the baseline ``bench/site.py`` compares with."""

from wagtail.fields import StreamField
from wagtail.models import Page

from content_types.blocks import BodyBlock


class BarePage(Page):
    body = StreamField(BodyBlock(), blank=True)
    template = "bare/bare_page.html"
