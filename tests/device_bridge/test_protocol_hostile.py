"""Protocol v1 under hostile input: bodies that are not what the protocol allows, receipts that
lie about their time or probe for other clusters' items, and the error catalogue itself.
"""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from device_bridge.fleet.services import RECEIPT_REJECTIONS, cluster_token_rotate
from device_bridge.models import DeviceEvent, PlaybackReceipt, ScheduleItem, SpeakerCluster
from device_bridge.protocol.body import MAX_BODY_BYTES, MAX_DEPTH, MAX_INTEGER_DIGITS
from device_bridge.protocol.errors import ERRORS
from tests.device_bridge.conftest import auth

POST_ENDPOINTS = ("/api/devices/v1/heartbeat", "/api/devices/v1/receipts",
                  "/api/devices/v1/commands/1/ack")
VIETNAMESE = re.compile(r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]",
                        re.IGNORECASE)
DOC = Path(django_settings.BASE_DIR) / "docs" / "device-protocol.md"


def send(path, data, token, content_type="application/json"):
    return Client().post(path, data=data, content_type=content_type, **auth(token))


def assert_protocol_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code, error
    assert VIETNAMESE.search(error["message"]), error["message"]
    return error


@pytest.fixture
def lone_token(db):
    """One cluster without a site or schedule: enough for requests refused before any lookup."""
    return cluster_token_rotate(cluster=SpeakerCluster.objects.create(code="cl-lone", name="Cụm lẻ"))


# --- 14. Bodies that are not one UTF-8 JSON object of sane size -----------------------------

HOSTILE_BODIES = {
    # Regression (issue 8 item 14): the JSON parser's RecursionError escaped as an HTML 500.
    "nested_arrays": b"[" * 100_000 + b"]" * 100_000,
    "nested_objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "nested_in_a_field": b'{"status": "idle", "playing": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    "nested_past_max_depth": b'{"x": ' + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"}",
    # Regression (issue 8 item 14): a lone surrogate reached the database (UnicodeEncodeError, 500).
    "lone_surrogate_value": b'{"status": "idle", "firmware": "\\ud800"}',
    "lone_low_surrogate": b'{"status": "idle", "firmware": "a\\udfffb"}',
    "lone_surrogate_key": b'{"\\ud800": 1, "status": "idle"}',
    "surrogate_in_receipt_error": b'{"receipts": [{"item_id": 1, "started_at": '
                                  b'"2026-11-26T06:00:00+07:00", "result": "failed", "error": "\\udc00"}]}',
    "nan": b'{"status": "idle", "temperature_c": NaN}',
    "infinity": b'{"status": "idle", "temperature_c": Infinity}',
    "minus_infinity": b'{"status": "idle", "temperature_c": -Infinity}',
    "float_overflow": b'{"status": "idle", "temperature_c": 1e999}',
    "huge_integer": b'{"status": "idle", "volume": ' + b"9" * 5_000 + b"}",
    "duplicate_key": b'{"status": "idle", "status": "error"}',
    "latin1": '{"status": "idle", "firmware": "é"}'.encode("latin-1"),
    "utf16": '{"status": "idle"}'.encode("utf-16"),
    "utf8_bom": b"\xef\xbb\xbf" + b'{"status": "idle"}',
    "truncated_utf8": b'{"status": "idle", "firmware": "\xe1\xba"}',
    "syntax": b'{"status": "idle",}',
    "empty": b"",
    "array": b"[1, 2]",
    "string": b'"idle"',
    "null": b"null",
}


@pytest.mark.parametrize("path", POST_ENDPOINTS)
@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_hostile_body_is_a_400_in_the_protocol_shape(lone_token, path, name):
    response = send(path, HOSTILE_BODIES[name], lone_token)
    assert_protocol_error(response, 400, "malformed_json")


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_oversized_body_is_a_413_before_it_is_parsed(lone_token, path):
    body = b'{"status": "idle", "firmware": "' + b"x" * MAX_BODY_BYTES + b'"}'
    assert_protocol_error(send(path, body, lone_token), 413, "body_too_large")


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_other_content_type_is_a_415(lone_token, path):
    response = send(path, b"status=idle", lone_token,
                    content_type="application/x-www-form-urlencoded")
    assert_protocol_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("path", ["/api/devices/v1/nope", "/api/devices/v1/commands/abc/ack",
                                  "/api/devices/v1/commands/-1/ack", "/api/devices/v1/schedule/"])
