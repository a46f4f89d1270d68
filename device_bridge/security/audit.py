"""The management system's own security posture (``manage.py security_audit``).

Each check returns findings with a severity; a high finding makes the command exit non-zero so
it can run from cron or CI. The checks read settings and the database only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import checks as django_checks
from django.db.models import Q
from django.utils import timezone

from workflows import roles

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_LABELS = {HIGH: "CAO", MEDIUM: "TRUNG BÌNH", LOW: "THẤP"}

#: Deployment checks whose failure exposes the system at once (the rest are hardening).
HIGH_DEPLOY_CHECKS = {
    "security.W004",  # no HSTS
    "security.W008",  # no HTTPS redirect
    "security.W009",  # weak SECRET_KEY
    "security.W012",  # session cookie over HTTP
    "security.W016",  # CSRF cookie over HTTP
    "security.W018",  # DEBUG on
    "security.W020",  # ALLOWED_HOSTS empty
}


@dataclass(frozen=True)
class Finding:
    severity: str
    topic: str
    message: str


def deploy_check_findings() -> list[Finding]:
    """``manage.py check --deploy``: every message it would print, not silenced."""
    findings = []
    for message in django_checks.run_checks(include_deployment_checks=True):
        if message.is_silenced() or message.level < django_checks.WARNING:
            continue
        high = message.level >= django_checks.ERROR or message.id in HIGH_DEPLOY_CHECKS
        text = str(message.msg).splitlines()[0]
        findings.append(Finding(HIGH if high else MEDIUM, "check --deploy",
                                f"{message.id}: {text}"))
    return findings


def _name(user) -> str:
    full = user.get_full_name()
    return f"{user.get_username()} ({full})" if full else user.get_username()


def stale_admin_findings(*, now: dt.datetime, days: int) -> list[Finding]:
    User = get_user_model()
    cutoff = now - dt.timedelta(days=days)
    admins = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name=roles.ADMINISTRATOR)).distinct()
    findings = []
    for user in admins.filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff)):
        when = (timezone.localtime(user.last_login).strftime("%d/%m/%Y")
                if user.last_login else "chưa đăng nhập lần nào")
        findings.append(Finding(
            MEDIUM, "Tài khoản quản trị",
            f"{_name(user)} không đăng nhập quá {days} ngày (lần cuối: {when}); "
            "khoá hoặc xoá nếu không còn dùng."))
    return findings


def excess_rights_findings() -> list[Finding]:
    """Rights beyond a role: permissions given to the user directly, groups that are no role,
    superusers outside the Quản trị role."""
    User = get_user_model()
    findings = []
    active = User.objects.filter(is_active=True)
    for user in active.filter(is_superuser=True).exclude(groups__name=roles.ADMINISTRATOR):
        findings.append(Finding(
            HIGH, "Quyền vượt vai trò",
            f"{_name(user)} là superuser (toàn quyền) nhưng không thuộc vai trò "
            f"“{roles.ADMINISTRATOR}”."))
    direct = (active.filter(user_permissions__isnull=False).distinct()
              .prefetch_related("user_permissions"))
    for user in direct:
        names = sorted(p.codename for p in user.user_permissions.all())
        findings.append(Finding(
            MEDIUM, "Quyền vượt vai trò",
            f"{_name(user)} có quyền gán trực tiếp ngoài vai trò: {', '.join(names)}."))
    outside = active.filter(
        groups__in=Group.objects.exclude(name__in=roles.ROLES)).distinct()
    for user in outside.prefetch_related("groups"):
        groups = sorted(g.name for g in user.groups.all() if g.name not in roles.ROLES)
        if groups:
            findings.append(Finding(
                MEDIUM, "Quyền vượt vai trò",
                f"{_name(user)} thuộc nhóm không phải vai trò: {', '.join(groups)}."))
    return findings


def token_findings(*, now: dt.datetime, max_age_days: int) -> list[Finding]:
    from device_bridge.models import SpeakerCluster

    findings = []
    cutoff = now - dt.timedelta(days=max_age_days)
    clusters = SpeakerCluster.objects.filter(is_active=True).only(
        "code", "name", "token_id", "token_issued_at")
    for cluster in clusters:
        if not cluster.token_id or cluster.token_issued_at is None:
            findings.append(Finding(MEDIUM, "Mã truy cập cụm loa",
                                    f"Cụm loa {cluster.code} chưa từng được cấp mã truy cập."))
        elif cluster.token_issued_at < cutoff:
            age = (now - cluster.token_issued_at).days
            findings.append(Finding(
                MEDIUM, "Mã truy cập cụm loa",
                f"Cụm loa {cluster.code}: mã truy cập đã dùng {age} ngày, quá {max_age_days} "
                "ngày chưa thay."))
    return findings


def demo_account_findings() -> list[Finding]:
    """The accounts ``seed_demo`` creates (content_types.services.DEMO_ACCOUNTS)."""
    from content_types.services import DEMO_ACCOUNTS, DEMO_PASSWORD

    usernames = [row[0] for row in DEMO_ACCOUNTS]
    findings = []
    for user in get_user_model().objects.filter(username__in=usernames, is_active=True):
        if user.check_password(DEMO_PASSWORD):
            findings.append(Finding(
                HIGH, "Tài khoản mẫu",
                f"Tài khoản mẫu {user.get_username()} còn dùng mật khẩu mẫu công khai; "
                "xoá tài khoản này trước khi vận hành."))
        else:
            findings.append(Finding(
                MEDIUM, "Tài khoản mẫu",
                f"Tài khoản mẫu {user.get_username()} vẫn còn (đã đổi mật khẩu); nên xoá "
                "và tạo tài khoản riêng cho từng người."))
    return findings


def security_audit(*, now: dt.datetime | None = None, admin_days: int = 90,
                   token_days: int = 90, deploy_checks: bool = True) -> list[Finding]:
    now = now or timezone.now()
    findings = []
    if deploy_checks:
        findings += deploy_check_findings()
    findings += stale_admin_findings(now=now, days=admin_days)
    findings += excess_rights_findings()
    findings += token_findings(now=now, max_age_days=token_days)
    findings += demo_account_findings()
    order = {HIGH: 0, MEDIUM: 1, LOW: 2}
    return sorted(findings, key=lambda f: order[f.severity])


def settings_module() -> str:
    return getattr(settings, "SETTINGS_MODULE", "")
