"""The Zalo channel in the delivery engine, against the project's fake Zalo server."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from device_bridge import services
from device_bridge.channels import channel_get
from device_bridge.models import Delivery, Dispatch, DistributionRule
from device_bridge.zalo import facts
from device_bridge.zalo.models import ZaloAccount, ZaloArticle, ZaloBroadcast
from tests.device_bridge.test_channels import ChannelContract
from tests.factories import make_bulletin

from .conftest import connect_account


@pytest.fixture
def zalo_setup(dev_site, zalo_fake, settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "DEFAULT_CHANNELS": ["zalo"],
                              "MAX_ATTEMPTS": 3}
    account = connect_account(Site.objects.get(is_default_site=True), zalo_fake)
    return dev_site, zalo_fake, account


def _dispatch(page):
    (dispatch,) = services.bulletin_dispatch(page=page)
    return dispatch, dispatch.deliveries.get()


def _run(delivery):
    """Process ``delivery`` now, as the sweeper does once its backoff is over."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    services.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


class TestZaloChannel(ChannelContract):
    """The shared channel contract, run against the fake Zalo server."""

    channel_key = "zalo"

    @pytest.fixture(autouse=True)
    def _connected(self, dev_site, zalo_fake):
        connect_account(Site.objects.get(is_default_site=True), zalo_fake)
        self.fake = zalo_fake

    def effect_count(self, delivery):
        title = delivery.dispatch.title
        return sum(1 for a in self.fake.live_articles() if a["title"] == title)


def test_approved_bulletin_becomes_one_article(zalo_setup):
    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    dispatch, delivery = _dispatch(page)
    assert _run(delivery).status == Delivery.Status.DONE
    (article,) = fake.live_articles()
    stored = ZaloArticle.objects.get(content_id=page.pk)
    assert delivery.external_ref == f"zalo:{article['id']}" == f"zalo:{stored.article_id}"
    assert stored.revision_id == dispatch.revision_id and stored.state == "shown"
    assert article["title"] == page.title
    assert article["cover"]["photo_url"] == "http://testserver/static/zalo/default-cover.jpg"
    assert any(page.get_full_url() in item["content"] for item in article["body"]
               if item["type"] == "text")
    assert fake.outbox == []  # a normal bulletin is not broadcast


@pytest.mark.parametrize("kind", ["slow_after", "slow_before"])
def test_one_article_per_revision_when_create_times_out_and_is_retried(zalo_setup, kind):
    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    _dispatch_, delivery = _dispatch(page)
    # slow_after: Zalo created the article but the answer came too late; slow_before: not.
    fake.fail(facts.ARTICLE_CREATE, kind, delay=1.5)
    delivery = _run(delivery)
    assert delivery.status == Delivery.Status.PENDING
    assert "quá thời gian chờ" in delivery.last_error
    assert _run(delivery).status == Delivery.Status.DONE
    assert len(fake.live_articles()) == 1
    assert ZaloArticle.objects.get(content_id=page.pk).article_id == fake.live_articles()[0]["id"]
    # Running the delivery again (a duplicate task) creates nothing either.
    channel_get("zalo").deliver(delivery=delivery)
    assert len(fake.live_articles()) == 1
    assert len(fake.calls(facts.ARTICLE_CREATE)) == (1 if kind == "slow_after" else 2)


def test_verify_timeout_and_slow_media_still_give_one_article(zalo_setup, monkeypatch):
    site, fake, account = zalo_setup
    monkeypatch.setattr(facts, "VERIFY_DELAY_SECONDS", 0.0)
    fake.verify_pending_rounds = 2
    fake.fail(facts.ARTICLE_VERIFY, "slow_after", delay=1.5, times=3)  # beats the client's retries
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    _dispatch_, delivery = _dispatch(page)
    assert _run(delivery).status == Delivery.Status.PENDING
    assert ZaloArticle.objects.get(content_id=page.pk).pending_token
    assert _run(delivery).status == Delivery.Status.DONE
    assert len(fake.live_articles()) == 1 and len(fake.calls(facts.ARTICLE_CREATE)) == 1


def test_correction_updates_the_same_article(zalo_setup):
    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    _run(_dispatch(page)[1])
    page.title = "Đính chính: lịch tiêm chủng dời sang thứ Bảy"
    page.save_revision().publish()
    dispatch, delivery = _dispatch(page)
    assert _run(delivery).status == Delivery.Status.DONE
    (article,) = fake.live_articles()
    assert article["title"] == page.title and article["versions"] == 2
    assert ZaloArticle.objects.get(content_id=page.pk).revision_id == dispatch.revision_id


