"""Setting the OA up without code: settings page, OAuth PKCE connect, test button, command."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Site

from device_bridge import services
from device_bridge.zalo.models import ZaloAccount, ZaloBroadcast
from device_bridge.zalo.selectors import quota_month
from tests.factories import make_bulletin

pytestmark = pytest.mark.django_db


def test_settings_page_shows_status_oa_and_quota(admin_client, zalo_account,
                                                django_assert_max_num_queries):
    for n in range(5):
        ZaloBroadcast.objects.create(site=zalo_account.site, title=f"Bão số {9 + n}",
                                     idempotency_key=f"k{n}", month=quota_month(),
                                     state=ZaloBroadcast.State.SENT if n == 0 else "failed")
    admin_client.get(reverse("zalo_admin:settings"))  # warm Wagtail's per-process caches
    # The recent broadcasts are one query, however many there are.
    with django_assert_max_num_queries(16):
        response = admin_client.get(reverse("zalo_admin:settings"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-zalo-status="connected"' in html and zalo_account.oa_id in html
    assert "đã dùng 1/1 lượt, còn 0" in html
    assert "Bão số 9" in html


def test_settings_page_needs_the_permission(client, django_user_model, site_tree):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("bientap", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("zalo_admin:settings")).status_code in (302, 403)


def test_burnt_token_page_says_reconnect(admin_client, zalo_account):
    ZaloAccount.objects.filter(pk=zalo_account.pk).update(
        status=ZaloAccount.Status.NEEDS_RECONNECT)
    html = admin_client.get(reverse("zalo_admin:settings")).content.decode()
    assert 'data-zalo-status="needs_reconnect"' in html and "Kết nối lại" in html


def test_test_connection_button(admin_client, zalo_account, zalo_fake):
    site = zalo_account.site
    response = admin_client.post(reverse("zalo_admin:check"), {"site": site.pk}, follow=True)
    assert "Kết nối tốt" in response.content.decode()
    zalo_fake.fail("/v2.0/oa/getoa", "500", times=5)
    response = admin_client.post(reverse("zalo_admin:check"), {"site": site.pk}, follow=True)
    assert "Kiểm tra kết nối thất bại" in response.content.decode()


def test_oauth_pkce_connect_flow(admin_client, site_tree, zalo_fake):
    site = Site.objects.get(is_default_site=True)
    response = admin_client.get(reverse("zalo_admin:connect"), {"site": site.pk})
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(zalo_fake.base_url + "/v4/oa/permission?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge"][0] and query["state"][0]
    # The admin grants access on Zalo, which sends the browser back with a code.
    granted = httpx.get(authorize, follow_redirects=False)
    callback = urlsplit(granted.headers["location"])
    assert callback.path == reverse("zalo_admin:oauth_callback")
    response = admin_client.get(f"{callback.path}?{callback.query}", follow=True)
    assert "Đã kết nối Zalo OA" in response.content.decode()
    account = ZaloAccount.objects.get(site=site)
    assert account.status == ZaloAccount.Status.CONNECTED and account.oa_id == zalo_fake.oa_id
    assert account.oauth_verifier == "" and account.oauth_state == ""
    # Replaying the callback does nothing.
    response = admin_client.get(f"{callback.path}?{callback.query}", follow=True)
    assert "không hợp lệ hoặc đã dùng" in response.content.decode()


def test_zalo_connect_command(site_tree, zalo_fake, capsys):
    call_command("zalo_connect", "--refresh-token", zalo_fake.issue_refresh_token())
    account = ZaloAccount.objects.get(site__is_default_site=True)
    assert account.status == ZaloAccount.Status.CONNECTED
    assert zalo_fake.oa_id in capsys.readouterr().out
    with pytest.raises(CommandError, match="Zalo refused"):
        call_command("zalo_connect", "--refresh-token", "rt-burnt")


def test_without_a_zalo_app_the_default_channel_stays_out_of_the_way(site_tree, settings):
    settings.ZALO_APP_ID = ""
    page = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"])
    channels = {d.channel for d in services.bulletin_dispatch(page=page)}
    assert "zalo" not in channels and "website" in channels
