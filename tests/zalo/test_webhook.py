"""The Zalo webhook: signed events are stored once and processed; everything else is refused
with a clear 4xx and a log line, never a 500, and nothing stored."""

from __future__ import annotations

import hashlib
import io
import json
import logging

import pytest
from django.apps import apps
from django.test import RequestFactory
from wagtail.models import Site

from device_bridge.feedback import views
from device_bridge.feedback.models import Citizen, Feedback, FeedbackMessage, WebhookEvent

APP_ID = "4321987650"
OA_ID = "579745863508352884"
SECRET = "oa-secret-cua-xa"
URL = "/zalo/webhook/"


@pytest.fixture
def zalo_settings(settings):
    settings.ZALO_OA_SECRET = SECRET
    settings.ZALO_APP_ID = APP_ID
    return settings


def text_event(text="Đường thôn Đông bị ngập, đề nghị xã xử lý", *, msg_id="msg-1", user="u-100",
               timestamp="1764403200000", name="user_send_text", **extra):
    event = {
        "app_id": APP_ID,
        "user_id_by_app": "app-" + user,
        "event_name": name,
        "timestamp": timestamp,
        "sender": {"id": user},
        "recipient": {"id": OA_ID},
        "message": {"text": text, "msg_id": msg_id},
    }
    event.update(extra)
    return event


def sign(raw: bytes, event: dict, secret: str = SECRET) -> str:
    digest = hashlib.sha256(
        event["app_id"].encode() + raw + str(event["timestamp"]).encode() + secret.encode()
    )
    return "mac=" + digest.hexdigest()


def post_event(client, event: dict, *, secret: str = SECRET, signature: str | None = None):
    raw = json.dumps(event, ensure_ascii=False).encode()
    headers = {"HTTP_X_ZEVENT_SIGNATURE": signature if signature is not None else sign(raw, event, secret)}
    return client.post(URL, raw, content_type="application/json", **headers)


