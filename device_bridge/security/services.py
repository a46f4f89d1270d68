"""Writes of the security assessment: templates, assessments, answers, sign-off, transports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from device_bridge.models import SpeakerCluster

from . import checks
from .models import (
    Assessment,
    AssessmentResult,
    AutoCheck,
    ChecklistItem,
    ChecklistTemplate,
    FirmwareBaseline,
    HeartbeatTransport,
    Result,
    Scope,
)

#: The issue's default items; migration 0002 seeds the same list for the sites that exist then.
DEFAULT_TEMPLATE_NAME = "Danh mục kiểm tra an toàn thông tin hệ thống loa truyền thanh"
DEFAULT_ITEMS = [
    ("default_password", "Đã đổi mật khẩu mặc định của thiết bị",
     "Đăng nhập thử bằng mật khẩu của nhà sản xuất phải bị từ chối.", Scope.CLUSTER,
     AutoCheck.MANUAL),
    ("firmware_baseline", "Firmware ở phiên bản được duyệt",
     "So với danh mục phiên bản firmware được duyệt.", Scope.CLUSTER,
     AutoCheck.FIRMWARE_BASELINE),
    ("control_channel", "Kênh điều khiển được xác thực và mã hóa",
     "Cụm loa chỉ kết nối qua HTTPS bằng mã truy cập riêng.", Scope.CLUSTER,
     AutoCheck.HEARTBEAT_TLS),
    ("token_rotated", "Mã truy cập được thay trong vòng 90 ngày", "", Scope.CLUSTER,
     AutoCheck.TOKEN_AGE),
    ("no_open_ports", "Không mở cổng quản trị ra Internet",
     "Quét cổng địa chỉ IP của SIM: không có Telnet, SSH, web quản trị.", Scope.CLUSTER,
     AutoCheck.MANUAL),
    ("enclosure_locked", "Tủ thiết bị được khóa", "", Scope.CLUSTER, AutoCheck.MANUAL),
    ("sim_pin", "SIM đã đặt mã PIN", "", Scope.CLUSTER, AutoCheck.MANUAL),
    ("audit_log", "Nhật ký quản trị được bật",
     "Hệ thống quản lý ghi lại thao tác của người dùng quản trị.", Scope.SYSTEM,
     AutoCheck.MANUAL),
    ("backup_restore", "Bản sao lưu hệ thống quản lý đã được khôi phục thử",
     "Khôi phục thử bản sao lưu gần nhất lên máy khác và mở được.", Scope.SYSTEM,
     AutoCheck.MANUAL),
]


class AssessmentLocked(ValidationError):
    """A signed-off assessment is the record: nothing in it changes any more."""

    def __init__(self):
        super().__init__(_("Đợt đánh giá đã được ký duyệt, không sửa được nữa."))


def checklist_template_default_create(*, site) -> ChecklistTemplate:
    """The site's default checklist, created with the default items if it has none."""
    template = ChecklistTemplate.objects.filter(site=site, is_default=True).first()
    if template is not None:
        return template
    with transaction.atomic():
        template = ChecklistTemplate.objects.create(site=site, name=DEFAULT_TEMPLATE_NAME,
                                                    is_default=True)
        for order, (code, title, guidance, scope, automatic) in enumerate(DEFAULT_ITEMS):
            ChecklistItem.objects.create(template=template, site=site, sort_order=order,
                                         code=code, title=title, guidance=guidance,
                                         scope=scope, automatic=automatic)
    return template


def _cluster_label(cluster: SpeakerCluster) -> str:
    return f"{cluster.code} · {cluster.name}"


@transaction.atomic
def assessment_create(*, site, period: str, template: ChecklistTemplate, user,
                      number_symbol: str = "", now: dt.datetime | None = None) -> Assessment:
    """A new round: each cluster item once per active cluster, each system item once; then the
    automatic items are answered."""
    period = " ".join(period.split())
    if not period:
        raise ValidationError({"period": _("Hãy nhập kỳ đánh giá, ví dụ “6 tháng đầu năm 2026”.")})
    if template.site_id != site.pk:
        raise ValidationError({"template": _("Mẫu danh mục không thuộc cổng thông tin này.")})
    if Assessment.objects.filter(site=site, period__iexact=period).exists():
        raise ValidationError({"period": _("Kỳ “%(period)s” đã có đợt đánh giá.") % {
            "period": period}})
    items = list(template.items.order_by("sort_order", "pk"))
    if not items:
        raise ValidationError({"template": _("Mẫu danh mục chưa có nội dung kiểm tra nào.")})
    assessment = Assessment.objects.create(site=site, period=period, template=template,
                                           created_by=user, number_symbol=number_symbol)
    clusters = list(SpeakerCluster.objects.filter(is_active=True).order_by("code"))
    results = []
    for order, item in enumerate(items):
        targets = clusters if item.scope == Scope.CLUSTER else [None]
        for cluster in targets:
            results.append(AssessmentResult(
                site=site, assessment=assessment, item=item, item_code=item.code,
                item_title=item.title, automatic=item.automatic, sort_order=order,
                cluster=cluster, cluster_label=_cluster_label(cluster) if cluster else "",
            ))
    AssessmentResult.objects.bulk_create(results)
    assessment_autofill(assessment=assessment, now=now)
    return assessment


