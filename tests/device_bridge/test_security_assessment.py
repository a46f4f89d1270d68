"""Security assessment of the clusters: the default checklist, automatic answers from simulated
telemetry (heartbeats over HTTP/HTTPS, firmware, token age), manual answers, sign-off, report."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from wagtail.models import Site

from device_bridge.fleet.services import cluster_token_revoke, cluster_token_rotate
from device_bridge.models import SpeakerCluster
from device_bridge.security import services
from device_bridge.security.models import (
    Assessment,
    AssessmentResult,
    ChecklistTemplate,
    FirmwareBaseline,
    HeartbeatTransport,
    Result,
)
from device_bridge.security.report import assessment_document
from tests.factories import build_site
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db

HEARTBEAT = "/api/devices/v1/heartbeat"


@pytest.fixture
def site(db):
    build_site()
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def fleet(site):
    """Three clusters: one up to date over HTTPS, one stale over HTTP, one never reporting."""
    made = {}
    for code, vendor in [("cl-a", "Hanet"), ("cl-b", "Hanet"), ("cl-c", "Khác")]:
        cluster = SpeakerCluster.objects.create(code=code, name=f"Cụm {code}", vendor=vendor,
                                                model_name="IP-4G")
        cluster.token = cluster_token_rotate(cluster=cluster)
        made[code] = cluster
    FirmwareBaseline.objects.create(site=site, vendor="Hanet", version="2.4.0")
    FirmwareBaseline.objects.create(site=site, version="1.0")
    return made


def _beat(client, cluster, firmware, **extra):
    response = client.post(HEARTBEAT, json.dumps({"status": "idle", "firmware": firmware}),
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {cluster.token}", **extra)
    assert response.status_code == 200, response.content
    return response


def _result(assessment, code, cluster=None):
    return AssessmentResult.objects.get(assessment=assessment, item_code=code, cluster=cluster)


def test_default_checklist_holds_the_issue_items(site):
    template = services.checklist_template_default_create(site=site)
    codes = list(template.items.order_by("sort_order").values_list("code", flat=True))
    assert codes == ["default_password", "firmware_baseline", "control_channel", "token_rotated",
                     "no_open_ports", "enclosure_locked", "sim_pin", "audit_log",
                     "backup_restore"]
    assert services.checklist_template_default_create(site=site) == template
    assert ChecklistTemplate.objects.filter(site=site).count() == 1


def test_a_round_has_each_cluster_item_per_active_cluster_and_system_items_once(site, fleet):
    SpeakerCluster.objects.create(code="cl-old", name="Cụm cũ", is_active=False)
    template = services.checklist_template_default_create(site=site)
    assessment = services.assessment_create(site=site, period="6 tháng đầu năm 2026",
                                            template=template, user=None)
    results = AssessmentResult.objects.filter(assessment=assessment)
    assert results.count() == 7 * 3 + 2
    assert results.filter(cluster=None).count() == 2
    assert not results.filter(cluster__code="cl-old").exists()
    assert set(results.values_list("site", flat=True)) == {site.pk}
    with pytest.raises(ValidationError) as err:
        services.assessment_create(site=site, period=" 6 tháng  đầu năm 2026",
                                   template=template, user=None)
    assert "đã có đợt đánh giá" in str(err.value)


def test_automatic_answers_from_simulated_telemetry(client, site, fleet, settings):
    a, b, c = fleet["cl-a"], fleet["cl-b"], fleet["cl-c"]
    _beat(client, a, "2.4.1", secure=True)
    _beat(client, b, "2.3.9")  # plain HTTP
    # Behind nginx: TLS ends at the proxy, which says so in X-Forwarded-Proto.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    _beat(client, c, "", HTTP_X_FORWARDED_PROTO="https")
    assert HeartbeatTransport.objects.get(cluster=a).last_secure_at is not None
    assert HeartbeatTransport.objects.get(cluster=b).last_insecure_at is not None
    assert HeartbeatTransport.objects.get(cluster=c).last_forwarded_proto == "https"
    SpeakerCluster.objects.filter(pk=b.pk).update(
        token_issued_at=timezone.now() - dt.timedelta(days=91))
    cluster_token_revoke(cluster=SpeakerCluster.objects.get(pk=c.pk))

    template = services.checklist_template_default_create(site=site)
    assessment = services.assessment_create(site=site, period="6 tháng cuối năm 2026",
                                            template=template, user=None)

    assert _result(assessment, "firmware_baseline", a).status == Result.PASSED
    firmware_b = _result(assessment, "firmware_baseline", b)
    assert firmware_b.status == Result.FAILED
    assert "2.3.9" in firmware_b.finding and "2.4.0" in firmware_b.finding
    assert _result(assessment, "firmware_baseline", c).status == Result.FAILED  # unknown
    assert _result(assessment, "control_channel", a).status == Result.PASSED
    assert _result(assessment, "control_channel", b).status == Result.FAILED
    assert _result(assessment, "control_channel", c).status == Result.PASSED
    assert _result(assessment, "token_rotated", a).status == Result.PASSED
    token_b = _result(assessment, "token_rotated", b)
    assert token_b.status == Result.FAILED and "91 ngày" in token_b.evidence
    assert _result(assessment, "token_rotated", c).status == Result.NOT_APPLICABLE
    assert _result(assessment, "sim_pin", a).status == Result.PENDING
    assert all(r.answered_automatically for r in AssessmentResult.objects.filter(
        assessment=assessment).exclude(status=Result.PENDING))


def test_a_heartbeat_with_a_wrong_secret_records_nothing(client, site, fleet):
    a = fleet["cl-a"]
    token_id = a.token.split(".")[0]
    client.post(HEARTBEAT, json.dumps({"status": "idle"}), content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token_id}.sai-mat-khau")
    assert not HeartbeatTransport.objects.filter(cluster=a).exists()


def test_a_technicians_answer_survives_the_next_autofill(site, fleet):
    template = services.checklist_template_default_create(site=site)
    assessment = services.assessment_create(site=site, period="Quý 4 năm 2026",
                                            template=template, user=None)
    result = _result(assessment, "firmware_baseline", fleet["cl-c"])
    user = make_user("kythuat", roles.TECHNICIAN)
    services.result_answer(result=result, user=user, status=Result.NOT_APPLICABLE,
                           evidence="Cụm loa đang gửi hãng sửa chữa.")
    services.assessment_autofill(assessment=assessment)
    result.refresh_from_db()
    assert result.status == Result.NOT_APPLICABLE and not result.answered_automatically
    assert result.answered_by == user


def test_a_failed_item_needs_its_finding_and_sign_off_needs_every_answer(site, fleet):
    template = services.checklist_template_default_create(site=site)
    assessment = services.assessment_create(site=site, period="Năm 2026", template=template,
                                            user=None)
    result = _result(assessment, "sim_pin", fleet["cl-a"])
    with pytest.raises(ValidationError):
        services.result_answer(result=result, user=None, status=Result.FAILED, finding=" ")
    with pytest.raises(ValidationError) as err:
        services.assessment_sign_off(assessment=assessment, user=None, on_behalf="",
                                     title="CHỦ TỊCH", name="Nguyễn Văn A")
    assert "chưa đánh giá" in str(err.value)
    assert not Assessment.objects.get(pk=assessment.pk).is_signed_off


def _answer_everything(assessment, user):
    for result in AssessmentResult.objects.filter(assessment=assessment, status=Result.PENDING):
        if result.item_code == "sim_pin" and result.cluster.code == "cl-b":
            services.result_answer(result=result, user=user, status=Result.FAILED,
                                   finding="SIM chưa đặt mã PIN.", remediation="Đặt mã PIN.",
                                   owner="Lê Văn Kỹ", due_date=dt.date(2027, 1, 15))
        else:
            services.result_answer(result=result, user=user, status=Result.PASSED,
                                   evidence="Kiểm tra tại chỗ ngày 20/11/2026.")


def test_report_lists_the_checks_and_the_open_findings(site, fleet):
    template = services.checklist_template_default_create(site=site)
    assessment = services.assessment_create(site=site, period="6 tháng cuối năm 2026",
                                            template=template, user=None,
                                            number_symbol="15/BC-TTDVSNC")
    _answer_everything(assessment, None)
    services.assessment_sign_off(assessment=assessment, user=None, on_behalf="TM. ỦY BAN NHÂN DÂN",
                                 title="CHỦ TỊCH", name="Phạm Văn Chủ")
    assessment.refresh_from_db()
    document = assessment_document(assessment=assessment, with_chart=False)
    assert document.signer.name == "Phạm Văn Chủ"
    from cms.official_document import render_pdf, render_xlsx

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(document))).pages)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 15/BC-TTDVSNC",
                     "6 tháng cuối năm 2026", "SIM chưa đặt mã PIN.", "Lê Văn Kỹ",
                     "15/01/2027", "Phạm Văn Chủ", "III. CÁC TỒN TẠI CHƯA KHẮC PHỤC"):
        assert expected in text, (expected, text)
    assert "dự thảo" not in text
    sheet = load_workbook(io.BytesIO(render_xlsx(document))).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "SIM chưa đặt mã PIN." in values
    # The summary row of the item "SIM đã đặt mã PIN": 2 passed, 1 failed, 0 not applicable.
    row = next(r for r in sheet.iter_rows(values_only=True) if "SIM đã đặt mã PIN" in r)
    assert [v for v in row if isinstance(v, int)][1:] == [2, 1, 0]


# --------------------------------------------------------------------------- screens


def _url(name, *args):
    return reverse(f"fleetsecurity_admin:{name}", args=args)


def test_technician_creates_and_answers_a_round_leader_signs_it_off(client, site, fleet):
    technician = make_user("kythuat", roles.TECHNICIAN)
    leader = make_user("lanhdao", roles.LEADER)
    client.force_login(technician)
    assert client.get(_url("assessment_list")).status_code == 200
    template = ChecklistTemplate.objects.get(site=site, is_default=True)
    response = client.post(_url("assessment_create"), {
        "period": "6 tháng đầu năm 2027", "template": template.pk,
        "number_symbol": "03/BC-TTDVSNC"})
    assessment = Assessment.objects.get(period="6 tháng đầu năm 2027")
    assert response.status_code == 302 and assessment.created_by == technician
    detail = client.get(_url("assessment_detail", assessment.pk))
    assert detail.status_code == 200 and "Ký duyệt" in detail.content.decode()
    result = _result(assessment, "sim_pin", fleet["cl-a"])
    bad = client.post(_url("result_edit", result.pk), {"status": Result.FAILED, "finding": ""})
    assert bad.status_code == 200 and "cần ghi rõ phát hiện" in bad.content.decode()
    _answer_everything(assessment, technician)
    # A technician cannot sign off the round they assessed.
    assert client.post(_url("assessment_sign_off", assessment.pk), {
        "title": "CHỦ TỊCH", "name": "X", "confirm": "on"}).status_code == 403

    client.force_login(leader)
    assert client.get(_url("assessment_detail", assessment.pk)).status_code == 200
    assert client.post(_url("result_edit", result.pk),
                       {"status": Result.PASSED}).status_code == 403
    client.post(_url("assessment_sign_off", assessment.pk), {
        "on_behalf": "TM. ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "Phạm Văn Chủ",
        "confirm": "on"})
    assessment.refresh_from_db()
    assert assessment.signed_off_by == leader and assessment.signer_name == "Phạm Văn Chủ"
    pdf = client.get(_url("assessment_report", assessment.pk, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(_url("assessment_report", assessment.pk, "xlsx")).status_code == 200
    assert client.get(_url("assessment_report", assessment.pk, "doc")).status_code == 404

    # Signed off: read-only, even for the technician and a forged POST.
    client.force_login(technician)
    before = list(AssessmentResult.objects.values_list("pk", "status", "finding"))
    assert client.post(_url("result_edit", result.pk), {
        "status": Result.FAILED, "finding": "đổi sau khi ký"}).status_code == 403
    client.post(_url("assessment_autofill", assessment.pk))
    client.post(_url("assessment_edit", assessment.pk), {"number_symbol": "99/BC"})
    assert list(AssessmentResult.objects.values_list("pk", "status", "finding")) == before
    assessment.refresh_from_db()
    assert assessment.number_symbol == "03/BC-TTDVSNC"


def test_editor_sees_nothing_and_another_communes_round_is_a_404(client, site, fleet, settings):
    template = services.checklist_template_default_create(site=site)
    assessment = services.assessment_create(site=site, period="Năm 2026", template=template,
                                            user=None)
    client.force_login(make_user("bientap", roles.EDITOR))
    assert client.get(_url("assessment_list")).status_code in (302, 403)
    assert client.get(_url("assessment_report", assessment.pk, "pdf")).status_code in (302, 403)
    assert client.post(_url("assessment_autofill", assessment.pk)).status_code == 403

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "xa-khac.example"]
    other = Site.objects.create(hostname="xa-khac.example", root_page=site.root_page,
                                site_name="Xã khác")
    client.force_login(make_user("kythuat", roles.TECHNICIAN))
    assert client.get(_url("assessment_detail", assessment.pk),
                      HTTP_HOST=other.hostname).status_code == 404
    result = AssessmentResult.objects.filter(assessment=assessment).first()
    assert client.post(_url("result_edit", result.pk), {"status": Result.PASSED},
                       HTTP_HOST=other.hostname).status_code == 404


def test_the_cluster_history_lists_its_assessment_answers(site, fleet):
    from django.apps import apps

    if not apps.is_installed("device_bridge.upkeep"):
        pytest.skip("device_bridge.upkeep (the cluster history page) is not installed")
    from device_bridge.upkeep.history import sections

    template = services.checklist_template_default_create(site=site)
    services.assessment_create(site=site, period="Năm 2026", template=template, user=None)
    section = next(s for s in sections() if s.key == "fleetsecurity")
    entries = list(section.entries(cluster=fleet["cl-a"], site=site))
    assert len(entries) == 7
    assert all("Năm 2026" in e.title for e in entries)


def test_checklists_and_baselines_are_edited_in_the_admin_for_this_commune_only(client, site,
                                                                                 settings):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    client.force_login(make_user("kythuat", roles.TECHNICIAN))
    response = client.post(reverse("fleetsecurity_templates:add"), nested_form_data({
        "name": "Kiểm tra nhanh", "description": "", "is_default": "",
        "items": inline_formset([
            {"code": "sim_pin", "title": "SIM đã đặt mã PIN", "guidance": "",
             "scope": "cluster", "automatic": ""},
            {"code": "audit_log", "title": "Nhật ký quản trị được bật", "guidance": "",
             "scope": "system", "automatic": ""},
        ]),
    }))
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ChecklistTemplate.objects.get(name="Kiểm tra nhanh")
    assert template.site == site
    assert list(template.items.values_list("site", flat=True)) == [site.pk, site.pk]

    response = client.post(reverse("fleetsecurity_firmware:add"), {
        "vendor": "Hanet", "model_name": "", "version": "3.0.1", "approved_on": "", "note": ""})
    assert response.status_code == 302
    assert FirmwareBaseline.objects.get(version="3.0.1").site == site

    assert client.get(reverse("fleetsecurity_templates:index")).status_code == 200  # messages
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "xa-khac.example"]
    Site.objects.create(hostname="xa-khac.example", root_page=site.root_page, site_name="Xã khác")
    edit = reverse("fleetsecurity_templates:edit", args=[template.pk])
    assert client.get(edit, HTTP_HOST="xa-khac.example").status_code == 404
    assert client.post(reverse("fleetsecurity_templates:delete", args=[template.pk]),
                       HTTP_HOST="xa-khac.example").status_code == 404
    assert ChecklistTemplate.objects.filter(pk=template.pk).exists()
    listing = client.get(reverse("fleetsecurity_templates:index"), HTTP_HOST="xa-khac.example")
    assert listing.status_code == 200 and edit not in listing.content.decode()


def test_the_round_screens_run_a_fixed_number_of_queries(client, site, fleet,
                                                         django_assert_max_num_queries):
    template = services.checklist_template_default_create(site=site)
    for period in ("Năm 2025", "Năm 2026"):
        assessment = services.assessment_create(site=site, period=period, template=template,
                                                user=None)
    client.force_login(make_user("kythuat", roles.TECHNICIAN))
    client.get(_url("assessment_detail", assessment.pk))  # warm caches (site, permissions)

    def queries(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    list_before = queries(_url("assessment_list"))
    detail_before = queries(_url("assessment_detail", assessment.pk))
    for code in ("cl-d", "cl-e", "cl-f", "cl-g"):
        SpeakerCluster.objects.create(code=code, name=code)
    bigger = services.assessment_create(site=site, period="Năm 2027", template=template,
                                        user=None)
    assert queries(_url("assessment_list")) == list_before
    assert queries(_url("assessment_detail", bigger.pk)) == detail_before
    with django_assert_max_num_queries(25):
        client.get(_url("assessment_detail", bigger.pk))


def test_a_checklist_with_a_repeated_code_is_refused_with_a_message(client, site):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    client.force_login(make_user("kythuat", roles.TECHNICIAN))
    item = {"code": "sim_pin", "title": "SIM đã đặt mã PIN", "guidance": "", "scope": "cluster",
            "automatic": ""}
    response = client.post(reverse("fleetsecurity_templates:add"), nested_form_data({
        "name": "Trùng mã", "description": "", "is_default": "",
        "items": inline_formset([item, item]),
    }))
    assert response.status_code == 200
    assert not ChecklistTemplate.objects.filter(name="Trùng mã").exists()