@pytest.fixture
def deliver(client, zalo_settings, site_tree, django_capture_on_commit_callbacks):
    """POST a signed event and run the queued processing task (django-q2 sync in tests)."""

    def _deliver(event, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_event(client, event, **kwargs)

    return _deliver


def test_valid_signature_is_accepted_stored_and_processed(deliver):
    response = deliver(text_event())

    assert response.status_code == 200
    assert response.json() == {"error": 0, "message": "Success", "duplicate": False}
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.PROCESSED
    assert event.site == Site.objects.get(is_default_site=True)
    citizen = Citizen.objects.get(zalo_user_id="u-100")
    assert citizen.last_interaction_at is not None
    thread = Feedback.objects.get(citizen=citizen)
    assert thread.status == Feedback.Status.NEW
    assert thread.subject == "Đường thôn Đông bị ngập, đề nghị xã xử lý"
    assert thread.due_date is not None
    message = thread.messages.get()
    assert (message.direction, message.zalo_msg_id) == ("in", "msg-1")


def test_second_message_joins_the_open_thread(deliver):
    deliver(text_event(msg_id="msg-1"))
    deliver(text_event("Ảnh chụp sáng nay", msg_id="msg-2", timestamp="1764403260000"))

    thread = Feedback.objects.get()
    assert thread.messages.count() == 2
    assert thread.inbound_count == 2


@pytest.mark.parametrize("signature", ["", "mac=" + "0" * 64, "sha256=abc", "mac="])
def test_bad_or_missing_signature_is_403_and_nothing_is_stored(deliver, signature, caplog):
    with caplog.at_level(logging.WARNING, logger="device_bridge.feedback"):
        response = deliver(text_event(), signature=signature)

    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0
    assert Citizen.objects.count() == 0
    assert "Zalo webhook refused (403)" in caplog.text


def test_signature_made_with_another_secret_is_403(deliver):
    response = deliver(text_event(), secret="app-secret-nham-khoa")

    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_signature_covers_the_raw_bytes_not_the_parsed_json(client, zalo_settings, site_tree):
    event = text_event()
    signed = json.dumps(event).encode()
    same_json_other_bytes = json.dumps(event, indent=2).encode()

    response = client.post(URL, same_json_other_bytes, content_type="application/json",
                           HTTP_X_ZEVENT_SIGNATURE=sign(signed, event))

    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_without_the_oa_secret_configured_every_event_is_refused(deliver, settings):
    settings.ZALO_OA_SECRET = ""

    response = deliver(text_event(), secret="")

    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_event_of_another_app_is_refused(deliver, settings):
    settings.ZALO_APP_ID = "999"

    assert deliver(text_event()).status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_replay_is_deduplicated(deliver, caplog):
    first = deliver(text_event())
    with caplog.at_level(logging.INFO, logger="device_bridge.feedback"):
        again = deliver(text_event())

    assert first.status_code == again.status_code == 200
    assert again.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert FeedbackMessage.objects.count() == 1
    assert "replay" in caplog.text


def test_replay_of_a_follow_event_without_msg_id_is_deduplicated(deliver):
    follow = {"app_id": APP_ID, "event_name": "follow", "timestamp": "1764403200000",
              "oa_id": OA_ID, "follower": {"id": "u-7"}, "source": "oa_profile"}
    deliver(follow)
    deliver(follow)

    assert WebhookEvent.objects.count() == 1


def test_body_that_is_not_json_is_400_with_a_clear_message(client, zalo_settings, site_tree, caplog):
    with caplog.at_level(logging.WARNING, logger="device_bridge.feedback"):
        response = client.post(URL, b"event_name=user_send_text&<html>", content_type="text/plain",
                               HTTP_X_ZEVENT_SIGNATURE="mac=" + "a" * 64)

    assert response.status_code == 400
    assert response.json()["message"] == "Nội dung không phải JSON hợp lệ."
    assert WebhookEvent.objects.count() == 0
    assert "not JSON" in caplog.text


def test_json_that_is_not_an_object_is_400(client, zalo_settings, site_tree):
    response = client.post(URL, b"[1, 2, 3]", content_type="application/json",
                           HTTP_X_ZEVENT_SIGNATURE="mac=" + "a" * 64)

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_unknown_event_is_stored_and_ignored_with_a_log_line(deliver, caplog):
    with caplog.at_level(logging.INFO, logger="device_bridge.feedback"):
        response = deliver(text_event(name="user_seen_message", msg_id="seen-1"))

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.IGNORED
    assert Citizen.objects.count() == 0
    assert "'user_seen_message'" in caplog.text and "ignored" in caplog.text


def test_ten_megabyte_body_is_413(client, zalo_settings, site_tree):
    event = text_event("x" * (10 * 1024 * 1024))

    response = post_event(client, event)

    assert response.status_code == 413
    assert WebhookEvent.objects.count() == 0


class _UnreadableStream(io.RawIOBase):
    def read(self, *args):  # pragma: no cover - reaching it is the failure
        raise AssertionError("the webhook read a body it should have refused by its length")


def test_large_body_is_refused_by_its_declared_length_before_reading(zalo_settings, site_tree):
    request = RequestFactory().post(URL, b"", content_type="application/json",
                                    HTTP_X_ZEVENT_SIGNATURE="mac=" + "a" * 64)
    request.META["CONTENT_LENGTH"] = str(10 * 1024 * 1024)
    request.META["wsgi.input"] = _UnreadableStream()
    request._stream = _UnreadableStream()

    response = views.zalo_webhook(request)

    assert response.status_code == 413


def test_body_over_djangos_upload_limit_is_413(client, zalo_settings, site_tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_event(client, text_event("y" * 2000))

    assert response.status_code == 413


def test_get_is_405_not_an_error(client):
    assert client.get(URL).status_code == 405


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"app_id": {"x": 1}, "timestamp": [1], "event_name": 5}',
    b'{"app_id": "1", "timestamp": "1", "message": "chu\\u1ed7i"}',
    b"\xff\xfe\x00garbage",
    b"",
    b"null",
])
def test_hostile_bodies_are_never_a_500(client, zalo_settings, site_tree, body):
    response = client.post(URL, body, content_type="application/json",
                           HTTP_X_ZEVENT_SIGNATURE="mac=" + "b" * 64)

    assert 400 <= response.status_code < 500
    assert WebhookEvent.objects.count() == 0


def test_signed_event_with_odd_fields_is_stored_and_never_a_500(deliver):
    event = text_event(msg_id="odd-1")
    event["sender"] = {"id": 12345}
    event["message"] = {"text": ["not", "text"], "msg_id": "odd-1", "attachments": "nope"}

    response = deliver(event)

    assert response.status_code == 200
    assert Citizen.objects.get().zalo_user_id == "12345"


