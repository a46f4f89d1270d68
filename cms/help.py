"""The Vietnamese user guide (hướng dẫn sử dụng), served inside the admin.

The guide is plain Markdown in ``docs/huong-dan/`` (readable in the repository too) with the
screenshots the browser walk takes (``tests/test_browser_walk.py``) in its ``img/`` folder.
A commune office often has no Internet, so the admin's help menu links to these pages, served
by the site itself, instead of Wagtail's English guide online.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
from wagtail import hooks
from wagtail.admin.menu import MenuItem


def guide_dir() -> Path:
    # Read at call time, so a test can point BASE_DIR elsewhere.
    return Path(settings.BASE_DIR) / "docs" / "huong-dan"


@dataclass(frozen=True)
class GuidePage:
    slug: str  # "" is the index (README.md)
    filename: str
    label: str  # its name in the help menu

    def url(self) -> str:
        if not self.slug:
            return reverse("cms_help:index")
        return reverse("cms_help:page", args=[self.slug])


GUIDE_PAGES = (
    GuidePage("", "README.md", _("Hướng dẫn sử dụng")),
    GuidePage("bien-tap-vien", "bien-tap-vien.md", _("Dành cho biên tập viên")),
    GuidePage("nguoi-duyet", "nguoi-duyet.md", _("Dành cho người duyệt")),
    GuidePage("ky-thuat-vien", "ky-thuat-vien.md", _("Dành cho kỹ thuật viên")),
    GuidePage("quan-tri", "quan-tri.md", _("Dành cho quản trị")),
)
_BY_FILENAME = {page.filename: page for page in GUIDE_PAGES}
_BY_SLUG = {page.slug: page for page in GUIDE_PAGES}
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.png$")


# --- rendering ------------------------------------------------------------------------------

def _markdown() -> MarkdownIt:
    # Our own files, but raw HTML stays off all the same: the guide is text, tables and images.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _rewrite_link(href: str) -> str:
    """``nguoi-duyet.md`` -> the guide page's admin URL; other links are left alone."""
    target, _hash, fragment = href.partition("#")
    page = _BY_FILENAME.get(target)
    if page is None:
        return href
    return page.url() + (f"#{fragment}" if fragment else "")


def _rewrite_image(src: str) -> str:
    if src.startswith("img/") and IMAGE_NAME.match(src[4:]):
        return reverse("cms_help:image", args=[src[4:]])
    return src


@dataclass(frozen=True)
class RenderedGuide:
    title: str
    html: str
    images: tuple[str, ...]  # file names under img/ the page shows


def guide_render(page: GuidePage) -> RenderedGuide:
    """The page as HTML for the admin; its first ``# heading`` becomes the page title."""
    source = guide_dir() / page.filename
    stat = source.stat()
    return _render_cached(str(source), stat.st_mtime_ns, str(page.label))


@lru_cache(maxsize=16)
def _render_cached(source: str, _mtime_ns: int, fallback_title: str) -> RenderedGuide:
    md = _markdown()
    tokens = md.parse(Path(source).read_text(encoding="utf-8"))
    title = fallback_title
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        title = tokens[1].content
        tokens = tokens[3:]
    images = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("href", _rewrite_link(str(child.attrGet("href") or "")))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if src.startswith("img/"):
                    images.append(src[4:])
                child.attrSet("src", _rewrite_image(src))
                child.attrSet("loading", "lazy")
    return RenderedGuide(title=title, html=md.renderer.render(tokens, md.options, {}),
                         images=tuple(images))


# --- views ----------------------------------------------------------------------------------

def guide_page(request, slug: str = ""):
    page = _BY_SLUG.get(slug)
    if page is None:
        raise Http404
    rendered = guide_render(page)
    return TemplateResponse(request, "cms/help/guide_page.html", {
        "guide": rendered,
        "guide_html": mark_safe(rendered.html),  # noqa: S308 - rendered with raw HTML disabled
        "current": page,
        "pages": [(entry, entry.url()) for entry in GUIDE_PAGES],
    })


def guide_image(request, name: str):
    if not IMAGE_NAME.match(name):
        raise Http404
    image = guide_dir() / "img" / name
    if not image.is_file():
        raise Http404
    response = FileResponse(image.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


admin_urls = [
    path("", guide_page, name="index"),
    path("anh/<str:name>", guide_image, name="image"),
    path("<slug:slug>/", guide_page, name="page"),
]


# --- help menu ------------------------------------------------------------------------------

def _menu_item(page: GuidePage, order: int) -> MenuItem:
    url = reverse_lazy("cms_help:page", args=[page.slug]) if page.slug else reverse_lazy(
        "cms_help:index")
    return MenuItem(page.label, url, name=f"huong-dan-{page.slug or 'muc-luc'}",
                    icon_name="help", order=order)


@hooks.register("register_admin_urls")
def register_guide_urls():
    return [path("huong-dan/", include((admin_urls, "cms_help")))]


for _order, _page in enumerate(GUIDE_PAGES, start=900):
    hooks.register("register_help_menu_item",
                   lambda page=_page, order=_order: _menu_item(page, order))


#: Wagtail's own help items that point to its English pages online.
WAGTAIL_ONLINE_HELP = ("editor-guide", "whats-new-in-wagtail-")


@hooks.register("construct_help_menu")
def help_menu_localise(request, menu_items):
    menu_items[:] = [item for item in menu_items if not item.name.startswith(WAGTAIL_ONLINE_HELP)]
