"""The delivery engine (an outbox): dispatch on approval, process with retry, sweep, cancel."""

import datetime as dt
import logging
import uuid

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Revision

from .channels import ChannelConfigurationError, ChannelError, channel_get
from .conf import setting
from .models import Delivery, Dispatch, ScheduleItem
from .selectors import rule_for_page, schedule_template_default

logger = logging.getLogger(__name__)

ACTIVE = (Delivery.Status.PENDING, Delivery.Status.WAITING_AUDIO, Delivery.Status.IN_FLIGHT,
          Delivery.Status.SCHEDULED)


def _enqueue(delivery_ids) -> None:
    from .tasks import enqueue_delivery

    ids = list(delivery_ids)
    if ids:
        transaction.on_commit(lambda: [enqueue_delivery(pk) for pk in ids])


def bulletin_dispatch(*, page, revision=None) -> list[Dispatch]:
    """Create one dispatch per enabled channel and one delivery per target, then enqueue them.

    Idempotent per (page, revision, channel): a repeated ``content_approved`` adds nothing.
    Active dispatches of older revisions are cancelled first (the new text supersedes them).
    """
    if revision is None:
        revision = type(page).objects.filter(pk=page.pk).values_list("live_revision", flat=True).first()
        revision = Revision.objects.filter(pk=revision).first() if revision else None
    rule = rule_for_page(page)
    channel_keys = rule.channel_keys if rule else list(setting("DEFAULT_CHANNELS"))
    template = (rule.schedule_template if rule and rule.schedule_template_id
                else schedule_template_default())
    zones = list(page.zones.all()) if hasattr(page, "zones") else []
    if not zones and rule:
        zones = list(rule.zones.all())
    dispatches = []
    new_delivery_ids = []
    with transaction.atomic():
        older = Dispatch.objects.filter(page_id=page.pk, status=Dispatch.Status.ACTIVE)
        if revision is not None:
            older = older.exclude(revision=revision)
        for old in older:
            dispatch_cancel(dispatch=old, reason=_("Đã có bản duyệt mới thay thế."))
        for key in channel_keys:
            try:
                if not channel_get(key).accepts(page=page):
                    continue
            except ChannelConfigurationError:
                pass  # recorded on the dispatch below
            dispatch, created = Dispatch.objects.get_or_create(
                page_id=page.pk, revision=revision, channel=key,
                defaults={"rule": rule, "schedule_template": template,
                          "priority": getattr(page, "priority", "thuong"),
                          "content_id": page.pk, "title": page.title[:255],
                          "site": page.get_site()},
            )
            dispatches.append(dispatch)
            if not created:
                continue
            try:
                plan = channel_get(key).plan_targets(page=page, zones=zones)
            except ChannelConfigurationError as err:
                dispatch.status = Dispatch.Status.FAILED
                dispatch.warnings = [str(err)]
                dispatch.completed_at = timezone.now()
                dispatch.save(update_fields=["status", "warnings", "completed_at"])
                continue
            warnings = [str(w) for w in plan.warnings]
            if key == "speakers" and template is None and dispatch.priority != "khan_cap":
                warnings.append(_("Chưa có mẫu lịch phát: bản tin sẽ không được xếp lịch phát loa."))
            for target in plan.targets:
                delivery = Delivery.objects.create(
                    dispatch=dispatch,
                    cluster_id=target.cluster_id,
                    target_label=target.label[:200],
                    idempotency_key=f"{page.pk}:{revision.pk if revision else 0}:{key}:{target.key}",
                )
                new_delivery_ids.append(delivery.pk)
            if warnings or plan.uncovered:
                dispatch.warnings = warnings
                dispatch.targets_missing = plan.uncovered
                dispatch.missing_zone_ids = plan.uncovered_zone_ids
                dispatch.save(update_fields=["warnings", "targets_missing", "missing_zone_ids"])
            if not plan.targets:
                dispatch_refresh(dispatch_id=dispatch.pk)
        _enqueue(new_delivery_ids)
    return dispatches