def test_image_event_keeps_the_image_link(deliver):
    event = text_event(name="user_send_image", msg_id="img-1")
    event["message"] = {"msg_id": "img-1", "text": "Cống bị vỡ",
                        "attachments": [{"type": "image", "payload": {
                            "url": "https://photo.zdn.vn/cong-vo.jpg", "thumbnail": "x"}}]}

    deliver(event)

    message = FeedbackMessage.objects.get()
    assert message.image_url == "https://photo.zdn.vn/cong-vo.jpg"
    assert message.text == "Cống bị vỡ"


def test_follow_and_unfollow_set_the_following_flag(deliver):
    base = {"app_id": APP_ID, "oa_id": OA_ID, "follower": {"id": "u-9"}}
    deliver({**base, "event_name": "follow", "timestamp": "1764403200000"})
    assert Citizen.objects.get(zalo_user_id="u-9").is_following is True

    deliver({**base, "event_name": "unfollow", "timestamp": "1764403300000"})
    assert Citizen.objects.get(zalo_user_id="u-9").is_following is False


def test_withdrawal_deletes_personal_data_and_keeps_anonymised_counts(deliver):
    deliver(text_event("Tôi là Nguyễn Văn A, nhà số 5 thôn Đông", msg_id="m1"))
    deliver(text_event("Số điện thoại 0912 345 678", msg_id="m2", timestamp="1764403260000"))
    citizen = Citizen.objects.get(zalo_user_id="u-100")
    citizen.display_name = "Nguyễn Văn A"
    citizen.save()
    other = deliver(text_event("Tin của người khác", msg_id="m3", user="u-200"))
    assert other.status_code == 200

    response = deliver({"app_id": APP_ID, "event_name": "user_withdraw", "timestamp": "1764403400000",
                        "recipient": {"id": OA_ID}, "sender": {"id": "u-100"}})

    assert response.status_code == 200
    citizen.refresh_from_db()
    assert citizen.display_name == ""
    assert citizen.zalo_user_id != "u-100"
    assert citizen.withdrawn_at is not None
    thread = Feedback.objects.get(citizen=citizen)
    assert thread.messages.count() == 0
    assert thread.subject == ""
    assert thread.inbound_count == 2  # the anonymised count stays
    # The raw events no longer carry what the citizen wrote; their keys still stop replays.
    dumped = json.dumps(list(WebhookEvent.objects.values_list("payload", flat=True)), ensure_ascii=False)
    assert "Nguyễn Văn A" not in dumped and "0912" not in dumped and "u-100" not in dumped
    assert "Tin của người khác" in dumped
    assert deliver(text_event("Tôi là Nguyễn Văn A, nhà số 5 thôn Đông", msg_id="m1")).json()["duplicate"]
    assert FeedbackMessage.objects.filter(text__contains="Nguyễn Văn A").count() == 0


@pytest.mark.skipif(not apps.is_installed("device_bridge.zalo"), reason="the Zalo app is not installed yet")
def test_event_goes_to_the_site_whose_zalo_account_has_the_oa_id(deliver, site_tree):
    from django.db.models import Max
    from wagtail.models import Page

    from device_bridge.zalo.models import ZaloAccount

    root = Page.get_first_root_node()
    other_home = root.add_child(instance=Page(title="Xã Bên Cạnh", slug="xa-ben-canh"))
    other = Site.objects.create(hostname="ben-canh.example", port=80, root_page=other_home,
                                site_name="Xã Bên Cạnh")
    ZaloAccount.objects.create(site=other, oa_id="oa-ben-canh")
    assert Site.objects.aggregate(Max("pk"))["pk__max"] == other.pk

    deliver(text_event(msg_id="n-1", recipient={"id": "oa-ben-canh"}))

    assert WebhookEvent.objects.get().site == other
    assert Feedback.objects.get().site == other


def test_an_event_whose_task_was_lost_is_processed_by_the_sweep(client, zalo_settings, site_tree):
    import datetime as dt

    from django.utils import timezone

    from device_bridge.feedback import services

    post_event(client, text_event())  # the on-commit queueing never runs here: a lost task
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PENDING

    assert services.feedback_sweep()["events"] == 0  # too fresh: its task may still come
    result = services.feedback_sweep(now=timezone.now() + dt.timedelta(minutes=3))

    assert result["events"] == 1
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED
    assert FeedbackMessage.objects.count() == 1
