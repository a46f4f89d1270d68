"""The technician's admin reads in Vietnamese: states, numbers, codes, labels, broadcast record."""

import re

from django.test import Client
from django.utils import timezone
from wagtail.admin.icons import get_icons

from device_bridge.admin_options import BroadcastGroup, SpeakerClusterAdmin
from device_bridge.models import Dispatch, SpeakerCluster
from tests.factories import make_bulletin


def schedule_status(token):
    return Client().get("/api/devices/v1/schedule", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def approved_bulletin(dev_site, dev_audio, capture):
    with capture(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
        dev_audio.add(page)
    return page


def test_cluster_detail_translates_the_state_and_rounds_numbers(cluster_fleet, dev_technician):
    cluster = cluster_fleet[0]
    SpeakerCluster.objects.filter(pk=cluster.pk).update(last_heartbeat={
        "status": "idle", "volume": 70, "signal_strength": -85, "temperature_c": 35.98992047757383,
    })
    html = dev_technician.get(f"/admin/device-bridge/clusters/{cluster.pk}/").content.decode()
    assert "trạng thái Đang chờ" in html and "idle" not in html
    assert "36,0 °C" in html and "35,989" not in html
    assert "âm lượng 70" in html and "sóng -85 dBm" in html


def test_every_protocol_state_has_a_vietnamese_label():
    assert {value: str(label) for value, label in SpeakerCluster.PlayerStatus.choices} == {
        "idle": "Đang chờ", "playing": "Đang phát", "error": "Lỗi",
    }


def test_cluster_code_is_kept_as_typed_and_unique_ignoring_case(dev_site, dev_technician):
    form = dev_technician.get("/admin/device_bridge/speakercluster/create/").content.decode()
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', form).group(0)
    assert "w-slug" not in code_input  # Wagtail's slug widget lowercases on blur
    data = {"name": "Cụm loa Thôn Bắc", "is_active": "on"}
    created = dev_technician.post("/admin/device_bridge/speakercluster/create/",
                                  {**data, "code": "CL-BAC-01"})
    assert created.status_code == 200
    cluster = SpeakerCluster.objects.get()
    assert cluster.code == "CL-BAC-01"
    token = re.search(r'id="cluster-token"[^>]*value="([^"]+)"', created.content.decode()).group(1)
    assert schedule_status(token) == 200
    duplicate = dev_technician.post("/admin/device_bridge/speakercluster/create/",
                                    {**data, "code": "cl-bac-01"})
    assert "không phân biệt chữ hoa, chữ thường" in duplicate.content.decode()
    assert SpeakerCluster.objects.count() == 1
    # Saving the cluster itself is no duplicate.
    edited = dev_technician.post(f"/admin/device_bridge/speakercluster/edit/{cluster.pk}/",
                                 {**data, "code": "CL-BAC-01", "name": "Cụm loa Bắc"})
    assert edited.status_code == 302
    cluster.refresh_from_db()
    assert cluster.name == "Cụm loa Bắc"


def test_dispatch_report_flags_offline_clusters_and_hides_the_editor_link(
    dev_site, cluster_fleet, dev_audio, dev_technician, admin_client,
    django_capture_on_commit_callbacks,
):
    page = approved_bulletin(dev_site, dev_audio, django_capture_on_commit_callbacks)
    SpeakerCluster.objects.filter(pk=cluster_fleet[0].pk).update(last_seen_at=timezone.now())
    url = f"/admin/device-bridge/pages/{page.pk}/dispatches/"
    html = dev_technician.get(url).content.decode()
    assert "Đã xếp lịch" in html
    # Two of the three clusters never called in: they are flagged, the online one is not.
    assert html.count('data-offline="true"') == 2 and "Cụm loa mất kết nối" in html
    # The technician cannot open the page editor, so is not sent there.
    assert "Quay lại trang soạn thảo" not in html
    assert f"/admin/pages/{page.pk}/edit/" not in html
    assert "Quay lại trang soạn thảo" in admin_client.get(url).content.decode()


def test_dispatch_list_shows_vietnamese_channels_and_priorities(
    dev_site, cluster_fleet, dev_audio, dev_technician, django_capture_on_commit_callbacks,
):
    approved_bulletin(dev_site, dev_audio, django_capture_on_commit_callbacks)
    assert set(Dispatch.objects.values_list("channel", flat=True)) == {"speakers", "website"}
    response = dev_technician.get("/admin/device_bridge/dispatch/")
    html = response.content.decode()
    assert "Loa truyền thanh" in html and "Cổng thông tin" in html and "Thường" in html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    assert not any(c.strip() in ("speakers", "website", "thuong", "uu_tien", "khan_cap") for c in cells)
    filtered = dev_technician.get("/admin/device_bridge/dispatch/?channel=speakers")
    assert list(filtered.context["object_list"].values_list("channel", flat=True)) == ["speakers"]


def test_distribution_rule_list_names_its_channels(db, dev_technician):
    from device_bridge.models import DistributionRule

    DistributionRule.objects.create(name="Mặc định", channels="website, speakers",
                                    priority="khan_cap")
    html = dev_technician.get("/admin/device_bridge/distributionrule/").content.decode()
    assert "Cổng thông tin, Loa truyền thanh" in html and "Khẩn cấp" in html


def test_broadcast_menu_icons_are_drawn():
    icons = get_icons()
    for icon in (BroadcastGroup.menu_icon, SpeakerClusterAdmin.menu_icon):
        # "radio-full" is a plain dot: it reads as a blank icon.
        assert icon != "radio-full" and f'id="icon-{icon}"' in icons


def test_technician_cannot_change_the_broadcast_record(
    dev_site, cluster_fleet, dev_audio, dev_technician, django_capture_on_commit_callbacks,
):
    approved_bulletin(dev_site, dev_audio, django_capture_on_commit_callbacks)
    dispatch = Dispatch.objects.first()
    base = "/admin/device_bridge/dispatch/"
    assert dev_technician.get(base).status_code == 200
    for url in (f"{base}create/", f"{base}edit/{dispatch.pk}/", f"{base}delete/{dispatch.pk}/"):
        assert dev_technician.get(url).status_code in (302, 403), url
    # Deliveries have no admin of their own: nothing to add, edit or delete them with.
    assert dev_technician.get("/admin/device_bridge/delivery/").status_code == 404


def test_distribution_rule_form_offers_the_channels_as_choices(dev_site, dev_technician):
    from device_bridge.models import DistributionRule

    form = dev_technician.get("/admin/device_bridge/distributionrule/create/").content.decode()
    assert 'type="checkbox" name="channels" value="speakers"' in form
    assert "Loa truyền thanh" in form and "website, speakers" not in form
    response = dev_technician.post("/admin/device_bridge/distributionrule/create/", {
        "name": "Chỉ cổng thông tin", "is_active": "on", "sort_order": 0,
        "channels": ["website"],
    })
    assert response.status_code == 302, response.context["form"].errors
    rule = DistributionRule.objects.get(name="Chỉ cổng thông tin")
    assert rule.channel_keys == ["website"]
    edit = dev_technician.get(f"/admin/device_bridge/distributionrule/edit/{rule.pk}/").content.decode()
    assert re.search(r'value="website"[^>]*checked', edit)
    assert not re.search(r'value="speakers"[^>]*checked', edit)
    empty = dev_technician.post(f"/admin/device_bridge/distributionrule/edit/{rule.pk}/", {
        "name": "Chỉ cổng thông tin", "is_active": "on", "sort_order": 0,
    })
    assert empty.status_code == 200


def test_cluster_list_has_two_buttons_a_row_and_the_status_page_the_rest(
    cluster_fleet, dev_technician,
):
    cluster = cluster_fleet[0]
    html = dev_technician.get("/admin/device_bridge/speakercluster/").content.decode()
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*{cluster.code}(?:(?!</tr>).)*</tr>', html, re.S).group(0)
    assert len(re.findall(r"<a [^>]*class=\"button", row)) == 2
    assert "token/rotate" not in row and "/delete/" not in row
    detail = dev_technician.get(f"/admin/device-bridge/clusters/{cluster.pk}/").content.decode()
    for url in (f"/clusters/{cluster.pk}/token/rotate/", f"/clusters/{cluster.pk}/token/revoke/",
                f"/speakercluster/delete/{cluster.pk}/"):
        assert url in detail, url