def test_unpublishing_removes_the_article(zalo_setup, django_capture_on_commit_callbacks):
    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    _run(_dispatch(page)[1])
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert fake.live_articles() == []
    assert ZaloArticle.objects.get(content_id=page.pk).state == ZaloArticle.State.REMOVED
    # Published again later: a new article.
    page.save_revision().publish()
    assert _run(_dispatch(page)[1]).status == Delivery.Status.DONE
    assert len(fake.live_articles()) == 1


def test_token_expiring_in_the_middle_of_a_run(zalo_setup):
    site, fake, account = zalo_setup
    pages = [make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"]) for _ in range(3)]
    deliveries = [_dispatch(page)[1] for page in pages]
    refreshes = len(fake.refresh_calls)
    assert _run(deliveries[0]).status == Delivery.Status.DONE
    fake.expire_access_tokens()  # 25 hours later, as far as Zalo is concerned
    assert [_run(d).status for d in deliveries[1:]] == ["done", "done"]
    assert len(fake.refresh_calls) == refreshes + 1
    assert len(fake.live_articles()) == 3


@pytest.mark.parametrize("fault,expected", [("503", "HTTP 503"), ("-32", "quá nhiều yêu cầu")])
def test_5xx_and_rate_limits_are_retried_with_backoff_then_reported(zalo_setup, admin_client,
                                                                     fault, expected):
    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    dispatch, delivery = _dispatch(page)
    fake.fail(facts.ARTICLE_CREATE, fault, times=10)
    delays = []
    for _attempt in range(3):
        before = timezone.now()
        delivery = _run(delivery)
        if delivery.next_attempt_at:
            delays.append(round((delivery.next_attempt_at - before).total_seconds() / 30))
    assert delays == [1, 2]  # 30 s, then 60 s
    assert delivery.status == Delivery.Status.FAILED
    assert "Hết số lần thử (3)" in delivery.last_error and expected in delivery.last_error
    assert fake.live_articles() == []
    response = admin_client.get(reverse("device_bridge_admin:dispatch_report", args=[page.pk]))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_emergency_is_broadcast_and_the_quota_refused_clearly(zalo_setup):
    site, fake, account = zalo_setup
    assert account.package == ZaloAccount.Package.BASIC  # 1 broadcast a month
    first = make_bulletin(site.news, category=site.categories["phong-chong-thien-tai"],
                          priority="khan_cap", title="Bão số 9 đổ bộ")
    assert _run(_dispatch(first)[1]).status == Delivery.Status.DONE
    (sent,) = [m for m in fake.outbox if m["kind"] == "broadcast"]
    assert sent["article_ids"] == [ZaloArticle.objects.get(content_id=first.pk).article_id]
    second = make_bulletin(site.news, category=site.categories["phong-chong-thien-tai"],
                           priority="khan_cap", title="Lũ trên sông Hồng")
    dispatch, delivery = _dispatch(second)
    assert any("Đã dùng hết 1/1 lượt" in w for w in dispatch.warnings)
    delivery = _run(delivery)
    assert delivery.status == Delivery.Status.FAILED
    assert "Đã dùng hết 1/1 lượt gửi tin quảng bá Zalo" in delivery.last_error
    assert len(fake.calls(facts.OA_BROADCAST)) == 1  # refused here, before Zalo would
    assert len(fake.live_articles()) == 2  # the article itself is up
    # A correction of the first emergency does not broadcast it again.
    first.title = "Bão số 9: cập nhật"
    first.save_revision().publish()
    assert _run(_dispatch(first)[1]).status == Delivery.Status.DONE
    assert ZaloBroadcast.objects.count() == 1


def test_distribution_rule_chooses_broadcast_by_category(zalo_setup):
    site, fake, account = zalo_setup
    ZaloAccount.objects.filter(pk=account.pk).update(package=ZaloAccount.Package.ADVANCED)
    rule = DistributionRule.objects.create(name="Thiên tai lên Zalo",
                                           channels="website, zalo_broadcast")
    rule.categories.add(site.categories["phong-chong-thien-tai"])
    page = make_bulletin(site.news, category=site.categories["phong-chong-thien-tai"])
    dispatches = {d.channel: d for d in services.bulletin_dispatch(page=page)}
    assert set(dispatches) == {"website", "zalo_broadcast"}
    _run(dispatches["zalo_broadcast"].deliveries.get())
    assert [m["kind"] for m in fake.outbox] == ["broadcast"]
    other = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    _run(_dispatch(other)[1])  # default channels: the article only
    assert [m["kind"] for m in fake.outbox] == ["broadcast"]


def test_not_connected_fails_the_dispatch_with_what_to_do(dev_site, zalo_fake, settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "DEFAULT_CHANNELS": ["zalo"]}
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    (dispatch,) = services.bulletin_dispatch(page=page)
    assert dispatch.status == Dispatch.Status.FAILED
    assert "Cài đặt → Zalo OA" in dispatch.warnings[0]


def test_burnt_token_fails_the_delivery_asking_to_reconnect(zalo_setup):
    site, fake, account = zalo_setup
    fake.refresh_tokens.clear()
    fake.expire_access_tokens()
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    delivery = _run(_dispatch(page)[1])
    assert delivery.status == Delivery.Status.FAILED
    assert "Kết nối lại" in delivery.last_error


def test_article_body_is_sanitised_and_cut_to_zalos_limits(zalo_setup):
    from device_bridge.zalo.articles import article_payload

    site, fake, account = zalo_setup
    body = [
        {"type": "heading", "value": {"text": "Lịch cụ thể", "level": "h2"}},
        {"type": "paragraph", "value": '<p>Xem <a href="/tin-tuc/">tin</a><script>x()</script>'
                                       '<span style="color:red">đỏ</span></p>'},
        {"type": "paragraph", "value": "<p>" + "Dài quá. " * 1200 + "</p>"},
        {"type": "quote", "value": {"text": "Phòng bệnh hơn chữa bệnh", "attribution": "Trạm Y tế"}},
    ]
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"],
                         title="T" * 200, body=json.dumps(body))
    payload = article_payload(page=page, site=Site.objects.get(is_default_site=True),
                              account=account, audio_url="http://testserver/audio/abc.mp3")
    assert len(payload["title"]) == facts.ARTICLE_TITLE_MAX
    assert len(payload["description"]) <= facts.ARTICLE_DESCRIPTION_MAX
    texts = [item["content"] for item in payload["body"]]
    assert all(len(t) <= facts.ARTICLE_TEXT_ITEM_MAX for t in texts)
    joined = "".join(texts)
    assert "<script" not in joined and "style=" not in joined and "<span" not in joined
    assert '<a href="http://testserver/tin-tuc/">tin</a>' in joined
    assert "http://testserver/audio/abc.mp3" in joined
    assert "Phòng bệnh hơn chữa bệnh" in joined
    assert len(texts) > 3  # the long paragraph was split


