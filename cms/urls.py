from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from content_types import views as site_views

from .api import api_router

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", site_views.search, name="search"),
    path("api/v2/", api_router.urls),
    path("api/devices/", include("device_bridge.urls")),
    path("api/contests/", include("contests.api.urls")),
    path("hoi-thi/", include("contests.judging.urls")),
    path("audio/", include("device_bridge.tts.urls")),
    path("workflows/", include("workflows.urls")),
    path("zalo/", include("device_bridge.feedback.urls")),
    path("cap/", include("device_bridge.cap.urls")),
]

# The Django admin bypasses Wagtail's page permissions and workflows: developers only.
if settings.DJANGO_ADMIN_ENABLED:
    urlpatterns.insert(0, path("django-admin/", admin.site.urls))

if settings.DEBUG:
    from django.urls import re_path
    from django.views.static import serve

    # Only images are plain files (Wagtail's design). Documents and rendered audio are never
    # served from /media/: their views check who may have them (docs/operations.md).
    media_prefix = settings.MEDIA_URL.strip("/")
    urlpatterns += [
        re_path(
            rf"^{media_prefix}/(?P<path>(?:original_images|images)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "content_types.views.page_not_found"
handler500 = "content_types.views.server_error"
