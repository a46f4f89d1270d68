"""manage.py security_audit: fails on the demo accounts, passes once they are gone; stale
admins, rights beyond a role, old cluster tokens; check --deploy under production-like settings."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from content_types.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from device_bridge.fleet.services import cluster_token_rotate
from device_bridge.models import SpeakerCluster
from device_bridge.security import audit
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db

# What cms/settings/production.py sets, with a key long and random enough for check --deploy.
PRODUCTION_LIKE = {
    "DEBUG": False,
    "SECRET_KEY": "k" + "Zq7#pL2@xW9!mV4$rT8^yB1&nC6*dF3(hJ5)sG0-" * 2,
    "ALLOWED_HOSTS": ["chiminh.example.vn"],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
}


@pytest.fixture
def production_like(settings, monkeypatch):
    # The browser tests' modules set this for Playwright at import; check --deploy refuses it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    for name, value in PRODUCTION_LIKE.items():
        setattr(settings, name, value)
    return settings


def _demo_accounts():
    User = get_user_model()
    for username, full_name, is_superuser, group_names in DEMO_ACCOUNTS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD,
                                        first_name=full_name, is_superuser=is_superuser,
                                        is_staff=is_superuser, last_login=timezone.now())
        user.groups.set(Group.objects.filter(name__in=group_names))


def _run(*args):
    out = io.StringIO()
    try:
        call_command("security_audit", *args, stdout=out)
    except CommandError as err:
        return err.returncode, out.getvalue() + str(err)
    return 0, out.getvalue()


def test_fails_on_the_demo_accounts_and_passes_once_they_are_gone(production_like):
    _demo_accounts()
    code, output = _run()
    assert code == 2
    assert "[CAO] Tài khoản mẫu: Tài khoản mẫu admin còn dùng mật khẩu mẫu" in output
    assert "mức cao" in output

    get_user_model().objects.filter(username__in=[row[0] for row in DEMO_ACCOUNTS]).delete()
    code, output = _run()
    assert code == 0, output
    assert "Không phát hiện vấn đề nào." in output
    assert "Tổng kết: 0 mức cao, 0 mức trung bình, 0 mức thấp." in output


def test_a_demo_account_with_a_changed_password_is_a_warning_only(production_like):
    _demo_accounts()
    for user in get_user_model().objects.all():
        user.set_password("mat-khau-rieng-rat-dai-2027")
        user.save()
    code, output = _run()
    assert code == 0
    assert "[TRUNG BÌNH] Tài khoản mẫu: Tài khoản mẫu kythuat vẫn còn" in output


def test_check_deploy_warnings_are_collected_with_their_severity(settings):
    settings.DEBUG = True
    settings.SECURE_HSTS_SECONDS = 0
    ids = {f.message.split(":")[0]: f.severity for f in audit.deploy_check_findings()}
    assert ids["security.W018"] == audit.HIGH
    assert ids["security.W004"] == audit.HIGH
    assert _run()[0] == 2
    assert _run("--skip-deploy-checks")[0] == 0


def test_stale_admins_rights_beyond_the_role_and_old_tokens(production_like):
    now = timezone.now()
    old_admin = make_user("quantri-cu", roles.ADMINISTRATOR)
    get_user_model().objects.filter(pk=old_admin.pk).update(last_login=now - dt.timedelta(days=91))
    fresh_admin = make_user("quantri-moi", roles.ADMINISTRATOR)
    get_user_model().objects.filter(pk=fresh_admin.pk).update(last_login=now)
    root = make_user("sieu-quyen", roles.EDITOR, superuser=True)
    get_user_model().objects.filter(pk=root.pk).update(last_login=now)
    editor = make_user("bientap-them-quyen", roles.EDITOR)
    editor.user_permissions.add(Permission.objects.get(codename="delete_user"))
    outsider = make_user("nhom-la", roles.TECHNICIAN)
    outsider.groups.add(Group.objects.create(name="Nhóm tạm"))
    never = SpeakerCluster.objects.create(code="cl-chua-cap", name="Chưa cấp mã")
    stale = SpeakerCluster.objects.create(code="cl-cu", name="Mã cũ")
    cluster_token_rotate(cluster=stale)
    SpeakerCluster.objects.filter(pk=stale.pk).update(token_issued_at=now - dt.timedelta(days=120))
    fresh = SpeakerCluster.objects.create(code="cl-moi", name="Mã mới")
    cluster_token_rotate(cluster=fresh)

    findings = audit.security_audit(now=now, deploy_checks=False)
    text = "\n".join(f"{f.severity}|{f.message}" for f in findings)
    assert "medium|quantri-cu (Quantri-cu) không đăng nhập quá 90 ngày" in text
    assert "quantri-moi" not in text
    assert "high|sieu-quyen (Sieu-quyen) là superuser" in text
    assert "medium|bientap-them-quyen (Bientap-them-quyen) có quyền gán trực tiếp ngoài vai trò: delete_user." in text
    assert "medium|nhom-la (Nhom-la) thuộc nhóm không phải vai trò: Nhóm tạm." in text
    assert f"Cụm loa {never.code} chưa từng được cấp mã truy cập." in text
    assert f"Cụm loa {stale.code}: mã truy cập đã dùng 120 ngày" in text
    assert fresh.code not in text
    assert findings[0].severity == audit.HIGH
    assert _run("--days", "30")[0] == 2  # the superuser outside Quản trị is high
