from django.contrib.contenttypes.models import ContentType
from wagtail.models import Site

from .selectors import bulletin_emergency_live


def site_chrome(request):
    """Navigation, the feed for autodiscovery and the emergency banner on every public page;
    the admin needs none of them."""
    if request.path.startswith(("/admin/", "/django-admin/", "/api/", "/audio/", "/workflows/")):
        return {}
    from .models import NewsIndexPage

    site = Site.find_for_request(request)
    nav_pages, feed_url = [], ""
    if site is not None:
        # One query for both: the news index is always a child of the home page.
        children = list(
            site.root_page.get_children().live()
            .only("id", "title", "url_path", "path", "depth", "show_in_menus", "content_type_id")
        )
        nav_pages = [page for page in children if page.show_in_menus]
        news_type = ContentType.objects.get_for_model(NewsIndexPage)
        news = next((page for page in children if page.content_type_id == news_type.pk), None)
        if news is not None:
            feed_url = news.get_url(request) + NewsIndexPage.get_resolver().reverse("rss")
    return {
        "emergency_bulletins": bulletin_emergency_live(site=site),
        "nav_pages": nav_pages,
        "feed_url": feed_url,
    }