def assessment_autofill(*, assessment: Assessment, now: dt.datetime | None = None) -> int:
    """Answer the automatic items from the registry and telemetry; returns how many changed.

    An item a technician answered by hand keeps the technician's answer."""
    if assessment.is_signed_off:
        raise AssessmentLocked()
    now = now or timezone.now()
    results = list(
        AssessmentResult.objects.filter(assessment=assessment, cluster__isnull=False)
        .exclude(automatic="")
        .filter(Q(status=Result.PENDING) | Q(answered_automatically=True))
    )
    clusters = SpeakerCluster.objects.in_bulk([r.cluster_id for r in results])
    baselines = list(FirmwareBaseline.objects.filter(site=assessment.site_id))
    transports = {t.cluster_id: t for t in HeartbeatTransport.objects.filter(
        cluster_id__in=clusters.keys())}
    changed = []
    for result in results:
        found = checks.answer(kind=result.automatic, cluster=clusters.get(result.cluster_id),
                              now=now, baselines=baselines, transports=transports)
        if found is None:
            continue
        result.status, result.evidence, result.finding = found.status, found.evidence, found.finding
        result.answered_automatically = True
        result.answered_by = None
        result.answered_at = now
        changed.append(result)
    AssessmentResult.objects.bulk_update(changed, ["status", "evidence", "finding",
                                                   "answered_automatically", "answered_by",
                                                   "answered_at"])
    Assessment.objects.filter(pk=assessment.pk).update(autofilled_at=now)
    assessment.autofilled_at = now
    return len(changed)


def result_answer(*, result: AssessmentResult, user, status: str, evidence: str = "",
                  finding: str = "", remediation: str = "", owner: str = "",
                  due_date: dt.date | None = None, resolved_on: dt.date | None = None) -> None:
    """A technician's answer to one item; a failed item needs what was found."""
    if result.assessment.is_signed_off:
        raise AssessmentLocked()
    if status not in Result.values:
        raise ValidationError({"status": _("Kết quả không hợp lệ.")})
    if status == Result.FAILED and not finding.strip():
        raise ValidationError({"finding": _("Nội dung không đạt cần ghi rõ phát hiện.")})
    if resolved_on and status != Result.FAILED:
        raise ValidationError({"resolved_on": _("Chỉ nội dung không đạt mới có ngày khắc phục.")})
    result.status = status
    result.evidence, result.finding, result.remediation = evidence, finding, remediation
    result.owner, result.due_date, result.resolved_on = owner, due_date, resolved_on
    result.answered_automatically = False
    result.answered_by = user
    result.answered_at = timezone.now()
    result.save()


def assessment_update(*, assessment: Assessment, number_symbol: str, summary: str) -> None:
    if assessment.is_signed_off:
        raise AssessmentLocked()
    assessment.number_symbol = number_symbol.strip()
    assessment.summary = summary.strip()
    assessment.save(update_fields=["number_symbol", "summary"])


@transaction.atomic
def assessment_sign_off(*, assessment: Assessment, user, on_behalf: str, title: str,
                        name: str) -> None:
    """Sign the round off (ký duyệt): every item must be answered; then it is read-only."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_signed_off:
        raise AssessmentLocked()
    pending = assessment.results.filter(status=Result.PENDING).count()
    if pending:
        raise ValidationError(_("Còn %(n)s nội dung chưa đánh giá; hãy đánh giá hết trước khi "
                                "ký duyệt.") % {"n": pending})
    if not title.strip() or not name.strip():
        raise ValidationError(_("Hãy nhập chức vụ và họ tên người ký."))
    Assessment.objects.filter(pk=assessment.pk).update(
        signed_off_by=user, signed_off_at=timezone.now(), signer_on_behalf=on_behalf.strip(),
        signer_title=title.strip(), signer_name=name.strip(),
    )


def heartbeat_transport_record(*, cluster_id: int, secure: bool, scheme: str,
                               forwarded_proto: str, now: dt.datetime) -> None:
    """Remember how a cluster's heartbeat reached the server (for the TLS check)."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    stamp = {"last_secure_at": now} if secure else {"last_insecure_at": now}
    HeartbeatTransport.objects.update_or_create(
        cluster_id=cluster_id,
        defaults={"site": site, "last_scheme": scheme[:10],
                  "last_forwarded_proto": forwarded_proto[:10], **stamp},
    )
