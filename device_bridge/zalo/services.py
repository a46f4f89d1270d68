"""Writes of the Zalo integration: publish, correct and withdraw articles; broadcast them.

At most one article per page (hence per revision): the ``ZaloArticle`` row is claimed before
any call with an effect, the intent is committed before the call, and a create whose answer
was lost (timeout) is looked up on Zalo (getslice) before anything is created again. A
correction (a newer revision) updates the same article.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .articles import article_payload
from .client import ZaloClient
from .errors import ZaloError, ZaloQuotaExceeded, ZaloUnavailable
from .models import ZaloAccount, ZaloArticle, ZaloBroadcast
from .selectors import broadcast_quota_use

logger = logging.getLogger(__name__)

#: A claim older than this belongs to a dead worker (longer than any create + verify).
CLAIM_STALE_SECONDS = 300
#: How many of the newest articles are searched for one whose create answer was lost.
LOOKUP_WINDOW = 30


class ArticleBusy(ZaloError):
    """Another worker is sending this page's article right now: try again later."""

    transient = True


def _claim(article: ZaloArticle) -> bool:
    now = timezone.now()
    return bool(ZaloArticle.objects.filter(pk=article.pk).filter(
        Q(claimed_at__isnull=True)
        | Q(claimed_at__lt=now - dt.timedelta(seconds=CLAIM_STALE_SECONDS))
    ).update(claimed_at=now))


def _save(article: ZaloArticle, **fields) -> None:
    for key, value in fields.items():
        setattr(article, key, value)
    ZaloArticle.objects.filter(pk=article.pk).update(**fields, updated_at=timezone.now())


def _lookup_lost_create(client: ZaloClient, article: ZaloArticle) -> str | None:
    """The id of an article created by an attempt whose answer never came back, if any."""
    known = set(ZaloArticle.objects.filter(site_id=article.site_id).exclude(pk=article.pk)
                .exclude(article_id="").values_list("article_id", flat=True))
    for media in client.list_articles(offset=0, limit=LOOKUP_WINDOW):
        media_id = str(media.get("id") or "")
        if media_id and media_id not in known and media.get("title") == article.title:
            return media_id
    return None


def article_publish(*, client: ZaloClient, page, site, revision_id: int | None, key: str,
                    audio_url: str | None = None) -> ZaloArticle:
    """Make Zalo show ``page`` at ``revision_id``: create, or update a correction. Idempotent."""
    account = client.account
    try:
        article, _created = ZaloArticle.objects.get_or_create(
            site=site, content_id=page.pk, defaults={"page_id": page.pk, "title": page.title[:255]})
    except IntegrityError:
        article = ZaloArticle.objects.get(site=site, content_id=page.pk)
    if (article.state == ZaloArticle.State.SHOWN and article.article_id
            and article.revision_id == revision_id):
        return article  # this revision is already on Zalo
    if not _claim(article):
        raise ArticleBusy(_("Bài viết này đang được gửi lên Zalo bởi một tiến trình khác."))
    try:
        article.refresh_from_db()
        return _publish_claimed(client=client, article=article, page=page, site=site,
                                account=account, revision_id=revision_id, key=key,
                                audio_url=audio_url)
    finally:
        ZaloArticle.objects.filter(pk=article.pk).update(claimed_at=None)


def _publish_claimed(*, client, article, page, site, account, revision_id, key, audio_url):
    if article.state == ZaloArticle.State.REMOVED:
        # Published again after being withdrawn: Zalo's copy is gone, start a new one.
        _save(article, article_id="", pending_token="", state=ZaloArticle.State.CREATING,
              revision_id=None)
    if article.pending_token:
        # A create/update whose verification did not finish: finish it.
        try:
            article_id = client.verify_article(article.pending_token)
        except ZaloUnavailable:
            raise
        except ZaloError as err:
            logger.warning("Zalo article %s: stale token (%s); sending again", article.pk, err)
            _save(article, pending_token="")
        else:
            _save(article, article_id=article_id, pending_token="", state=ZaloArticle.State.SHOWN)
            if article.revision_id == revision_id:
                return article
    payload = article_payload(page=page, site=site, account=account, audio_url=audio_url)
    if not article.article_id and article.state == ZaloArticle.State.CREATING and article.idempotency_key:
        # An earlier create was sent (the key is recorded before sending): it may have landed.
        found = _lookup_lost_create(client, article)
        if found:
            logger.info("Zalo article %s: adopting %s created by a timed-out attempt",
                        article.pk, found)
            _save(article, article_id=found, state=ZaloArticle.State.SHOWN)
            if article.revision_id == revision_id and article.title == payload["title"]:
                return article
    # The intent is committed before the call: a crash or timeout is found by the next attempt.
    _save(article, idempotency_key=key, revision_id=revision_id, title=payload["title"],
          page_id=page.pk,
          state=ZaloArticle.State.CREATING if not article.article_id else ZaloArticle.State.VERIFYING)
    if article.article_id:
        token = client.update_article(article.article_id, payload)
    else:
        token = client.create_article(payload)
    _save(article, pending_token=token, state=ZaloArticle.State.VERIFYING)
    article_id = client.verify_article(token) if token else article.article_id
    _save(article, article_id=article_id, pending_token="", state=ZaloArticle.State.SHOWN)
    return article