def test_path_outside_the_protocol_is_a_404_in_the_protocol_shape(lone_token, path):
    for response in (Client().get(path, **auth(lone_token)), send(path, b"{}", lone_token)):
        assert_protocol_error(response, 404, "not_found")


@pytest.mark.parametrize("token", ["\x00abc.secret", "zz.secret", "é.secret", "1 2.secret"])
def test_token_id_that_is_not_hex_is_a_401_not_a_database_error(lone_token, token):
    # Regression: a NUL in the token id reached PostgreSQL, which refuses it with an exception.
    response = Client().get("/api/devices/v1/schedule", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_protocol_error(response, 401, "unauthorized")


WRONG_TYPES = [
    ("/api/devices/v1/heartbeat", {"status": 1}, "status"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "volume": "70"}, "volume"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "volume": 70.0}, "volume"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "volume": True}, "volume"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "uptime_seconds": 2**64}, "uptime_seconds"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "temperature_c": [1]}, "temperature_c"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "playing": [1]}, "playing"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "playing": {"item_id": 1, "started_at": 5}},
     "playing.started_at"),
    ("/api/devices/v1/heartbeat", {"status": "idle", "firmware": "x" * 41}, "firmware"),
    ("/api/devices/v1/receipts", {"receipts": {}}, "receipts"),
    ("/api/devices/v1/receipts", {"receipts": []}, "receipts"),
    ("/api/devices/v1/receipts", {"receipts": [1]}, "receipts[0]"),
    ("/api/devices/v1/receipts", {"receipts": [{"item_id": 1, "result": "played",
                                                "started_at": "0001-01-01T00:00:00+14:00"}]},
     "receipts[0].started_at"),
    ("/api/devices/v1/commands/1/ack", {"result": None}, "result"),
]


@pytest.mark.parametrize(("path", "body", "field"), WRONG_TYPES)
def test_field_of_the_wrong_type_is_a_400_naming_it(lone_token, path, body, field):
    error = assert_protocol_error(send(path, json.dumps(body), lone_token), 400, "invalid")
    assert error["field"] == field and error["message"].startswith(f"{field}: ")


# Text that includes lone surrogates (Hypothesis leaves them out unless asked).
texts = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=12)
scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats() | texts)  # floats include NaN and ±Infinity: json.dumps writes them
json_values = st.recursive(
    scalars, lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=12,
)
timestamps = st.datetimes(timezones=st.timezones()).map(lambda value: value.isoformat()) | texts
receipt_like = st.fixed_dictionaries(
    {"item_id": st.integers(min_value=-5, max_value=2**64) | json_values, "started_at": timestamps,
     "result": st.sampled_from(["played", "failed", "interrupted"]) | json_values},
    optional={"finished_at": timestamps, "error": texts | json_values},
)
protocol_like = st.fixed_dictionaries(
    {"status": st.sampled_from(["idle", "playing", "error"]) | json_values},
    optional={"volume": st.integers(-5, 105) | json_values, "firmware": texts | json_values,
              "temperature_c": st.floats() | json_values, "uptime_seconds": json_values,
              "playing": st.fixed_dictionaries({"item_id": json_values, "started_at": timestamps})
              | json_values,
              "receipts": st.lists(receipt_like, min_size=1, max_size=3) | json_values,
              "result": st.sampled_from(["ok", "error"]) | json_values, "error": texts | json_values},
)


def encode(value, ensure_ascii):
    # ensure_ascii=False writes a lone surrogate as raw bytes: invalid UTF-8 ("surrogatepass").
    return json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(encode, json_values, st.booleans()),
    st.builds(encode, protocol_like, st.booleans()),
    st.builds(lambda depth, opener, closer: opener * depth + closer * depth,
              st.integers(min_value=1, max_value=5000), st.just(b"["), st.just(b"]")),
)


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_any_body_gets_a_protocol_answer_never_a_5xx(lone_token, path):
    # The test client re-raises a server exception, so a crash fails here, not just a 5xx.

    @given(body=raw_bodies)
    @hypothesis_settings(max_examples=150, deadline=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))
    def check(body):
        response = send(path, body, lone_token)
        assert response.status_code < 500, body[:200]
        assert response["Content-Type"] == "application/json"
        if response.status_code == 422 and "results" in response.json():
            # Rejected receipts carry the pair per receipt (docs/device-protocol.md §3, §7).
            rejected = [r for r in response.json()["results"] if r["status"] == "rejected"]
            assert rejected and all(set(r) >= {"code", "message"} for r in rejected)
        elif response.status_code >= 400:
            assert set(response.json()["error"]) >= {"code", "message"}

    check()


