from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Question


class QuestionViewSet(SnippetViewSet):
    """The question bank (ngân hàng câu hỏi), one contest's questions filtered at a time."""

    model = Question
    icon = "help"
    menu_label = _("Ngân hàng câu hỏi")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["text", "contest", "kind", "active"]
    list_filter = ["contest", "kind", "active"]
    search_fields = ["text"]
    search_backend_name = None


register_snippet(QuestionViewSet)

# The organisers' admin views register their own URLs, menu item and page buttons.
from . import admin_views  # noqa: E402, F401