def test_bulletin_image_is_the_cover_served_from_the_site(zalo_setup):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from device_bridge.zalo.articles import article_payload

    site, fake, account = zalo_setup
    image = Image.objects.create(title="Trạm y tế", file=get_test_image_file())
    body = [{"type": "image", "value": {"image": image.pk, "alt_text": "Trạm y tế xã",
                                        "decorative": False}}]
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"],
                         body=json.dumps(body))
    payload = article_payload(page=page, site=Site.objects.get(is_default_site=True),
                              account=account)
    (image_item,) = [i for i in payload["body"] if i["type"] == "image"]
    assert image_item["url"].startswith("http://testserver/media/images/")
    assert image_item["caption"] == "Trạm y tế xã"
    assert payload["cover"]["photo_url"] == image_item["url"]


def test_removal_that_failed_is_caught_up_by_the_sweep(zalo_setup, django_capture_on_commit_callbacks):
    from device_bridge.zalo.services import article_withdraw_sweep

    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    _run(_dispatch(page)[1])
    fake.fail(facts.ARTICLE_REMOVE, "503", times=3)  # Zalo down when the bulletin is withdrawn
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert len(fake.live_articles()) == 1
    assert article_withdraw_sweep() == 1
    assert fake.live_articles() == []
    assert article_withdraw_sweep() == 0


def test_a_page_being_sent_by_another_worker_is_retried_not_duplicated(zalo_setup):
    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    _dispatch_, delivery = _dispatch(page)
    ZaloArticle.objects.create(site=Site.objects.get(is_default_site=True), content_id=page.pk,
                               claimed_at=timezone.now())
    delivery = _run(delivery)
    assert delivery.status == Delivery.Status.PENDING
    assert "tiến trình khác" in delivery.last_error
    assert fake.calls(facts.ARTICLE_CREATE) == []


def test_the_bulletins_audio_is_linked_from_the_article(zalo_setup, dev_audio):
    site, fake, account = zalo_setup
    page = make_bulletin(site.news, category=site.categories["an-sinh-xa-hoi"])
    dev_audio.add(page, send_signal=False)
    assert _run(_dispatch(page)[1]).status == Delivery.Status.DONE
    (article,) = fake.live_articles()
    audio_url = page.audio["url"]
    assert audio_url.startswith("http://testserver/audio/")
    assert any(audio_url in item["content"] for item in article["body"] if item["type"] == "text")
