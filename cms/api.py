"""Wagtail API v2: the headless face of the portal.

Wagtail answers bad query parameters with English messages; residents' apps and the province's
integrators get them in Vietnamese, with the original kept under ``detail``.
"""

import re

from django.utils.translation import gettext as _
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Site

from content_types.selectors import media_in_public_use, public_pages

_MESSAGE_PATTERNS = [
    (re.compile(r"^(\w+) must be a positive integer$"), lambda m: _("Tham số “%(name)s” phải là số nguyên dương.") % {"name": m[1]}),
    (re.compile(r"^limit cannot be higher than (\d+)$"), lambda m: _("Tham số “limit” không được lớn hơn %(max)s.") % {"max": m[1]}),
    (re.compile(r"^query parameter is not an operation or a recognised field: (.+)$"), lambda m: _("Tham số không được hỗ trợ: %(names)s.") % {"names": m[1]}),
    (re.compile(r"^type doesn't exist$"), lambda m: _("Loại trang không tồn tại.")),
    (re.compile(r"^field does not exist: (.+)$"), lambda m: _("Trường không tồn tại: %(names)s.") % {"names": m[1]}),
    (re.compile(r"^cannot order by '(.+)' \(unknown field\)$"), lambda m: _("Không thể sắp xếp theo “%(name)s”.") % {"name": m[1]}),
    (re.compile(r"^No .+ matches the given query\.$"), lambda m: _("Không tìm thấy nội dung được yêu cầu.")),
]


def translate_api_message(message: str) -> str:
    for pattern, render in _MESSAGE_PATTERNS:
        match = pattern.match(message)
        if match:
            return render(match)
    return _("Yêu cầu không hợp lệ: %(detail)s") % {"detail": message}


class VietnameseErrorsMixin:
    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        data = response.data if isinstance(response.data, dict) else None
        if data is not None and response.status_code >= 400:
            original = str(data.get("message") or data.get("detail") or "")
            if original:
                response.data = {"message": translate_api_message(original), "detail": original}
        return response


class PagesAPI(VietnameseErrorsMixin, PagesAPIViewSet):
    def get_base_queryset(self):
        # Wagtail's base queryset (site scoping, ``?site=``) narrowed by the one public rule:
        # no restricted page, even for a visitor who passed its password (answers are shared).
        return public_pages(super().get_base_queryset())


class PublicMediaMixin:
    """Only the images / documents that public pages of the requested site use."""

    def get_queryset(self):
        return media_in_public_use(
            super().get_queryset(), site=Site.find_for_request(self.request)
        )


class ImagesAPI(VietnameseErrorsMixin, PublicMediaMixin, ImagesAPIViewSet):
    pass


class DocumentsAPI(VietnameseErrorsMixin, PublicMediaMixin, DocumentsAPIViewSet):
    pass


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPI)
api_router.register_endpoint("images", ImagesAPI)
api_router.register_endpoint("documents", DocumentsAPI)