def dispatch_targets_join(*, cluster_id: int, now: dt.datetime | None = None) -> int:
    """A cluster joined a zone (added, activated, moved): give it the content that found no
    cluster there. Returns how many deliveries it got.

    Only dispatches that lacked targets qualify (``targets_missing``: the cluster's zone, or
    the whole commune, had no active cluster), of content still live at the same revision,
    still valid, and dispatched in the last ``TARGET_JOIN_DAYS``. Idempotent: the delivery's
    key is the one planning would have given it.
    """
    from .channels.speakers import zone_without_cluster_warning
    from .models import SpeakerCluster

    now = now or timezone.now()
    cluster = SpeakerCluster.objects.filter(pk=cluster_id, is_active=True).select_related("zone").first()
    if cluster is None:
        return 0
    candidates = (
        Dispatch.objects.filter(
            targets_missing=True, page__live=True, revision_id=F("page__live_revision_id"),
            created_at__gte=now - dt.timedelta(days=setting("TARGET_JOIN_DAYS")),
        )
        .exclude(status=Dispatch.Status.CANCELLED)
        .exclude(deliveries__cluster_id=cluster_id)
        .select_related("page")
    )
    new_ids = []
    with transaction.atomic():
        for dispatch in candidates:
            whole_commune = not dispatch.missing_zone_ids
            if not (whole_commune or cluster.zone_id in dispatch.missing_zone_ids):
                continue
            page = dispatch.page.specific
            valid_until = getattr(page, "valid_until", None)
            if valid_until and valid_until <= now:
                continue
            try:
                if not channel_get(dispatch.channel).accepts(page=page):
                    continue
            except ChannelConfigurationError:
                continue
            delivery, created = Delivery.objects.get_or_create(
                idempotency_key=(f"{page.pk}:{dispatch.revision_id or 0}:{dispatch.channel}:"
                                 f"cluster-{cluster.pk}"),
                defaults={"dispatch": dispatch, "cluster_id": cluster.pk,
                          "target_label": str(cluster)[:200]},
            )
            if not created:
                continue
            new_ids.append(delivery.pk)
            stale = {_("Không có cụm loa nào đang hoạt động để phát tin này.")}
            if cluster.zone:
                stale.add(zone_without_cluster_warning(cluster.zone))
            dispatch.warnings = [w for w in dispatch.warnings if w not in stale] + [
                _("Đã gửi thêm tới cụm loa “%(cluster)s” khi cụm loa này vào hoạt động.")
                % {"cluster": cluster}
            ]
            dispatch.status = Dispatch.Status.ACTIVE
            dispatch.completed_at = None
            dispatch.save(update_fields=["warnings", "status", "completed_at"])
            logger.info("Cluster %s joined: dispatch %s gets delivery %s",
                        cluster.code, dispatch.pk, delivery.pk)
        _enqueue(new_ids)
    return len(new_ids)


