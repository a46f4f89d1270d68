"""The checklist items that the registry and telemetry answer by themselves.

Each function takes what it needs (no queries) and returns an ``Answer``; ``None`` means it
cannot tell, and the item stays for the technician.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AutoCheck, Result

TOKEN_MAX_AGE_DAYS = 90
# Half-year assessments: an insecure heartbeat in the last six months fails the TLS item.
TLS_LOOKBACK_DAYS = 183


@dataclass(frozen=True)
class Answer:
    status: str
    evidence: str
    finding: str = ""


def version_key(version: str) -> tuple[int, ...] | None:
    """ "v2.10.3-rc1" → (2, 10, 3, 1); None when there is no number in it."""
    numbers = re.findall(r"\d+", version or "")
    return tuple(int(n) for n in numbers) if numbers else None


def baseline_for(cluster, baselines):
    """The most specific baseline for the cluster's vendor and model (exact, then vendor only,
    then the catch-all); the comparison ignores case and surrounding spaces."""
    vendor = (cluster.vendor or "").strip().casefold()
    model = (cluster.model_name or "").strip().casefold()
    ranked = []
    for baseline in baselines:
        b_vendor = baseline.vendor.strip().casefold()
        b_model = baseline.model_name.strip().casefold()
        if b_vendor and b_vendor != vendor:
            continue
        if b_model and b_model != model:
            continue
        ranked.append((bool(b_vendor) + bool(b_model), baseline))
    return max(ranked, key=lambda pair: pair[0])[1] if ranked else None


def cluster_firmware(cluster) -> str:
    """What the cluster last reported, else what the registry says."""
    reported = (cluster.last_heartbeat or {}).get("firmware")
    return str(reported).strip() if reported else (cluster.firmware_version or "").strip()


def firmware_answer(*, cluster, baselines) -> Answer | None:
    baseline = baseline_for(cluster, baselines)
    if baseline is None:
        return None
    firmware = cluster_firmware(cluster)
    if not firmware:
        return Answer(Result.FAILED,
                      _("Không xác định được phiên bản firmware (cụm loa chưa báo cáo, sổ "
                        "thiết bị chưa ghi)."),
                      _("Chưa xác minh được firmware so với phiên bản được duyệt %(v)s.")
                      % {"v": baseline.version})
    found, wanted = version_key(firmware), version_key(baseline.version)
    if found is not None and wanted is not None:
        at_baseline = found >= wanted
    else:
        at_baseline = firmware.casefold() == baseline.version.strip().casefold()
    evidence = _("Firmware %(found)s; phiên bản được duyệt %(wanted)s.") % {
        "found": firmware, "wanted": baseline.version}
    if at_baseline:
        return Answer(Result.PASSED, evidence)
    return Answer(Result.FAILED, evidence,
                  _("Firmware %(found)s cũ hơn phiên bản được duyệt %(wanted)s.")
                  % {"found": firmware, "wanted": baseline.version})


def token_answer(*, cluster, now: dt.datetime, max_age_days: int = TOKEN_MAX_AGE_DAYS) -> Answer:
    if not cluster.token_id:
        if cluster.token_revoked_at:
            return Answer(Result.NOT_APPLICABLE,
                          _("Mã truy cập đã bị thu hồi ngày %(d)s; cụm loa không kết nối được.")
                          % {"d": _date(cluster.token_revoked_at)})
        return Answer(Result.FAILED, _("Cụm loa chưa từng được cấp mã truy cập."),
                      _("Chưa cấp mã truy cập riêng cho cụm loa."))
    if cluster.token_issued_at is None:
        return Answer(Result.FAILED, _("Không rõ ngày cấp mã truy cập."),
                      _("Mã truy cập chưa từng được thay."))
    age = (now - cluster.token_issued_at).days
    evidence = _("Mã truy cập cấp ngày %(d)s, đã dùng %(n)s ngày.") % {
        "d": _date(cluster.token_issued_at), "n": age}
    if age <= max_age_days:
        return Answer(Result.PASSED, evidence)
    return Answer(Result.FAILED, evidence,
                  _("Mã truy cập quá %(max)s ngày chưa thay.") % {"max": max_age_days})


def tls_answer(*, transport, now: dt.datetime, lookback_days: int = TLS_LOOKBACK_DAYS) -> Answer | None:
    """Heartbeats only over HTTPS: fails on any plain-HTTP heartbeat in the lookback window."""
    if transport is None:
        return None
    since = now - dt.timedelta(days=lookback_days)
    if transport.last_insecure_at and transport.last_insecure_at >= since:
        return Answer(Result.FAILED,
                      _("Tín hiệu kết nối qua HTTP không mã hóa lúc %(at)s.")
                      % {"at": _datetime(transport.last_insecure_at)},
                      _("Kênh điều khiển còn nhận kết nối không mã hóa (HTTP)."))
    if transport.last_secure_at and transport.last_secure_at >= since:
        return Answer(Result.PASSED,
                      _("Tín hiệu kết nối qua HTTPS, lần gần nhất lúc %(at)s; có xác thực "
                        "bằng mã truy cập riêng.") % {"at": _datetime(transport.last_secure_at)})
    return None


def answer(*, kind: str, cluster, now: dt.datetime, baselines, transports) -> Answer | None:
    """The automatic answer for an item of kind ``kind`` about ``cluster`` (None: cannot tell)."""
    if cluster is None:
        return None
    if kind == AutoCheck.FIRMWARE_BASELINE:
        return firmware_answer(cluster=cluster, baselines=baselines)
    if kind == AutoCheck.TOKEN_AGE:
        return token_answer(cluster=cluster, now=now)
    if kind == AutoCheck.HEARTBEAT_TLS:
        return tls_answer(transport=transports.get(cluster.pk), now=now)
    return None


def _date(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y")


def _datetime(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")
