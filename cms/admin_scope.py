"""Wagtail model viewsets kept to the commune of the request.

Every view takes its records through ``SiteScoped.get_queryset``: another commune's record is
a 404 in lists, edit, delete, history and usage alike, and a new record gets the site the admin
is on. The models carry a ``site`` foreign key; the permissions are the models' own.
"""

from __future__ import annotations

from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Site


def request_site(request) -> Site | None:
    return Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()


class SiteScopedObject:
    """Wagtail's single-object lookup (history, usage)."""

    def get_base_object_queryset(self):
        return self.model._default_manager.filter(site=request_site(self.request))


class SiteScoped(SiteScopedObject):
    """Also Django's ``get_queryset``, which edit and delete look their object up in."""

    def get_queryset(self):
        return self.get_base_object_queryset()


class ScopedEditView(SiteScoped, generic.EditView):
    pass


class ScopedDeleteView(SiteScoped, generic.DeleteView):
    pass


class ScopedHistoryView(SiteScopedObject, HistoryView):
    pass


class ScopedUsageView(SiteScopedObject, UsageView):
    pass


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(site=request_site(self.request))


class ScopedCreateView(generic.CreateView):
    def get_initial_form_instance(self):
        return self.model(site=request_site(self.request))


class ScopedViewSet(ModelViewSet):
    add_to_admin_menu = False
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False  # copying would read any site's record
    inspect_view_enabled = False
    search_backend_name = None  # not in the search index: filter in the database
