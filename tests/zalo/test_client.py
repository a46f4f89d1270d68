"""The Zalo client against the project's fake Zalo server (device_bridge.zalo.fake_server)."""

import pytest

from device_bridge.zalo import facts
from device_bridge.zalo.client import ZaloClient, client_for_site
from device_bridge.zalo.errors import (
    ZaloAuthError,
    ZaloError,
    ZaloNotConfigured,
    ZaloNotFollowing,
    ZaloRateLimited,
    ZaloReplyWindowClosed,
    ZaloUnavailable,
)
from device_bridge.zalo.models import ZaloAccount

pytestmark = pytest.mark.django_db

ARTICLE = {
    "type": "normal", "title": "Lịch tiêm chủng tháng 12", "author": "UBND xã",
    "description": "Tóm tắt", "status": "show", "comment": "show",
    "cover": {"cover_type": "photo", "photo_url": "https://xa.example/cover.jpg", "status": "show"},
    "body": [{"type": "text", "content": "<p>Nội dung</p>"}],
}


def _client(account, **kwargs):
    return ZaloClient(account=account, sleep=lambda s: None, **kwargs)


def test_connect_reads_oa_profile_and_stores_token_pair(zalo_account, zalo_fake):
    assert zalo_account.status == ZaloAccount.Status.CONNECTED
    assert zalo_account.oa_id == zalo_fake.oa_id
    assert zalo_account.access_token in zalo_fake.access_tokens
    assert zalo_account.refresh_token in zalo_fake.refresh_tokens  # the new one, unused


def test_send_text_reaches_the_fake_outbox_with_access_token_header(zalo_account, zalo_fake):
    with _client(zalo_account) as client:
        message_id = client.send_text("u-1", "Xin chào bà con")
    assert zalo_fake.outbox == [{"kind": "cs", "user_id": "u-1", "text": "Xin chào bà con",
                                 "message_id": message_id}]
    assert zalo_fake.calls(facts.OA_CS_MESSAGE)[0]["token"] == zalo_account.access_token


def test_send_text_errors_are_typed(zalo_account, zalo_fake):
    zalo_fake.unfollowed.add("gone")
    zalo_fake.window_closed.add("quiet")
    with _client(zalo_account) as client:
        with pytest.raises(ZaloNotFollowing) as err:
            client.send_text("gone", "Trả lời")
        assert err.value.code == -213
        with pytest.raises(ZaloReplyWindowClosed):
            client.send_text("quiet", "Trả lời")
    assert zalo_fake.outbox == []


def test_article_create_verify_update_remove(zalo_account, zalo_fake):
    zalo_fake.verify_pending_rounds = 2  # "media is being processed" twice
    with _client(zalo_account) as client:
        token = client.create_article(ARTICLE)
        article_id = client.verify_article(token, delay=0)
        assert zalo_fake.articles[article_id]["title"] == ARTICLE["title"]
        assert len(zalo_fake.calls(facts.ARTICLE_VERIFY)) == 3
        new_token = client.update_article(article_id, {**ARTICLE, "title": "Đính chính"})
        assert client.verify_article(new_token, delay=0) == article_id
        assert client.get_article(article_id)["title"] == "Đính chính"
        assert [m["id"] for m in client.list_articles()] == [article_id]
        client.remove_article(article_id)
    assert zalo_fake.live_articles() == []


def test_verify_gives_up_as_transient_when_media_stays_in_processing(zalo_account, zalo_fake):
    zalo_fake.verify_pending_rounds = 50
    with _client(zalo_account) as client:
        token = client.create_article(ARTICLE)
        with pytest.raises(ZaloUnavailable):
            client.verify_article(token, attempts=3, delay=0)


def test_broadcast_and_upload(zalo_account, zalo_fake):
    with _client(zalo_account) as client:
        article_id = client.verify_article(client.create_article(ARTICLE), delay=0)
        message_id = client.broadcast_articles([article_id], {"cities": "4", "bogus": "x"})
        attachment = client.upload_image(b"\xff\xd8" + b"0" * 100)
        with pytest.raises(ZaloError):
            client.upload_image(b"0" * (facts.IMAGE_MAX_BYTES + 1))
    assert zalo_fake.outbox[-1] == {"kind": "broadcast", "article_ids": [article_id],
                                    "message_id": message_id, "target": {"cities": "4"}}
    assert attachment in zalo_fake.images


def test_5xx_and_rate_limit_of_safe_calls_are_retried_with_backoff(zalo_account, zalo_fake):
    slept = []
    zalo_fake.fail(facts.OA_INFO, "503")
    zalo_fake.fail(facts.OA_INFO, "-32")
    client = ZaloClient(account=zalo_account, sleep=slept.append, backoff=0.5)
    assert client.get_oa_info()["oa_id"] == zalo_fake.oa_id
    assert slept == [0.5, 1.0]
    zalo_fake.fail(facts.OA_INFO, "429", times=3)
    with pytest.raises(ZaloRateLimited):
        client.get_oa_info()


def test_calls_with_an_effect_are_not_retried_by_the_client(zalo_account, zalo_fake):
    zalo_fake.fail(facts.OA_CS_MESSAGE, "500")
    with _client(zalo_account) as client, pytest.raises(ZaloUnavailable) as err:
        client.send_text("u-1", "Xin chào")
    assert err.value.status == 500
    assert len(zalo_fake.calls(facts.OA_CS_MESSAGE)) == 1


def test_timeout_and_garbage_become_unavailable(zalo_account, zalo_fake):
    zalo_fake.fail(facts.OA_CS_MESSAGE, "slow_after", delay=2.0)
    with _client(zalo_account) as client:
        with pytest.raises(ZaloUnavailable):
            client.send_text("u-1", "Xin chào")
        zalo_fake.fail(facts.OA_CS_MESSAGE, "not_json")
        with pytest.raises(ZaloUnavailable):
            client.send_text("u-1", "Xin chào")


def test_client_for_site_needs_configuration_and_a_connected_account(site_tree, zalo_fake, settings):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    with pytest.raises(ZaloNotConfigured):
        client_for_site(site)
    ZaloAccount.objects.create(site=site, status=ZaloAccount.Status.NEEDS_RECONNECT)
    with pytest.raises(ZaloAuthError) as err:
        client_for_site(site)
    assert "Kết nối lại" in str(err.value)
    settings.ZALO_APP_ID = ""
    with pytest.raises(ZaloNotConfigured):
        client_for_site(site)
