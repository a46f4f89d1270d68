"""A page as a Zalo article: the StreamField body as Zalo's body items, cut to Zalo's limits.

Zalo fetches images and the cover from URLs, so they are served from the commune's own site
(renditions under MEDIA_URL, the default cover under STATIC_URL).
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from . import facts

logger = logging.getLogger(__name__)

#: Renditions Zalo accepts (<= 1 MB, JPG): tried in order until one is small enough.
RENDITION_SPECS = ("max-1200x1200|format-jpeg|jpegquality-80",
                   "max-900x900|format-jpeg|jpegquality-70",
                   "max-640x640|format-jpeg|jpegquality-60")
DEFAULT_COVER_STATIC = "zalo/default-cover.jpg"


def cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def site_root(site) -> str:
    from django.conf import settings

    return (site.root_url if site is not None else settings.SITE_BASE_URL).rstrip("/")


def absolute(url: str, root: str) -> str:
    return url if url.startswith(("http://", "https://")) else urljoin(root + "/", url.lstrip("/"))


def image_url(image, root: str) -> str | None:
    """An absolute URL of a rendition of ``image`` small enough for Zalo, or ``None``."""
    for spec in RENDITION_SPECS:
        try:
            rendition = image.get_rendition(spec)
        except Exception as err:  # noqa: BLE001 - a broken image file must not stop the article
            logger.warning("Zalo: no rendition of image %s: %s", image.pk, err)
            return None
        try:
            size = rendition.file.size
        except OSError:
            size = 0
        if size <= facts.IMAGE_MAX_BYTES:
            return absolute(rendition.url, root)
    return None


def sanitise_html(html: str, root: str) -> str:
    """Keep the tags Zalo's text items accept (facts.ARTICLE_ALLOWED_TAGS) and absolute links."""
    soup = BeautifulSoup(html or "", "html.parser")
    for node in list(soup.find_all(True)):
        if not isinstance(node, Tag) or node.parent is None:
            continue
        if node.name in ("script", "style", "iframe", "object", "embed"):
            node.decompose()
            continue
        if node.name == "a" and node.get("href"):
            href = absolute(str(node["href"]), root)
            node.attrs = {"href": href} if href.startswith(("http://", "https://")) else {}
            if not node.attrs:
                node.unwrap()
            continue
        if node.name not in facts.ARTICLE_ALLOWED_TAGS:
            node.unwrap()
            continue
        node.attrs = {}
    return str(soup).strip()


def _split_html(html: str, limit: int) -> list[str]:
    """Cut long HTML between top-level elements, and plain text of huge elements by length."""
    if len(html) <= limit:
        return [html] if html else []
    soup = BeautifulSoup(html, "html.parser")
    chunks, current = [], ""
    for node in soup.contents:
        piece = str(node) if isinstance(node, Tag) else escape(str(node))
        if len(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            text = node.get_text(" ") if isinstance(node, Tag) else str(node)
            for start in range(0, len(text), limit - 7):
                chunks.append(f"<p>{escape(text[start:start + limit - 7])}</p>")
            continue
        if len(current) + len(piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def body_items(page, root: str) -> tuple[list[dict], object | None]:
    """Zalo body items for ``page.body`` and the first image (the cover candidate)."""
    items: list[dict] = []
    first_image = None
    for block in getattr(page, "body", []) or []:
        kind = block.block_type
        if kind == "paragraph":
            html = sanitise_html(expand_db_html(block.value.source), root)
            items += [{"type": "text", "content": c}
                      for c in _split_html(html, facts.ARTICLE_TEXT_ITEM_MAX)]
        elif kind == "heading":
            items.append({"type": "text",
                          "content": f"<p><b>{escape(cut(block.value['text'], 255))}</b></p>"})
        elif kind == "quote":
            text = escape(cut(block.value["text"], facts.ARTICLE_TEXT_ITEM_MAX - 40))
            source = block.value.get("attribution")
            items.append({"type": "text", "content": f"<p><i>“{text}”</i>"
                          + (f" ({escape(source)})" if source else "") + "</p>"})
        elif kind == "image" and block.value is not None:
            image = block.value
            first_image = first_image or image
            url = image_url(image, root)
            if url:
                caption = getattr(image, "contextual_alt_text", "") or image.title
                items.append({"type": "image", "url": url,
                              "caption": cut(caption, facts.ARTICLE_CAPTION_MAX)})
        elif kind == "embed" and block.value is not None:
            url = getattr(block.value, "url", "")
            thumb = getattr(block.value, "thumbnail_url", "") or ""
            if url and thumb:
                items.append({"type": "video", "url": url, "thumb": thumb})
            elif url:
                items.append({"type": "text",
                              "content": f'<p><a href="{escape(url)}">{escape(url)}</a></p>'})
        elif kind == "document" and block.value:
            document = block.value["document"]
            title = block.value.get("title") or document.title
            items.append({"type": "text", "content": f'<p><a href="{escape(absolute(document.url, root))}">{escape(title)}</a></p>'})
        elif kind == "table" and block.value:
            rows = block.value.get("data") or []
            lines = [" | ".join(str(c or "") for c in row) for row in rows]
            items += [{"type": "text", "content": c} for c in _split_html(
                "".join(f"<p>{escape(line)}</p>" for line in lines), facts.ARTICLE_TEXT_ITEM_MAX)]
    return items, first_image


def article_payload(*, page, site, account=None, audio_url: str | None = None) -> dict:
    """The JSON of ``article/create`` (and ``update``, plus ``id``) for ``page``."""
    from content_types.models import CommuneSettings

    root = site_root(site)
    items, first_image = body_items(page, root)
    summary = getattr(page, "summary", "") or page.search_description or ""
    if summary:
        items.insert(0, {"type": "text", "content": f"<p><b>{escape(cut(summary, 1000))}</b></p>"})
    if audio_url:
        items.append({"type": "text", "content": '<p>{} <a href="{}">{}</a></p>'.format(
            escape(_("Nghe bản tin trên loa truyền thanh:")), escape(audio_url),
            escape(_("bấm để nghe")))})
    page_url = page.get_full_url()
    if page_url:
        items.append({"type": "text", "content": '<p>{} <a href="{}">{}</a></p>'.format(
            escape(_("Xem trên cổng thông tin xã:")), escape(page_url), escape(page_url))})
    if not items:
        items.append({"type": "text", "content": f"<p>{escape(page.title)}</p>"})
    items = items[: facts.ARTICLE_BODY_ITEMS_MAX]

    cover_url = image_url(first_image, root) if first_image is not None else None
    if cover_url is None and account is not None and account.default_cover_id:
        cover_url = image_url(account.default_cover, root)
    if cover_url is None:
        cover_url = absolute(static(DEFAULT_COVER_STATIC), root)
    author = CommuneSettings.for_site(site).agency_name if site is not None else ""
    return {
        "type": "normal",
        "title": cut(page.title, facts.ARTICLE_TITLE_MAX),
        "author": cut(author or _("UBND xã"), facts.ARTICLE_AUTHOR_MAX),
        "description": cut(summary or page.title, facts.ARTICLE_DESCRIPTION_MAX),
        # A cover is mandatory in practice [facts]: the bulletin's image, else the commune's.
        "cover": {"cover_type": "photo", "photo_url": cover_url, "status": "show"},
        "body": items,
        "status": "show",
        "comment": "show",
    }
