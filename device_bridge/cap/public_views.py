"""The public CAP feed of a commune's live emergency bulletins (no login: it is public news)."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.models import Site

from . import selectors
from .export import ATOM_CONTENT_TYPE, CAP_CONTENT_TYPE, bulletin_cap, emergencies_atom


def _site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


@require_safe
def feed_view(request):
    site = _site(request)
    pages = list(selectors.emergencies_public(site=site))

    def entry_url(page):
        return request.build_absolute_uri(reverse("cap:alert", args=[page.pk]))

    body = emergencies_atom(pages=pages, site=site, feed_url=request.build_absolute_uri(), entry_url=entry_url)
    return HttpResponse(body, content_type=ATOM_CONTENT_TYPE)


@require_safe
def alert_view(request, page_id: int):
    site = _site(request)
    page = selectors.emergency_public(site=site, page_id=page_id)
    if page is None:
        raise Http404
    url = page.get_full_url(request) or request.build_absolute_uri(page.get_url(request))
    return HttpResponse(bulletin_cap(page=page, site=site, url=url), content_type=CAP_CONTENT_TYPE)
