"""One commune's admin sees one commune's contest records (question bank, teams, criteria).

One installation may serve several communes, each a Wagtail ``Site``; the admin a request is
on belongs to ``Site.find_for_request(request)``. The snippet viewsets built here list, open,
edit, copy, delete (one by one or in bulk) and choose only the records whose ``site`` is that
Site, and offer only that Site's contests in their forms and filters. A record of another
commune is a 404, as if it did not exist.
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.functional import classproperty
from wagtail.admin.filters import WagtailFilterSet
from wagtail.models import Site
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views

from .models import ContestPage


def commune_site(request) -> Site | None:
    return Site.find_for_request(request)


def commune_contests(request, *, kind: str | None = None):
    """The contest pages under the requesting commune's site (none for an unknown host)."""
    site = commune_site(request)
    if site is None:
        return ContestPage.objects.none()
    pages = ContestPage.objects.descendant_of(site.root_page, inclusive=True)
    return pages.filter(kind=kind) if kind else pages


def scoped(queryset, request):
    site = commune_site(request)
    return queryset.filter(site=site) if site is not None else queryset.none()


class _ObjectInSite:
    """Refuse (404) an object of another commune, whichever generic view loads it."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        site = commune_site(self.request)
        if obj is not None and (site is None or obj.site_id != site.pk):
            raise Http404
        return obj


class _ContestChoicesInSite:
    """The form's contest field offers (and accepts) only this commune's contests."""

    contest_kind: str | None = None

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get("contest")
        if field is not None:
            field.queryset = commune_contests(self.request, kind=self.contest_kind)
        return form


class _IndexInSite(snippet_views.IndexView):
    def get_base_queryset(self):
        return scoped(super().get_base_queryset(), self.request)


def _contest_filterset(model, kind: str | None, extra_fields: list[str]):
    """A listing filter whose contest choices are the requesting commune's only."""

    def contests(request):
        return commune_contests(request, kind=kind) if request else ContestPage.objects.none()

    class Meta:
        fields = extra_fields

    Meta.model = model
    return type(f"{model.__name__}SiteFilterSet", (WagtailFilterSet,), {
        "contest": django_filters.ModelChoiceFilter(queryset=contests, label=model._meta.get_field("contest").verbose_name),
        "Meta": Meta,
    })


class _ChooseInSite:
    def get_object_list(self):
        return scoped(super().get_object_list(), self.request)


class _ChosenInSite:
    def get_object(self, pk):
        obj = super().get_object(pk)
        site = commune_site(self.request)
        if site is None or obj.site_id != site.pk:
            raise obj.DoesNotExist
        return obj


class _ChosenManyInSite:
    def get_objects(self, pks):
        return scoped(super().get_objects(pks), self.request)


class SiteScopedChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = type("ChooseView", (_ChooseInSite, snippet_chooser.ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (_ChooseInSite, snippet_chooser.ChooseResultsView), {}
    )
    chosen_view_class = type("ChosenView", (_ChosenInSite, snippet_chooser.SnippetChosenView), {})
    chosen_multiple_view_class = type(
        "ChosenMultipleView", (_ChosenManyInSite, snippet_chooser.SnippetChosenMultipleView), {}
    )


def site_scoped_viewset(base: type[snippet_views.SnippetViewSet], *, contest_kind: str | None = None,
                        filter_fields: tuple[str, ...] = ()) -> type[snippet_views.SnippetViewSet]:
    """``base`` with every view held to the requesting commune's records.

    ``base`` declares ``model`` and its listing; ``filter_fields`` are the listing filters
    besides the contest (which this adds, restricted to the commune's contests).
    """

    def view(parent, *mixins):
        return type(parent.__name__, (*mixins, parent), {"contest_kind": contest_kind})

    attrs = {
        "index_view_class": view(_IndexInSite),
        "add_view_class": view(snippet_views.CreateView, _ContestChoicesInSite),
        "edit_view_class": view(snippet_views.EditView, _ObjectInSite, _ContestChoicesInSite),
        "copy_view_class": view(snippet_views.CopyView, _ObjectInSite, _ContestChoicesInSite),
        "delete_view_class": view(snippet_views.DeleteView, _ObjectInSite),
        "usage_view_class": view(snippet_views.UsageView, _ObjectInSite),
        "history_view_class": view(snippet_views.HistoryView, _ObjectInSite),
        "inspect_view_class": view(snippet_views.InspectView, _ObjectInSite),
        "chooser_viewset_class": SiteScopedChooserViewSet,
        "filterset_class": _contest_filterset(base.model, contest_kind, list(filter_fields)),
    }
    return type(base.__name__, (base,), attrs)


class SiteScopedDeleteBulkAction(DeleteBulkAction):
    """Bulk delete of the commune's own records only: another commune's ids (or "all") are
    left out entirely, not even listed as refused."""

    @classproperty
    def models(cls):
        from .judging.models import Criterion, Team
        from .models import Question

        return [Question, Team, Criterion]

    def get_queryset(self, model, object_ids):
        return list(scoped(model.objects.filter(pk__in=object_ids), self.request))

    def get_all_objects_in_listing_query(self, parent_id):
        return scoped(self.model.objects.all(), self.request).values_list("pk", flat=True)
