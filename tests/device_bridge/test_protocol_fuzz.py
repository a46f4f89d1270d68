"""Contract and fuzz tests of protocol v1 against the served OpenAPI document (schemathesis).

Every generated request (valid and deliberately invalid) goes through Django's real WSGI stack
with a valid cluster token: no response may be a 5xx, and every response must match the schema.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from device_bridge.fleet.services import cluster_token_rotate
from device_bridge.models import SpeakerCluster

schema = schemathesis.openapi.from_wsgi("/api/devices/v1/openapi.json", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=25
)


@pytest.fixture
def dev_fuzz_token(db, settings):
    # Django's test client detaches close_old_connections for the length of a request; the raw
    # WSGI app schemathesis calls does not, and on PostgreSQL it would close the test's
    # connection (inside the test transaction) after the first response.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _fuzz_token(settings)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _fuzz_token(settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "LONG_POLL_SECONDS": 0.2,
                              "LONG_POLL_INTERVAL": 0.1}
    cluster = SpeakerCluster.objects.create(code="fuzz", name="Cụm thử nghiệm")
    return cluster_token_rotate(cluster=cluster)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_device_api_never_fails_with_5xx_and_matches_its_schema(case, dev_fuzz_token):
    headers = {"Authorization": f"Bearer {dev_fuzz_token}"}
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    if case.meta and getattr(case.meta, "generation", None) and \
            case.meta.generation.mode == GenerationMode.POSITIVE and response.status_code < 400:
        case.validate_response(response, headers=headers)


def test_served_document_is_valid_openapi_with_every_endpoint(client):
    document = client.get("/api/devices/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/devices/v1/schedule", "/api/devices/v1/heartbeat", "/api/devices/v1/receipts",
        "/api/devices/v1/commands", "/api/devices/v1/commands/{command_id}/ack",
        "/api/devices/v1/audio/{token}",
    }
    assert document["components"]["securitySchemes"]["clusterToken"]["scheme"] == "bearer"