# --- 15. Receipts outside the item's window ------------------------------------------------

def receipt(item, started_at, result="played"):
    return {"receipts": [{"item_id": item.pk, "started_at": started_at.isoformat(), "result": result}]}


def test_receipt_dated_years_before_the_window_is_rejected(dev_scheduled, cluster_fleet):
    # Regression (issue 8 item 15): a "played" receipt dated years before its window was accepted.
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    early = item.play_at - dt.timedelta(days=3 * 365)
    response = send("/api/devices/v1/receipts", json.dumps(receipt(item, early)), cluster.token)
    assert response.status_code == 422
    result = response.json()["results"][0]
    assert result["status"] == "rejected" and result["code"] == "early_item"
    item.refresh_from_db()
    assert item.status == ScheduleItem.Status.PENDING and not PlaybackReceipt.objects.exists()


@pytest.mark.parametrize("result", ["failed", "interrupted"])
def test_every_kind_of_receipt_must_fall_in_the_window(dev_scheduled, cluster_fleet, result):
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    for started, code in ((item.play_at - dt.timedelta(hours=1), "early_item"),
                          (item.play_until + dt.timedelta(hours=1), "expired_item")):
        response = send("/api/devices/v1/receipts", json.dumps(receipt(item, started, result)),
                        cluster.token)
        assert response.status_code == 422 and response.json()["results"][0]["code"] == code
    assert not PlaybackReceipt.objects.exists()


def test_clock_skew_allowance_is_the_documented_setting(dev_scheduled, cluster_fleet, settings):
    cluster = cluster_fleet[0]
    items = list(ScheduleItem.objects.filter(cluster=cluster).order_by("play_at")[:2])
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "RECEIPT_TOLERANCE_SECONDS": 120}
    just_early = items[0].play_at - dt.timedelta(seconds=119)
    assert send("/api/devices/v1/receipts", json.dumps(receipt(items[0], just_early)),
                cluster.token).status_code == 200
    too_early = items[1].play_at - dt.timedelta(seconds=121)
    assert send("/api/devices/v1/receipts", json.dumps(receipt(items[1], too_early)),
                cluster.token).status_code == 422
    assert "RECEIPT_TOLERANCE_SECONDS" in DOC.read_text()


# --- 16. Another cluster's item looks exactly like an unknown one; one event per request -----

def test_another_clusters_item_and_an_unknown_item_get_the_same_answer(dev_scheduled, cluster_fleet):
    # Regression (issue 8 item 16): forbidden_item (403) vs unknown_item (422) told which ids exist.
    cluster = cluster_fleet[0]
    foreign = ScheduleItem.objects.filter(cluster=cluster_fleet[1]).first()
    missing_id = ScheduleItem.objects.order_by("-pk").first().pk + 1000
    answers = []
    for item_id in (foreign.pk, missing_id):
        body = {"receipts": [{"item_id": item_id, "started_at": foreign.play_at.isoformat(),
                              "result": "played"}]}
        response = send("/api/devices/v1/receipts", json.dumps(body), cluster.token)
        result = response.json()["results"][0]
        answers.append((response.status_code, result["status"], result["code"],
                        result["message"].replace(str(item_id), "<id>")))
    assert answers[0] == answers[1] == (422, "rejected", "unknown_item", answers[0][3])
    foreign.refresh_from_db()
    assert foreign.status == ScheduleItem.Status.PENDING


def test_rejected_receipts_are_logged_as_one_event_per_request(dev_scheduled, cluster_fleet, caplog):
    # Regression (issue 8 item 16): one DeviceEvent per rejected receipt, up to 500 per request.
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    receipts = [{"item_id": 10**9 + n, "started_at": item.play_at.isoformat(), "result": "played"}
                for n in range(300)]
    receipts.append({"item_id": item.pk, "started_at": (item.play_at - dt.timedelta(days=9)).isoformat(),
                     "result": "played"})
    receipts.append({"item_id": item.pk, "started_at": item.play_at.isoformat(), "result": "played"})
    response = send("/api/devices/v1/receipts", json.dumps({"receipts": receipts}), cluster.token)
    assert response.status_code == 422
    assert [r["status"] for r in response.json()["results"]][-2:] == ["rejected", "accepted"]
    event = DeviceEvent.objects.get(kind=DeviceEvent.Kind.RECEIPT_REJECTED, cluster_id=cluster.pk)
    assert event.payload["count"] == 301
    assert event.payload["codes"] == {"unknown_item": 300, "early_item": 1}
    assert "301" in event.message and VIETNAMESE.search(event.message)
    assert caplog.text.count("Receipt rejected") <= 1


