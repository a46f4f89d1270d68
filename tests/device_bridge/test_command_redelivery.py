"""Commands are handed out until acknowledged or expired: a lost answer loses nothing (issue 12)."""

import datetime as dt
import json
import time

from django.test import Client
from django.utils import timezone

from device_bridge.fleet.services import (
    cluster_command_ack,
    cluster_command_create,
    cluster_commands_claim,
    cluster_commands_take,
)
from device_bridge.models import ClusterCommand
from tests.device_bridge.conftest import auth

COMMANDS = "/api/devices/v1/commands"


def ack(command_id, token, body=None):
    return Client().post(f"{COMMANDS}/{command_id}/ack", data=json.dumps(body or {"result": "ok"}),
                         content_type="application/json", **auth(token))


def test_unacknowledged_command_is_served_again_after_the_interval(cluster_fleet, settings):
    # Regression: a command was handed out once; a 4G answer lost on the way lost the command.
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "COMMAND_REDELIVERY_SECONDS": 0.3}
    cluster = cluster_fleet[0]
    command = cluster_command_create(cluster=cluster, kind="set_volume", payload={"volume": 40})
    first = Client().get(COMMANDS, **auth(cluster.token)).json()["commands"]
    assert [c["id"] for c in first] == [command.pk]
    # The answer was lost: an immediate poll gets nothing (not a flood of copies)...
    assert Client().get(COMMANDS, **auth(cluster.token)).json()["commands"] == []
    time.sleep(0.35)
    # ...and once the interval passed, the same command again, same id and payload.
    again = Client().get(COMMANDS, **auth(cluster.token)).json()["commands"]
    assert again == first
    command.refresh_from_db()
    assert command.attempts == 2 and command.transport == "http"
    assert ack(command.pk, cluster.token).status_code == 200
    time.sleep(0.35)
    assert Client().get(COMMANDS, **auth(cluster.token)).json()["commands"] == []


def test_acknowledging_twice_is_harmless_and_the_first_result_stands(cluster_fleet):
    cluster = cluster_fleet[0]
    command = cluster_command_create(cluster=cluster, kind="reboot")
    assert ack(command.pk, cluster.token, {"result": "error", "error": "amplifier fault"}).status_code == 200
    assert ack(command.pk, cluster.token, {"result": "ok"}).status_code == 200
    command.refresh_from_db()
    assert command.result == "error" and command.error == "amplifier fault"
    # Another cluster's command stays a 404, acknowledged or not.
    assert ack(command.pk, cluster_fleet[1].token).status_code == 404


def test_expired_command_is_not_redelivered(cluster_fleet):
    cluster = cluster_fleet[0]
    command = cluster_command_create(cluster=cluster, kind="reboot")
    now = timezone.now()
    assert cluster_commands_take(cluster_id=cluster.pk, now=now, redeliver_seconds=1) == [command]
    later = command.expires_at + dt.timedelta(seconds=1)
    assert cluster_commands_take(cluster_id=cluster.pk, now=later, redeliver_seconds=1) == []


def test_one_hand_out_per_interval_even_for_two_requests_at_once(cluster_fleet):
    # A 4G cluster reconnects while its old long-poll still waits on the server: both wake.
    cluster = cluster_fleet[0]
    cluster_command_create(cluster=cluster, kind="reboot")
    now = timezone.now()
    first = cluster_commands_claim(cluster_id=cluster.pk, now=now, redeliver_seconds=30)
    second = cluster_commands_claim(cluster_id=cluster.pk, now=now, redeliver_seconds=30)
    assert len(first.commands) == 1 and second.commands == []
    assert second.next_redelivery == now + dt.timedelta(seconds=30)


def test_waiting_long_poll_answers_when_a_redelivery_falls_due(cluster_fleet, settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "COMMAND_REDELIVERY_SECONDS": 0.5,
                              "LONG_POLL_SECONDS": 5, "LONG_POLL_WAKE": "local"}
    cluster = cluster_fleet[0]
    command = cluster_command_create(cluster=cluster, kind="set_volume", payload={"volume": 10})
    Client().get(COMMANDS, **auth(cluster.token))  # answer lost
    started = time.monotonic()
    again = Client().get(COMMANDS, {"wait": 5}, **auth(cluster.token)).json()["commands"]
    elapsed = time.monotonic() - started
    assert [c["id"] for c in again] == [command.pk] and 0.3 < elapsed < 2


def test_acknowledged_commands_wait_for_nothing(cluster_fleet):
    cluster = cluster_fleet[0]
    command = cluster_command_create(cluster=cluster, kind="reboot")
    now = timezone.now()
    cluster_commands_take(cluster_id=cluster.pk, now=now)
    cluster_command_ack(cluster_id=cluster.pk, command_id=command.pk, result="ok", now=now)
    claim = cluster_commands_claim(cluster_id=cluster.pk, now=now + dt.timedelta(hours=1))
    assert claim == ([], None)
    assert ClusterCommand.objects.get().attempts == 1


def test_withdrawing_an_emergency_stops_redelivering_its_play_now(dev_site, cluster_fleet, dev_audio,
                                                                  django_capture_on_commit_callbacks):
    from tests.factories import make_bulletin

    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             priority="khan_cap")
        dev_audio.add(page)
    cluster = cluster_fleet[0]
    play_now = ClusterCommand.objects.get(cluster=cluster, kind="play_now")
    now = timezone.now()
    assert cluster_commands_take(cluster_id=cluster.pk, now=now) == [play_now]  # answer lost
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    later = cluster_commands_take(cluster_id=cluster.pk, now=now + dt.timedelta(minutes=1))
    assert [c.kind for c in later] == ["stop"]
