"""Live emergency bulletins given out as CAP 1.2: one alert document per bulletin and an Atom
index of them (the layout of the OASIS "CAP feeds" note: each entry links its CAP document)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import strip_tags
from lxml import etree
from wagtail.models import Site

from content_types.models import BulletinPage, CommuneSettings

from .validation import CAP_NS

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
#: geocode valueName of a zone's code in the CAP this system writes (and matches on import).
ZONE_GEOCODE = "TTCS"


def _when(moment) -> str:
    # CAP 1.2 §3.3.2: an explicit offset, no fractions, never "Z" (the XSD's pattern refuses it).
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _sender(site: Site) -> str:
    return f"ttcs@{site.hostname}"


def bulletin_identifier(page: BulletinPage) -> str:
    """Stable per publication: a republished (corrected) bulletin is a new CAP alert."""
    return f"TTCS-{page.pk}-{int(page.last_published_at.timestamp())}"


def _sub(parent, tag: str, text: str | None = None, ns: str = CAP_NS):
    node = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        node.text = text
    return node


def bulletin_cap(*, page: BulletinPage, site: Site, url: str) -> bytes:
    """The CAP 1.2 alert document of one live emergency bulletin."""
    commune = CommuneSettings.for_site(site)
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(alert, "identifier", bulletin_identifier(page))
    _sub(alert, "sender", _sender(site))
    _sub(alert, "sent", _when(page.last_published_at))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", "Alert")
    _sub(alert, "scope", "Public")
    info = _sub(alert, "info")
    _sub(info, "language", "vi-VN")
    _sub(info, "category", "Other")
    _sub(info, "event", page.category.name)
    # Only khẩn cấp bulletins are given out: the top of the import mapping.
    _sub(info, "urgency", "Immediate")
    _sub(info, "severity", "Severe")
    _sub(info, "certainty", "Likely")
    if page.valid_from:
        _sub(info, "effective", _when(page.valid_from))
    if page.valid_until:
        _sub(info, "expires", _when(page.valid_until))
    _sub(info, "senderName", commune.agency_name)
    _sub(info, "headline", page.title)
    description = "\n".join(part for part in [page.summary, *_body_text(page)] if part.strip())
    _sub(info, "description", description or page.spoken_text)
    _sub(info, "web", url)
    if commune.phone:
        _sub(info, "contact", commune.phone)
    area = _sub(info, "area")
    zones = list(page.zones.all())
    _sub(area, "areaDesc", ", ".join(zone.name for zone in zones) or commune.commune_name)
    for zone in zones:
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", ZONE_GEOCODE)
        _sub(geocode, "value", zone.code)
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _body_text(page: BulletinPage) -> list[str]:
    parts = []
    for block in page.body:
        if block.block_type == "paragraph":
            parts.append(strip_tags(block.value.source).strip())
        elif block.block_type in ("heading", "quote"):
            parts.append(block.value["text"])
    return parts


def emergencies_atom(*, pages, site: Site, feed_url: str, entry_url) -> bytes:
    """The Atom index: one entry per bulletin, linking its CAP document (``entry_url(page)``)."""
    commune = CommuneSettings.for_site(site)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, "id", feed_url, ATOM_NS)
    _sub(feed, "title", f"Cảnh báo khẩn cấp – {commune.commune_name}", ATOM_NS)
    updated = max((page.last_published_at for page in pages), default=timezone.now())
    _sub(feed, "updated", _when(updated), ATOM_NS)
    author = _sub(feed, "author", ns=ATOM_NS)
    _sub(author, "name", commune.agency_name, ATOM_NS)
    link = _sub(feed, "link", ns=ATOM_NS)
    link.set("rel", "self")
    link.set("href", feed_url)
    for page in pages:
        entry = _sub(feed, "entry", ns=ATOM_NS)
        cap_url = entry_url(page)
        _sub(entry, "id", cap_url, ATOM_NS)
        _sub(entry, "title", page.title, ATOM_NS)
        _sub(entry, "updated", _when(page.last_published_at), ATOM_NS)
        _sub(entry, "summary", page.summary or page.title, ATOM_NS)
        link = _sub(entry, "link", ns=ATOM_NS)
        link.set("rel", "alternate")
        link.set("type", "application/cap+xml")
        link.set("href", cap_url)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