# --- 17. A stable code and a Vietnamese message, documented once --------------------------

def documented_codes():
    text = DOC.read_text()
    section = text.split("## 3.", 1)[1].split("\n## ", 1)[0]
    return {match.group(2): match.group(1)
            for match in re.finditer(r"^\| *(\d{3}[^|]*?) *\| *`(\w+)`", section, re.MULTILINE)}


def test_every_error_code_is_documented_once_with_its_status():
    documented = documented_codes()
    assert set(documented) == set(ERRORS) | set(RECEIPT_REJECTIONS)
    for code, (status, _message) in ERRORS.items():
        assert documented[code] == str(status), code
    for code in RECEIPT_REJECTIONS:
        assert documented[code].startswith("422"), code


def test_openapi_lists_the_same_codes(client):
    document = client.get("/api/devices/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert set(schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"]) == set(ERRORS)
    result = schemas["ReceiptResults"]["properties"]["results"]["items"]["properties"]
    assert set(result["code"]["enum"]) == set(RECEIPT_REJECTIONS)
    receipts = document["paths"]["/api/devices/v1/receipts"]["post"]["responses"]
    assert "403" not in receipts and {"400", "413", "415", "422"} <= set(receipts)
    described = json.dumps(document["paths"])
    assert [code for code in ERRORS if f"`{code}`" not in described] == []


def test_errors_carry_a_stable_code_and_a_vietnamese_message(dev_scheduled, cluster_fleet):
    # Regression (issue 8 item 17): messages were English, for the technician who reads them.
    token = cluster_fleet[0].token
    url = Client().get("/api/devices/v1/schedule", **auth(token)).json()["items"][0]["audio"]["url"]
    seen = {
        assert_protocol_error(Client().get("/api/devices/v1/schedule"), 401, "unauthorized")["code"],
        assert_protocol_error(Client().get("/api/devices/v1/heartbeat", **auth(token)),
                              405, "method_not_allowed")["code"],
        assert_protocol_error(send("/api/devices/v1/heartbeat", "{", token), 400, "malformed_json")["code"],
        assert_protocol_error(send("/api/devices/v1/heartbeat", '{"status": "x"}', token),
                              400, "invalid")["code"],
        assert_protocol_error(send("/api/devices/v1/commands/99/ack", '{"result": "ok"}', token),
                              404, "not_found")["code"],
        assert_protocol_error(Client().get(url + "x", **auth(token)), 403, "bad_signature")["code"],
        assert_protocol_error(Client().get(url, **auth(cluster_fleet[1].token)), 403, "forbidden")["code"],
        assert_protocol_error(Client().get("/api/devices/v1/commands", {"wait": "nan"}, **auth(token)),
                              400, "invalid")["code"],
    }
    assert seen <= set(ERRORS)


def test_documented_examples_are_what_the_server_answers(lone_token):
    text = DOC.read_text()
    errors = text.split("## 3.", 1)[1].split("\n## ", 1)[0]
    example = json.loads(re.search(r"```json\n(.*?)\n```", errors, re.DOTALL).group(1))
    response = send("/api/devices/v1/heartbeat", json.dumps({"status": "idle", "volume": 300}),
                    lone_token)
    assert response.status_code == 400 and response.json() == example
    receipts = text.split("## 7.", 1)[1].split("\n## ", 1)[0]
    example = json.loads(re.search(r"```json\n(.*?)\n```", receipts, re.DOTALL).group(1))
    rejected = example["results"][1]
    body = {"receipts": [{"item_id": rejected["item_id"], "started_at": "2026-11-26T10:00:02+00:00",
                         "result": "played"}]}
    response = send("/api/devices/v1/receipts", json.dumps(body), lone_token)
    assert response.status_code == 422 and response.json()["results"] == [rejected]
    for limit in (f"{MAX_BODY_BYTES:,} bytes", f"deeper than {MAX_DEPTH} levels",
                  f"longer than {MAX_INTEGER_DIGITS} digits"):
        assert limit in errors
