from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import deletion
from .admin_scope import SiteScopedDeleteBulkAction, site_scoped_viewset
from .models import ContestPage, Question


class QuestionViewSet(SnippetViewSet):
    """The question bank (ngân hàng câu hỏi), one contest's questions filtered at a time; each
    commune's admin holds only its own questions (``admin_scope``)."""

    model = Question
    icon = "help"
    menu_label = _("Ngân hàng câu hỏi")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["text", "contest", "kind", "active"]
    list_filter = ["contest", "kind", "active"]
    search_fields = ["text"]
    search_backend_name = None


register_snippet(site_scoped_viewset(QuestionViewSet, contest_kind=ContestPage.Kind.QUIZ,
                                     filter_fields=("kind", "active")))


# After Wagtail's own snippet bulk delete (order 0), which it replaces for these models.
hooks.register("register_bulk_action", SiteScopedDeleteBulkAction, order=10)


@hooks.register("before_delete_page")
def keep_entered_contests(request, page):
    return deletion.refuse_page_delete(request, [page])


@hooks.register("before_move_page")
def keep_contests_in_their_commune(request, page, destination):
    return deletion.refuse_move_to_another_site(request, [page], destination)


@hooks.register("before_bulk_action")
def keep_entered_contests_in_bulk(request, action_type, objects, action_class_instance):
    if not objects or not isinstance(objects[0], Page):
        return None
    if action_type == "delete":
        return deletion.refuse_page_delete(request, objects)
    if action_type == "move":
        form = getattr(action_class_instance, "cleaned_form", None)
        destination = form.cleaned_data.get("chooser") if form is not None else None
        return deletion.refuse_move_to_another_site(request, objects, destination)
    return None


@hooks.register("before_delete_snippet")
def keep_answered_questions(request, instances):
    from .judging.models import Criterion

    questions = [obj for obj in instances if isinstance(obj, Question)]
    if questions:
        return deletion.refuse_question_delete(request, questions)
    criteria = [obj for obj in instances if isinstance(obj, Criterion)]
    return deletion.refuse_criterion_delete(request, criteria) if criteria else None


# The organisers' admin views register their own URLs, menu item and page buttons.
from . import admin_views  # noqa: E402, F401