def article_withdraw(*, content_id: int, site_id: int | None = None) -> int:
    """Remove the page's article from the OA (unpublished or deleted); returns how many."""
    from .client import client_for_site

    removed = 0
    articles = ZaloArticle.objects.filter(content_id=content_id).exclude(
        state=ZaloArticle.State.REMOVED).select_related("site")
    if site_id is not None:
        articles = articles.filter(site_id=site_id)
    for article in articles:
        if not article.article_id and not article.pending_token:
            _save(article, state=ZaloArticle.State.REMOVED)
            continue
        with client_for_site(article.site) as client:
            article_id = article.article_id
            if not article_id and article.pending_token:
                article_id = client.verify_article(article.pending_token)
            try:
                client.remove_article(article_id)
            except ZaloUnavailable:
                raise
            except ZaloError as err:
                # Already gone on Zalo's side (removed by hand in the OA manager): fine.
                logger.warning("Zalo article %s: remove answered %s", article_id, err)
        _save(article, state=ZaloArticle.State.REMOVED, pending_token="")
        removed += 1
    return removed


def broadcast_send(*, client: ZaloClient, site, article: ZaloArticle, key: str,
                   target: dict | None = None) -> ZaloBroadcast:
    """Broadcast the page's article once (whatever the revision), within the monthly quota.

    Refused with ``ZaloQuotaExceeded`` before calling Zalo when the month's quota is used.
    A broadcast whose answer was lost is counted and never repeated: followers must not get
    the same bulletin twice, and Zalo offers no way to look a broadcast up.
    """
    account: ZaloAccount = client.account
    earlier = ZaloBroadcast.objects.filter(
        site=site, content_id=article.content_id,
        state__in=[ZaloBroadcast.State.SENDING, ZaloBroadcast.State.SENT]).first()
    if earlier is not None:
        if earlier.state == ZaloBroadcast.State.SENDING and earlier.idempotency_key != key:
            return earlier
        if earlier.state == ZaloBroadcast.State.SENT:
            return earlier
        # Our own earlier attempt's answer was lost: count it as sent, do not repeat it.
        ZaloBroadcast.objects.filter(pk=earlier.pk).update(
            state=ZaloBroadcast.State.SENT,
            error=_("Không nhận được trả lời của Zalo; coi như đã gửi để không gửi trùng."))
        earlier.refresh_from_db()
        return earlier
    with transaction.atomic():
        # The account row lock serialises quota checks of concurrent broadcasts.
        account = ZaloAccount.objects.select_for_update().get(pk=account.pk)
        use = broadcast_quota_use(site=site, account=account)
        if use.left <= 0:
            raise ZaloQuotaExceeded(
                _("Đã dùng hết %(used)s/%(quota)s lượt gửi tin quảng bá Zalo của tháng "
                  "%(month)s (gói %(package)s). Bài viết vẫn có trên trang OA nhưng không gửi "
                  "tới người theo dõi; lượt mới có từ ngày 1 tháng sau.")
                % {"used": use.used, "quota": use.quota, "month": use.month.strftime("%m/%Y"),
                   "package": account.get_package_display()})
        ZaloBroadcast.objects.filter(idempotency_key=key).delete()  # a failed earlier try
        broadcast = ZaloBroadcast.objects.create(
            site=site, content_id=article.content_id, title=article.title,
            article_ids=[article.article_id], target=target or {}, idempotency_key=key,
            month=use.month)
    try:
        message_id = client.broadcast_articles([article.article_id], target)
    except ZaloUnavailable as err:
        if err.maybe_applied:
            ZaloBroadcast.objects.filter(pk=broadcast.pk).update(error=str(err))
        else:
            ZaloBroadcast.objects.filter(pk=broadcast.pk).delete()
        raise
    except ZaloError as err:
        ZaloBroadcast.objects.filter(pk=broadcast.pk).update(
            state=ZaloBroadcast.State.FAILED, error=str(err))
        raise
    ZaloBroadcast.objects.filter(pk=broadcast.pk).update(
        state=ZaloBroadcast.State.SENT, message_id=message_id)
    broadcast.refresh_from_db()
    return broadcast


def article_withdraw_sweep() -> int:
    """Remove articles whose page is no longer live: a removal task lost or failed (Zalo
    down when the bulletin was unpublished) is caught up here; returns how many."""
    from wagtail.models import Page

    live_ids = Page.objects.live().values_list("pk", flat=True)
    stale = (ZaloArticle.objects.exclude(state=ZaloArticle.State.REMOVED)
             .filter(claimed_at__isnull=True)
             .exclude(content_id__in=live_ids)
             .values_list("content_id", "site_id"))
    removed = 0
    for content_id, site_id in stale:
        try:
            removed += article_withdraw(content_id=content_id, site_id=site_id)
        except ZaloError as err:
            logger.warning("Zalo article of page %s not removed yet: %s", content_id, err)
    return removed
