from wagtail.models import Site

from .selectors import bulletin_emergency_live


def site_chrome(request):
    """Navigation and the emergency banner on every public page; the admin needs neither."""
    if request.path.startswith(("/admin/", "/django-admin/", "/api/", "/audio/", "/workflows/")):
        return {}
    site = Site.find_for_request(request)
    nav_pages = []
    if site is not None:
        nav_pages = list(site.root_page.get_children().live().in_menu().only("id", "title", "url_path", "path", "depth"))
    return {"emergency_bulletins": bulletin_emergency_live(site=site), "nav_pages": nav_pages}