def delivery_process(*, delivery_id: int) -> str | None:
    """Claim one delivery and run its channel. Safe to run twice: only one claim wins."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id, status__in=[Delivery.Status.PENDING, Delivery.Status.WAITING_AUDIO]
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Delivery.Status.IN_FLIGHT, claimed_at=now, claim_token=token,
                attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("dispatch", "dispatch__page",
                                               "dispatch__schedule_template").get(pk=delivery_id)
    try:
        channel = channel_get(delivery.dispatch.channel)
        outcome = channel.deliver(delivery=delivery)
    except ChannelConfigurationError as err:
        return _finish(delivery, token, Delivery.Status.FAILED, error=str(err))
    except ChannelError as err:
        return _retry_or_fail(delivery, token, err)
    except Exception as err:  # noqa: BLE001 - recorded on the delivery and retried, not hidden
        logger.exception("Delivery %s crashed", delivery_id)
        return _retry_or_fail(delivery, token, err)
    if outcome.status == Delivery.Status.WAITING_AUDIO:
        # Waiting is not a failed attempt; the audio_ready receiver and the sweeper wake it.
        Delivery.objects.filter(pk=delivery_id, claim_token=token).update(
            status=Delivery.Status.WAITING_AUDIO, attempts=F("attempts") - 1, claim_token="",
            last_error="",
        )
        return Delivery.Status.WAITING_AUDIO
    return _finish(delivery, token, outcome.status, external_ref=outcome.external_ref)


def _finish(delivery, token, status, *, error: str = "", external_ref: str = "") -> str | None:
    now = timezone.now()
    updates = {"status": status, "claim_token": "", "last_error": error, "next_attempt_at": None}
    if external_ref:
        updates["external_ref"] = external_ref[:500]
    if status in Delivery.TERMINAL:
        updates["finished_at"] = now
    won = Delivery.objects.filter(
        pk=delivery.pk, claim_token=token, status=Delivery.Status.IN_FLIGHT
    ).update(**updates)
    if not won:
        logger.warning("Delivery %s was reclaimed while in flight; result %s dropped",
                       delivery.pk, status)
        return None
    if status == Delivery.Status.SCHEDULED:
        delivery_refresh_from_items(delivery_id=delivery.pk)
    dispatch_refresh(dispatch_id=delivery.dispatch_id)
    return status


def _retry_or_fail(delivery, token, err) -> str | None:
    attempts = Delivery.objects.filter(pk=delivery.pk).values_list("attempts", flat=True).first() or 0
    message = str(err) or err.__class__.__name__
    if attempts >= setting("MAX_ATTEMPTS"):
        return _finish(delivery, token, Delivery.Status.FAILED,
                       error=_("Hết số lần thử (%(n)s): %(error)s") % {"n": attempts, "error": message})
    delay = setting("RETRY_BASE_SECONDS") * (2 ** max(attempts - 1, 0))
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        status=Delivery.Status.PENDING, claim_token="", last_error=message,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
    )
    return Delivery.Status.PENDING


def delivery_refresh_from_items(*, delivery_id: int) -> None:
    """A scheduled speaker delivery is done once every item ended and at least one played."""
    statuses = list(ScheduleItem.objects.filter(delivery_id=delivery_id).values_list("status", flat=True))
    if not statuses or any(s not in ScheduleItem.TERMINAL for s in statuses):
        return
    if ScheduleItem.Status.PLAYED in statuses:
        status, error = Delivery.Status.DONE, ""
    elif all(s == ScheduleItem.Status.CANCELLED for s in statuses):
        status, error = Delivery.Status.CANCELLED, ""
    else:
        status, error = Delivery.Status.FAILED, _("Không lượt phát nào thành công (quá hạn hoặc lỗi).")
    changed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SCHEDULED).update(
        status=status, last_error=error, finished_at=timezone.now()
    )
    if changed:
        dispatch_id = Delivery.objects.filter(pk=delivery_id).values_list("dispatch_id", flat=True).first()
        dispatch_refresh(dispatch_id=dispatch_id)


def dispatch_refresh(*, dispatch_id: int) -> None:
    statuses = list(Delivery.objects.filter(dispatch_id=dispatch_id).values_list("status", flat=True))
    if any(s not in Delivery.TERMINAL for s in statuses):
        return
    if statuses and all(s == Delivery.Status.CANCELLED for s in statuses):
        status = Dispatch.Status.CANCELLED
    elif any(s == Delivery.Status.FAILED for s in statuses) or not statuses:
        status = Dispatch.Status.FAILED
    else:
        status = Dispatch.Status.DONE
    Dispatch.objects.filter(pk=dispatch_id, status=Dispatch.Status.ACTIVE).update(
        status=status, completed_at=timezone.now()
    )


def dispatch_cancel(*, dispatch: Dispatch, reason: str) -> int:
    """Cancel every delivery of ``dispatch`` that has not finished; keep what already played."""
    channel = None
    try:
        channel = channel_get(dispatch.channel)
    except ChannelConfigurationError:
        logger.warning("Cancelling dispatch %s of unknown channel %s", dispatch.pk, dispatch.channel)
    cancelled = 0
    for delivery in dispatch.deliveries.filter(status__in=ACTIVE):
        if channel is not None:
            channel.cancel(delivery=delivery)
        played = delivery.items.filter(status=ScheduleItem.Status.PLAYED).exists()
        Delivery.objects.filter(pk=delivery.pk, status__in=ACTIVE).update(
            status=Delivery.Status.DONE if played else Delivery.Status.CANCELLED,
            claim_token="", last_error=reason, finished_at=timezone.now(),
        )
        cancelled += 1
    Dispatch.objects.filter(pk=dispatch.pk, status=Dispatch.Status.ACTIVE).update(
        status=Dispatch.Status.CANCELLED, completed_at=timezone.now()
    )
    return cancelled


def page_withdraw(*, page) -> int:
    """Unpublishing cancels everything of the page that has not played yet."""
    total = 0
    with transaction.atomic():
        for dispatch in Dispatch.objects.filter(page_id=page.pk, status=Dispatch.Status.ACTIVE):
            total += dispatch_cancel(dispatch=dispatch, reason=_("Bản tin đã bị gỡ xuống."))
    return total


def page_delete_withdraw(*, page) -> int:
    """The page is being deleted: take it off every channel now and keep its broadcast record.

    Called inside the delete, before the rows go: the ``content_withdrawn`` sent after commit
    would find nothing left to withdraw. Dispatches, deliveries, schedule items and receipts
    stay (with the title and page id) as the record of what was broadcast; the delete itself
    only clears their link to the page.
    """
    from .schedule.services import schedule_items_withdraw

    dispatches = Dispatch.objects.filter(page_id=page.pk)
    items = ScheduleItem.objects.filter(page_id=page.pk)
    if not dispatches.exists() and not items.exists():
        return 0
    total = 0
    with transaction.atomic():
        for dispatch in dispatches.filter(status=Dispatch.Status.ACTIVE):
            total += dispatch_cancel(dispatch=dispatch, reason=_("Bản tin đã bị xoá."))
        total += schedule_items_withdraw(items=items, note="content deleted")
        dispatches.filter(content_id__isnull=True).update(content_id=page.pk)
        dispatches.filter(title="").update(title=page.title[:255])
        dispatches.update(content_deleted_at=timezone.now())
    return total


def page_audio_ready(*, page) -> int:
    """The page's audio is ready: wake its speaker deliveries that were waiting for it."""
    ids = list(
        Delivery.objects.filter(
            dispatch__page_id=page.pk, dispatch__status=Dispatch.Status.ACTIVE,
            status=Delivery.Status.WAITING_AUDIO,
        ).values_list("pk", flat=True)
    )
    _enqueue(ids)
    return len(ids)


