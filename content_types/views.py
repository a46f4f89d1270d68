"""Public views outside the page tree: search and error pages."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Site

from .selectors import page_search

MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    message = ""
    results = []
    if query:
        results = page_search(query, site=Site.find_for_request(request))
    paginator = Paginator(results, 10)
    try:
        page = paginator.page(request.GET.get("page", "1"))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
        message = _("Số trang không hợp lệ, đang hiển thị trang đầu.")
    return TemplateResponse(
        request,
        "content_types/search.html",
        {"search_query": query, "search_results": page, "page_error": message},
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the database may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
