"""Writes of the CAP app: taking an alert in (a draft bulletin that enters moderation)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from anyascii import anyascii
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Site, WorkflowState

from content_types.models import BulletinPage, NewsIndexPage
from content_types.snippets import Category, Zone

from .mapping import CapMessage, cap_message, cap_priority, zones_for_areas
from .models import CapAlert, CapSettings
from .validation import CapInvalid, cap_parse

TITLE_MAX = 255
SUMMARY_MAX = 600
DEFAULT_CATEGORY_SLUG = "phong-chong-thien-tai"


class CapNotImported(CapInvalid):
    """A valid CAP message this system does not turn into a bulletin (a test, an Ack, ...)."""


@dataclass
class CapImportResult:
    alert: CapAlert
    created: bool
    page: BulletinPage | None

    @property
    def message(self) -> str:
        if not self.created:
            return _("Cảnh báo “%(id)s” của %(sender)s đã được nhập trước đó; không tạo thêm bản tin.") % {
                "id": self.alert.identifier, "sender": self.alert.sender}
        if self.page is None:
            return _("Đã ghi nhận cảnh báo “%(id)s”. %(note)s") % {"id": self.alert.identifier,
                                                                   "note": self.alert.note}
        text = _("Đã tạo bản tin nháp “%(title)s” (%(priority)s) và gửi vào quy trình duyệt.") % {
            "title": self.page.title, "priority": self.page.get_priority_display()}
        return f"{text} {self.alert.note}".strip()


def cap_import(*, data: bytes, site: Site, user=None, origin: str = CapAlert.Origin.UPLOAD) -> CapImportResult:
    """Validate ``data`` and take it in for ``site``; idempotent on (sender, identifier, sent).

    Raises ``CapInvalid`` (nothing is created) when the document is not acceptable CAP 1.2, and
    ``CapNotImported`` when it is valid but not something to broadcast here."""
    message = cap_message(cap_parse(data))
    existing = CapAlert.objects.filter(
        site=site, sender=message.sender, identifier=message.identifier, sent=message.sent
    ).select_related("page").first()
    if existing is not None:
        return CapImportResult(alert=existing, created=False, page=existing.page)
    _check_importable(message)
    with transaction.atomic():
        alert = CapAlert(
            site=site, sender=message.sender, identifier=message.identifier, sent=message.sent,
            msg_type=message.msg_type, status=message.status, origin=origin,
            document=data.decode("utf-8", errors="replace"), imported_by=user,
        )
        earlier = _referenced_alerts(message, site)
        if message.msg_type == "Cancel":
            alert.note = _cancel_referenced(earlier, user)
            alert.save()
            return CapImportResult(alert=alert, created=True, page=None)
        page, notes = _bulletin_create(message=message, site=site, user=user)
        if message.msg_type == "Update" and earlier:
            notes.insert(0, _("Cập nhật cho: %(titles)s.") % {
                "titles": ", ".join(f"“{a.headline or a.identifier}”" for a in earlier)})
        alert.page, alert.headline, alert.note = page, page.title, " ".join(notes)
        alert.save()
        _moderation_start(page=page, user=user)
    return CapImportResult(alert=alert, created=True, page=page)


def _check_importable(message: CapMessage) -> None:
    if message.status != "Actual":
        raise CapNotImported(_("Cảnh báo có trạng thái “%(status)s” (không phải Actual): chỉ cảnh báo "
                               "thật mới được nhập, không tạo bản tin.") % {"status": message.status})
    if message.msg_type not in ("Alert", "Update", "Cancel"):
        raise CapNotImported(_("Bản tin CAP loại “%(type)s” không phải cảnh báo (chỉ nhận Alert, "
                               "Update, Cancel): không tạo bản tin.") % {"type": message.msg_type})
    if message.scope != "Public":
        raise CapNotImported(_("Cảnh báo có phạm vi “%(scope)s”, không công khai: không phát lên loa "
                               "và trang tin.") % {"scope": message.scope})
    if message.msg_type != "Cancel" and not message.infos:
        raise CapNotImported(_("Cảnh báo không có phần <info> nào: không có nội dung để tạo bản tin."))


def _referenced_alerts(message: CapMessage, site: Site) -> list[CapAlert]:
    found = []
    for sender, identifier, _sent in message.references:
        found.extend(CapAlert.objects.filter(site=site, sender=sender, identifier=identifier)
                     .select_related("page"))
    return found


def _cancel_referenced(earlier: list[CapAlert], user) -> str:
    """A cancelled alert never airs: a bulletin still in moderation leaves it; a live one is left
    to the editor (taking down a broadcast emergency is a person's decision)."""
    if not earlier:
        return _("Cảnh báo bị hủy chưa từng được nhập: không có bản tin nào cần xử lý.")
    withdrawn, live = [], []
    for alert in earlier:
        page = alert.page
        if page is None:
            continue
        if page.live:
            live.append(page.title)
            continue
        for state in WorkflowState.objects.for_instance(page).filter(status=WorkflowState.STATUS_IN_PROGRESS):
            state.cancel(user=user)
            withdrawn.append(page.title)
    notes = []
    if withdrawn:
        notes.append(_("Đã rút khỏi quy trình duyệt: %(titles)s.") % {"titles": ", ".join(withdrawn)})
    if live:
        notes.append(_("Bản tin đang đăng cần gỡ xuống: %(titles)s.") % {"titles": ", ".join(live)})
    return " ".join(notes) or _("Các bản tin liên quan không còn trong quy trình duyệt.")


def _bulletin_create(*, message: CapMessage, site: Site, user) -> tuple[BulletinPage, list[str]]:
    parent = NewsIndexPage.objects.descendant_of(site.root_page, inclusive=True).first()
    if parent is None:
        raise CapInvalid(_("Trang “Tin tức” của xã chưa có: không có chỗ để tạo bản tin."))
    settings = CapSettings.for_site(site)
    category = (settings.category or Category.objects.filter(slug=DEFAULT_CATEGORY_SLUG).first()
                or Category.objects.first())
    if category is None:
        raise CapInvalid(_("Chưa có lĩnh vực thông tin nào: hãy tạo lĩnh vực trước khi nhập CAP."))
    info = message.info_for("vi")
    zones, unmatched = zones_for_areas(info.areas, list(Zone.objects.filter(is_active=True)))
    notes = []
    if info.areas and not zones:
        zones = []
        notes.append(_("Không khớp được khu vực “%(areas)s” với thôn nào: tin gửi toàn xã.") % {
            "areas": "; ".join(unmatched)})
    elif unmatched:
        notes.append(_("Khu vực không khớp thôn nào (bỏ qua): %(areas)s.") % {"areas": "; ".join(unmatched)})
    title = (info.headline or info.event)[:TITLE_MAX]
    source = info.sender_name or message.sender
    paragraphs = [text for text in (info.description, info.instruction) if text]
    page = BulletinPage(
        title=title,
        slug=_slug(message),
        date=timezone.localdate(),
        summary=(_("Cảnh báo của %(source)s: %(event)s.") % {"source": source, "event": info.event})[:SUMMARY_MAX],
        body=json.dumps([{"type": "paragraph", "value": f"<p>{escape(text)}</p>"} for text in paragraphs]),
        category=category,
        priority=cap_priority(urgency=info.urgency, severity=info.severity, mapping=settings),
        valid_from=info.effective,
        valid_until=info.expires,
        radio_text="\n".join([title, *paragraphs]),
        live=False,
        owner=user,
    )
    page.zones = zones
    parent.add_child(instance=page)
    page.save_revision(user=user)
    return page, notes


def _slug(message: CapMessage) -> str:
    digest = hashlib.sha1(f"{message.sender}|{message.identifier}|{message.sent.isoformat()}".encode()).hexdigest()
    return f"cap-{slugify(anyascii(message.identifier))[:40]}-{digest[:8]}".replace("--", "-")


def _moderation_start(*, page: BulletinPage, user) -> None:
    """Send the draft into the workflow the routing rules pick, as the editor's submit would."""
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, user)