def delivery_resend(*, delivery_id: int) -> bool:
    """Give a failed or cancelled delivery a fresh set of attempts (the admin's "Gửi lại")."""
    delivery = Delivery.objects.select_related("dispatch").get(pk=delivery_id)
    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.CANCELLED):
        return False
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.PENDING, attempts=0, last_error="", next_attempt_at=None,
            finished_at=None, claim_token="",
        )
        Dispatch.objects.filter(pk=delivery.dispatch_id).update(
            status=Dispatch.Status.ACTIVE, completed_at=None
        )
        _enqueue([delivery_id])
    return True


def dispatch_lost_repair(*, now: dt.datetime | None = None) -> int:
    """Dispatch live content whose approval never reached the outbox; returns how many.

    ``bulletin_dispatch`` runs after the publishing transaction commits: when that step fails
    ("database is locked", a crash) the page is live and nothing would ever send it. Content
    published in the last ``DISPATCH_REPAIR_SECONDS`` (and over a minute ago, so the normal
    path had its turn) whose live revision has no dispatch is dispatched now; dispatching is
    idempotent per revision and channel.
    """
    from django.db.models import Exists, OuterRef
    from wagtail.models import Page

    from workflows.events import BROADCAST_MODELS

    now = now or timezone.now()
    lost = (
        Page.objects.live()
        .filter(
            content_type__model__in=BROADCAST_MODELS,
            live_revision__isnull=False,
            last_published_at__gte=now - dt.timedelta(seconds=setting("DISPATCH_REPAIR_SECONDS")),
            last_published_at__lt=now - dt.timedelta(seconds=60),
        )
        .exclude(Exists(Dispatch.objects.filter(page_id=OuterRef("pk"),
                                                revision_id=OuterRef("live_revision_id"))))
        .select_related("live_revision")
    )
    repaired = 0
    for page in lost:
        logger.warning("Live page %s was never dispatched; dispatching it now", page.pk)
        if bulletin_dispatch(page=page.specific, revision=page.live_revision):
            repaired += 1
    return repaired


def delivery_sweep(*, now: dt.datetime | None = None) -> dict:
    """Periodic repair: re-queue deliveries stuck in flight (a killed worker), retry the due
    ones, wake those whose audio became ready, expire closed windows."""
    from .schedule.services import schedule_items_expire

    now = now or timezone.now()
    stuck_before = now - dt.timedelta(seconds=setting("STUCK_AFTER_SECONDS"))
    stuck = list(
        Delivery.objects.filter(status=Delivery.Status.IN_FLIGHT, claimed_at__lt=stuck_before)
        .values_list("pk", flat=True)
    )
    if stuck:
        Delivery.objects.filter(pk__in=stuck, status=Delivery.Status.IN_FLIGHT).update(
            status=Delivery.Status.PENDING, claim_token="", next_attempt_at=None,
            last_error=_("Tiến trình gửi bị gián đoạn; đã xếp lại hàng đợi."),
        )
    # Audio that never arrives (the speech engine failed for good) must surface, not wait forever.
    audio_deadline = now - dt.timedelta(seconds=setting("AUDIO_WAIT_SECONDS"))
    starved = list(
        Delivery.objects.filter(status=Delivery.Status.WAITING_AUDIO, created_at__lt=audio_deadline)
        .values_list("pk", "dispatch_id")
    )
    if starved:
        Delivery.objects.filter(pk__in=[pk for pk, _ in starved],
                                status=Delivery.Status.WAITING_AUDIO).update(
            status=Delivery.Status.FAILED, finished_at=now,
            last_error=_("Bản tin chưa có âm thanh sau %(minutes)s phút: kiểm tra mục “Âm thanh” "
                         "của bản tin (bộ đọc có thể đang lỗi) rồi bấm “Gửi lại”.")
            % {"minutes": setting("AUDIO_WAIT_SECONDS") // 60},
        )
        for dispatch_id in {d for _, d in starved}:
            dispatch_refresh(dispatch_id=dispatch_id)
    due = list(
        Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.WAITING_AUDIO])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )
    for delivery_id in schedule_items_expire(now=now):
        delivery_refresh_from_items(delivery_id=delivery_id)
    _enqueue(due)
    return {"stuck": len(stuck), "queued": len(due), "starved": len(starved)}
