"""Security of protocol v1: tokens, item ownership, signed audio URLs, malformed input."""

import json
import time

import pytest
from django.test import Client

from device_bridge.fleet.services import cluster_token_revoke, cluster_token_rotate
from device_bridge.models import DeviceEvent, PlaybackReceipt, ScheduleItem
from device_bridge.protocol.signing import audio_token
from tests.device_bridge.conftest import auth


def items_of(cluster):
    return ScheduleItem.objects.filter(cluster=cluster).order_by("play_at")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer x.y"])
def test_missing_or_wrong_token_is_401(cluster_fleet, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get("/api/devices/v1/schedule", **extra)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_with_right_id_and_wrong_secret_is_401(cluster_fleet):
    token_id = cluster_fleet[0].token.split(".")[0]
    assert Client().get("/api/devices/v1/schedule", **auth(f"{token_id}.guess")).status_code == 401


def test_revoked_and_rotated_tokens_are_401(cluster_fleet):
    first, second = cluster_fleet[0], cluster_fleet[1]
    assert Client().get("/api/devices/v1/schedule", **auth(first.token)).status_code == 200
    cluster_token_revoke(cluster=first)
    assert Client().get("/api/devices/v1/schedule", **auth(first.token)).status_code == 401
    new = cluster_token_rotate(cluster=second)
    assert Client().get("/api/devices/v1/schedule", **auth(second.token)).status_code == 401
    assert Client().get("/api/devices/v1/schedule", **auth(new)).status_code == 200


def test_inactive_cluster_is_401(cluster_fleet):
    cluster = cluster_fleet[0]
    cluster.is_active = False
    cluster.save()
    assert Client().get("/api/devices/v1/schedule", **auth(cluster.token)).status_code == 401


def test_token_is_stored_only_as_a_hash(cluster_fleet):
    cluster = cluster_fleet[0]
    cluster.refresh_from_db()
    secret = cluster.token.split(".", 1)[1]
    assert secret not in cluster.token_hash and len(cluster.token_hash) == 64


def test_audio_url_of_another_cluster_is_403(dev_scheduled, cluster_fleet):
    owner, other = cluster_fleet[0], cluster_fleet[1]
    url = Client().get("/api/devices/v1/schedule", **auth(owner.token)).json()["items"][0]["audio"]["url"]
    assert Client().get(url, **auth(owner.token)).status_code == 200
    response = Client().get(url, **auth(other.token))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_tampered_audio_url_is_403(dev_scheduled, cluster_fleet):
    owner = cluster_fleet[0]
    item = items_of(owner).first()
    other_item = items_of(owner).last()
    token = audio_token(item_id=item.pk, cluster_id=owner.pk, expires=int(time.time()) + 600)
    value, signature = token.rsplit(":", 1)
    forged = f"{other_item.pk}.{owner.pk}.{int(time.time()) + 99999}:{signature}"
    for bad in (forged, value + ":" + signature[::-1], "garbage"):
        response = Client().get(f"/api/devices/v1/audio/{bad}", **auth(owner.token))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "bad_signature"


def test_expired_audio_url_is_403(dev_scheduled, cluster_fleet):
    owner = cluster_fleet[0]
    item = items_of(owner).first()
    token = audio_token(item_id=item.pk, cluster_id=owner.pk, expires=int(time.time()) - 1)
    response = Client().get(f"/api/devices/v1/audio/{token}", **auth(owner.token))
    assert response.status_code == 403 and response.json()["error"]["code"] == "expired"


def test_audio_url_requires_the_cluster_token_too(dev_scheduled, cluster_fleet):
    owner = cluster_fleet[0]
    url = Client().get("/api/devices/v1/schedule", **auth(owner.token)).json()["items"][0]["audio"]["url"]
    assert Client().get(url).status_code == 401


def post(path, body, token, raw=False):
    data = body if raw else json.dumps(body)
    return Client().post(path, data=data, content_type="application/json", **auth(token))


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "", "\"text\""])
def test_malformed_json_is_400_with_a_clear_error(cluster_fleet, body):
    for path in ("/api/devices/v1/heartbeat", "/api/devices/v1/receipts"):
        response = post(path, body, cluster_fleet[0].token, raw=True)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "malformed_json" and error["message"]


def test_invalid_field_is_400_naming_the_field(cluster_fleet):
    response = post("/api/devices/v1/heartbeat", {"status": "idle", "volume": 300},
                    cluster_fleet[0].token)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "volume"
    response = post("/api/devices/v1/receipts",
                    {"receipts": [{"item_id": 1, "started_at": "2026-11-26T06:00:00",
                                   "result": "played"}]}, cluster_fleet[0].token)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "receipts[0].started_at"


def test_receipt_for_unknown_item_is_rejected_and_logged(cluster_fleet, caplog):
    body = {"receipts": [{"item_id": 987654, "started_at": "2026-11-26T06:00:00+07:00",
                          "result": "played"}]}
    response = post("/api/devices/v1/receipts", body, cluster_fleet[0].token)
    assert response.status_code == 422
    assert response.json()["results"][0]["status"] == "rejected"
    assert response.json()["results"][0]["code"] == "unknown_item"
    assert DeviceEvent.objects.filter(kind="receipt_rejected", cluster=cluster_fleet[0]).count() == 1
    assert "Receipt rejected" in caplog.text
    assert not PlaybackReceipt.objects.exists()


def test_wrong_method_is_405(cluster_fleet):
    response = Client().get("/api/devices/v1/heartbeat", **auth(cluster_fleet[0].token))
    assert response.status_code == 405 and response["Allow"] == "POST"