#: Entries fetched from one Atom index per poll (a feed keeps its recent alerts only).
FEED_ENTRIES_MAX = 50
ATOM_NS = "http://www.w3.org/2005/Atom"


def feed_poll(*, source, client=None) -> str:
    """Read ``source`` (an Atom index of CAP alerts, or one alert) and take in what is new.

    Conditional on the last ETag; every alert goes through ``cap_import`` (so it is validated,
    deduplicated and enters moderation). The outcome is kept on the source and returned; a feed
    that cannot be read is recorded, never raised (the next poll tries again)."""
    from .client import CapFeedClient, CapFeedError
    from .validation import xml_parse_safe

    owned = client is None
    client = client or CapFeedClient()
    counts = {"new": 0, "seen": 0, "refused": 0}
    problems = []
    unread = False
    try:
        response = client.get(source.url, etag=source.etag)
        if response.not_modified:
            outcome = _("Không có gì mới.")
        else:
            root = xml_parse_safe(response.body)
            if root.tag == f"{{{ATOM_NS}}}feed":
                for url in _entry_links(root)[:FEED_ENTRIES_MAX]:
                    if urlsplit(url).netloc != urlsplit(source.url).netloc:
                        # The feed's content must not make the server fetch other hosts (SSRF):
                        # alerts are read from the host the administrator named only.
                        counts["refused"] += 1
                        problems.append(_("%(url)s: khác máy chủ của nguồn, không đọc.") % {"url": url})
                        continue
                    try:
                        _feed_take(client.get(url).body, source, counts)
                    except CapFeedError as err:
                        # Unread, not refused: keep the old ETag so the next poll tries again.
                        unread = True
                        counts["refused"] += 1
                        problems.append(f"{url}: {err}")
                    except CapInvalid as err:
                        counts["refused"] += 1
                        problems.append(f"{url}: {err}")
            else:
                try:
                    _feed_take(response.body, source, counts)
                except CapInvalid as err:
                    counts["refused"] += 1
                    problems.append(str(err))
            if not unread:
                source.etag = response.etag
            outcome = _("%(new)d cảnh báo mới, %(seen)d đã có, %(refused)d bị từ chối.") % counts
    except CapFeedError as err:
        outcome = _("Không đọc được nguồn (%(error)s).") % {"error": err}
    except CapInvalid as err:
        outcome = _("Nguồn không hợp lệ: %(error)s") % {"error": err}
    finally:
        if owned:
            client.__exit__(None, None, None)
    source.last_polled_at = timezone.now()
    source.last_result = " ".join([outcome, *problems])[:2000]
    source.save(update_fields=["last_polled_at", "etag", "last_result"])
    return source.last_result


def _entry_links(feed) -> list[str]:
    links = []
    for entry in feed.findall(f"{{{ATOM_NS}}}entry"):
        chosen = None
        for link in entry.findall(f"{{{ATOM_NS}}}link"):
            if "cap" in (link.get("type") or "") or chosen is None:
                chosen = link.get("href")
        if chosen:
            links.append(chosen)
    return links


def _feed_take(data: bytes, source, counts: dict) -> None:
    try:
        result = cap_import(data=data, site=source.site, origin=CapAlert.Origin.FEED)
    except CapNotImported:
        counts["seen"] += 1  # a test or an Ack: valid, deliberately not a bulletin
        return
    counts["new" if result.created else "seen"] += 1
