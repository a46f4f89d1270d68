"""Reads of the Zalo integration: quota use, the account of a site."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .models import ZaloAccount, ZaloBroadcast


def quota_month(now: dt.datetime | None = None) -> dt.date:
    """The first day of the current month, commune time (quotas are monthly)."""
    return timezone.localdate(now or timezone.now()).replace(day=1)


@dataclass(frozen=True)
class QuotaUse:
    month: dt.date
    used: int
    quota: int

    @property
    def left(self) -> int:
        return max(self.quota - self.used, 0)


def broadcast_quota_use(*, site, account: ZaloAccount | None = None,
                        now: dt.datetime | None = None) -> QuotaUse:
    month = quota_month(now)
    account = account or ZaloAccount.objects.filter(site=site).first()
    quota = account.monthly_broadcast_quota if account else 0
    used = ZaloBroadcast.objects.filter(
        site=site, month=month,
        state__in=[ZaloBroadcast.State.SENDING, ZaloBroadcast.State.SENT],
    ).count()
    return QuotaUse(month=month, used=used, quota=quota)


def account_for_site(site) -> ZaloAccount | None:
    return ZaloAccount.objects.filter(site=site).first() if site is not None else None
