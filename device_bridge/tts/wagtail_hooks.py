"""Admin glue: lexicon snippet, the page audio view and its header button."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import PronunciationEntry


class PronunciationViewSet(SnippetViewSet):
    model = PronunciationEntry
    icon = "openquote"
    menu_label = _("Từ điển phát âm")
    menu_order = 230
    add_to_admin_menu = True
    list_display = ["written", "spoken", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["written", "spoken"]


register_snippet(PronunciationViewSet)


@hooks.register("register_admin_urls")
def register_tts_admin_urls():
    from . import admin_urls  # late: its views load PyAV/scipy, which the hook scan needn't

    return [path("tts/", include(admin_urls, namespace="tts_admin"))]


class PageAudioButton(PageMenuItem):
    label = _("Âm thanh phát thanh")
    icon_name = "media"
    priority = 66

    @property
    def url(self):
        return reverse("tts_admin:page_audio", args=[self.page.pk])


@hooks.register("register_page_header_buttons")
def page_audio_header_button(page, user, view_name, next_url=None):
    if (
        hasattr(page.specific_class or object, "spoken_text")
        and page.permissions_for_user(user).can_edit()
    ):
        yield PageAudioButton(page=page)
