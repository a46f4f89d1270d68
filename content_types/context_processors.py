from .selectors import bulletin_emergency_live


def site_chrome(request):
    """The emergency banner on every public page; the admin does not need it."""
    if request.path.startswith(("/admin/", "/django-admin/", "/api/")):
        return {}
    return {"emergency_bulletins": bulletin_emergency_live()}
