"""CAP 1.2 import: the OASIS examples and Vietnamese alerts map to bulletins that enter
moderation; invalid or hostile documents are refused with a clear message and create nothing."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site, WorkflowState

from content_types.models import BulletinPage, Priority
from device_bridge.cap.models import CapAlert, CapSettings
from device_bridge.cap.services import CapNotImported, cap_import
from device_bridge.cap.validation import CapInvalid
from tests.factories import build_site

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cap"
OASIS = {
    "oasis_a1_homeland_security.xml": ("Homeland Security Sets Code ORANGE", Priority.EMERGENCY),
    "oasis_a2_severe_thunderstorm.xml": ("SEVERE THUNDERSTORM WARNING", Priority.EMERGENCY),
    "oasis_a3_earthquake_update.xml": ("EQ 3.4 Imperial County CA", Priority.NORMAL),
    "oasis_a4_amber_alert.xml": ("Amber Alert in Los Angeles County", Priority.EMERGENCY),
}

pytestmark = pytest.mark.django_db


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def cap_site(db):
    tree = build_site()
    tree.site = Site.objects.get(is_default_site=True)
    return tree


def nothing_created():
    return not CapAlert.objects.exists() and not BulletinPage.objects.exists()


@pytest.mark.parametrize("name", sorted(OASIS))
def test_oasis_examples_become_draft_bulletins_in_moderation(cap_site, name):
    result = cap_import(data=fixture(name), site=cap_site.site)

    title, priority = OASIS[name]
    page = BulletinPage.objects.get(pk=result.page.pk)
    assert result.created and (page.title, page.priority) == (title, priority)
    assert not page.live and page.has_unpublished_changes
    assert page.category.slug == "phong-chong-thien-tai"
    # No area names a hamlet of the commune: the whole commune, and the import says so.
    assert list(page.zones.all()) == []
    assert "toàn xã" in result.alert.note
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS


def test_thunderstorm_maps_expiry_text_and_radio_text(cap_site):
    page = cap_import(data=fixture("oasis_a2_severe_thunderstorm.xml"), site=cap_site.site).page

    assert page.valid_until == dt.datetime(2003, 6, 17, 23, 0, tzinfo=dt.UTC)
    paragraphs = [block.value.source for block in page.body]
    assert paragraphs[0].startswith("<p>AT 254 PM PDT...NATIONAL WEATHER SERVICE DOPPLER RADAR")
    assert paragraphs[1] == "<p>TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.</p>"
    assert page.radio_text.splitlines()[0] == "SEVERE THUNDERSTORM WARNING"
    assert "NATIONAL WEATHER SERVICE SACRAMENTO CA" in page.summary


def test_earthquake_update_is_recorded_as_an_update_of_the_earlier_report(cap_site):
    result = cap_import(data=fixture("oasis_a3_earthquake_update.xml"), site=cap_site.site)

    assert (result.alert.msg_type, result.alert.identifier) == ("Update", "TRI13970876.2")
    assert result.page is not None and result.page.priority == Priority.NORMAL


def test_amber_alert_takes_the_first_info_when_none_is_vietnamese(cap_site):
    page = cap_import(data=fixture("oasis_a4_amber_alert.xml"), site=cap_site.site).page

    assert page.title == "Amber Alert in Los Angeles County"
    assert "Child Abduction" in page.summary


def test_vietnamese_flood_warning_goes_to_both_hamlets_as_an_emergency(cap_site):
    result = cap_import(data=fixture("vn_flood_two_hamlets.xml"), site=cap_site.site)

    page = BulletinPage.objects.get(pk=result.page.pk)
    assert page.priority == Priority.EMERGENCY
    assert {zone.code for zone in page.zones.all()} == {"thon-dong", "thon-doai"}
    assert page.title == "Cảnh báo lũ khẩn cấp tại thôn Đông và thôn Đoài"
    assert page.valid_from == dt.datetime(2026, 9, 16, 23, 30, tzinfo=dt.UTC)
    assert page.valid_until == dt.datetime(2026, 9, 18, 11, 0, tzinfo=dt.UTC)
    assert result.alert.note == ""
    assert "Đã tạo bản tin nháp" in result.message and "Khẩn cấp" in result.message


def test_geocode_matches_a_zone_code_and_moderate_is_priority(cap_site):
    result = cap_import(data=fixture("vn_flood_moderate_geocode.xml"), site=cap_site.site)

    assert result.page.priority == Priority.PRIORITY
    assert [zone.code for zone in result.page.zones.all()] == ["thon-doai"]
    assert "Xã Tân Phong bên kia sông" in result.alert.note


def test_unknown_area_goes_to_the_whole_commune_with_a_note(cap_site):
    result = cap_import(data=fixture("vn_flood_unknown_area.xml"), site=cap_site.site)

    assert result.page.priority == Priority.NORMAL
    assert list(result.page.zones.all()) == []
    assert "Huyện An Lão" in result.alert.note and "toàn xã" in result.alert.note


def test_the_priority_mapping_is_a_site_setting(cap_site):
    mapping = CapSettings.for_site(cap_site.site)
    mapping.emergency_severities = "Extreme"
    mapping.priority_severities = "Severe, Moderate"
    mapping.save()

    page = cap_import(data=fixture("vn_flood_two_hamlets.xml"), site=cap_site.site).page

    assert page.priority == Priority.PRIORITY


def test_the_same_alert_twice_makes_one_bulletin(cap_site):
    first = cap_import(data=fixture("vn_flood_two_hamlets.xml"), site=cap_site.site)
    again = cap_import(data=fixture("vn_flood_two_hamlets.xml"), site=cap_site.site)

    assert first.created and not again.created
    assert again.page.pk == first.page.pk
    assert BulletinPage.objects.count() == CapAlert.objects.count() == 1
    assert "đã được nhập trước đó" in again.message


def test_cancel_withdraws_the_bulletin_still_in_moderation(cap_site):
    first = cap_import(data=fixture("vn_flood_two_hamlets.xml"), site=cap_site.site)

    cancel = cap_import(data=fixture("vn_flood_cancel.xml"), site=cap_site.site)

    assert cancel.page is None and BulletinPage.objects.count() == 1
    state = WorkflowState.objects.for_instance(first.page).get()
    assert state.status == WorkflowState.STATUS_CANCELLED
    assert "Đã rút khỏi quy trình duyệt" in cancel.alert.note


def test_cancel_of_a_live_bulletin_asks_the_editor_to_take_it_down(cap_site):
    first = cap_import(data=fixture("vn_flood_two_hamlets.xml"), site=cap_site.site)
    first.page.get_latest_revision().publish()

    cancel = cap_import(data=fixture("vn_flood_cancel.xml"), site=cap_site.site)

    assert BulletinPage.objects.get(pk=first.page.pk).live
    assert "cần gỡ xuống" in cancel.alert.note


def _mutate(old: bytes, new: bytes) -> bytes:
    data = fixture("oasis_a2_severe_thunderstorm.xml")
    assert old in data
    return data.replace(old, new)


INVALID = {
    "not_xml": (b"day khong phai XML", "không phải XML hợp lệ"),
    "broken_xml": (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>", "dòng 1"),
    "wrong_namespace": (
        _mutate(b"urn:oasis:names:tc:emergency:cap:1.2", b"urn:oasis:names:tc:emergency:cap:1.1"),
        "không phải <alert> của CAP 1.2",
    ),
    "missing_element": (
        _mutate(b"<urgency>Immediate</urgency>", b""),
        "(dòng 14, phần tử alert/info/severity): Element 'severity': This element is not expected",
    ),
    "bad_value": (_mutate(b"<status>Actual</status>", b"<status>Real</status>"), "phần tử alert/status"),
    "xxe": (
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>',
        "DOCTYPE/ENTITY",
    ),
    "billion_laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                   for i in range(1, 10))
        + b"]><lolz>&lol9;</lolz>",
        "DOCTYPE/ENTITY",
    ),
    "too_big": (_mutate(b"<contact>", b"<contact>" + b"x" * 600_000), "Tệp quá lớn"),
    "empty": (b"  \n", "Tệp rỗng"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_cap_is_refused_with_a_clear_message_and_nothing_created(cap_site, case):
    data, expected = INVALID[case]

    with pytest.raises(CapInvalid) as refused:
        cap_import(data=data, site=cap_site.site)

    assert expected in str(refused.value)
    assert nothing_created()


@pytest.mark.parametrize(("old", "new", "expected"), [
    (b"<status>Actual</status>", b"<status>Exercise</status>", "Exercise"),
    (b"<msgType>Alert</msgType>", b"<msgType>Ack</msgType>", "Ack"),
    (b"<scope>Public</scope>", b"<scope>Restricted</scope><restriction>staff</restriction>", "Restricted"),
])
def test_valid_cap_that_is_not_a_public_actual_alert_creates_nothing(cap_site, old, new, expected):
    with pytest.raises(CapNotImported) as refused:
        cap_import(data=_mutate(old, new), site=cap_site.site)

    assert expected in str(refused.value)
    assert nothing_created()


def test_command_imports_a_file_and_names_the_problem_of_a_bad_one(cap_site, tmp_path):
    out = StringIO()
    call_command("cap_import", str(FIXTURES / "vn_flood_two_hamlets.xml"), "--site", "testserver", stdout=out)
    assert "Đã tạo bản tin nháp" in out.getvalue()
    assert CapAlert.objects.get().origin == CapAlert.Origin.COMMAND

    bad = tmp_path / "bad.xml"
    bad.write_bytes(_mutate(b"<urgency>Immediate</urgency>", b""))
    with pytest.raises(CommandError, match="phần tử alert/info/severity"):
        call_command("cap_import", str(bad))
    with pytest.raises(CommandError, match="Không có trang nào"):
        call_command("cap_import", str(bad), "--site", "khong-co.example")
    assert CapAlert.objects.count() == 1
