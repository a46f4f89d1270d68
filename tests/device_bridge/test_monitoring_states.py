"""State history per cluster (issue 12, item 5): transitions recorded from the heartbeat path
(the ``heartbeat_recorded`` signal) and by the minute sweep for clusters that went silent."""

import datetime as dt
import json

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from device_bridge.models import SpeakerCluster
from device_bridge.monitoring.models import ClusterStateChange
from device_bridge.monitoring.services import cluster_states_sweep
from device_bridge.monitoring.tasks import monitoring_sweep
from tests.device_bridge.conftest import auth
from tests.workflows.helpers import make_user
from workflows import roles


def beat(cluster, **fields):
    body = {"status": "idle", "volume": 60, "signal_strength": -71, "firmware": "2.1.0", **fields}
    response = Client().post("/api/devices/v1/heartbeat", data=json.dumps(body),
                             content_type="application/json", **auth(cluster.token))
    assert response.status_code == 200, response.content


def states(cluster):
    return list(ClusterStateChange.objects.filter(cluster=cluster).order_by("pk")
                .values_list("previous_state", "state"))


def test_heartbeats_record_each_transition_once(dev_site, cluster_fleet):
    cluster = cluster_fleet[0]
    beat(cluster)
    beat(cluster)  # unchanged: nothing new
    beat(cluster, status="playing", playing={"item_id": 7})
    beat(cluster, status="error")
    beat(cluster)
    assert states(cluster) == [("", "online"), ("online", "playing"), ("playing", "error"),
                               ("error", "online")]
    playing = ClusterStateChange.objects.get(cluster=cluster, state="playing")
    assert playing.detail == "mục lịch phát 7"
    assert playing.site == Site.objects.get(is_default_site=True)


def test_the_sweep_records_silent_clusters_offline_once_and_they_come_back(dev_site, cluster_fleet):
    cluster = cluster_fleet[0]
    beat(cluster)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    SpeakerCluster.objects.filter(pk=cluster.pk).update(last_seen_at=long_ago)

    assert cluster_states_sweep() == 1
    assert cluster_states_sweep() == 0  # already offline
    offline = ClusterStateChange.objects.get(cluster=cluster, state="offline")
    assert offline.changed_at == long_ago + dt.timedelta(seconds=90)
    # Never-seen clusters have no history to change; the other two never called.
    assert not ClusterStateChange.objects.filter(cluster__in=cluster_fleet[1:]).exists()

    cluster.refresh_from_db()
    beat(cluster)
    assert states(cluster) == [("", "online"), ("online", "offline"), ("offline", "online")]


def test_a_cluster_back_before_the_sweep_noticed_still_gets_its_offline_period(dev_site, cluster_fleet):
    cluster = cluster_fleet[1]
    beat(cluster)
    silent_since = timezone.now() - dt.timedelta(minutes=5)
    SpeakerCluster.objects.filter(pk=cluster.pk).update(last_seen_at=silent_since)
    beat(cluster)
    assert states(cluster) == [("", "online"), ("online", "offline"), ("offline", "online")]


def test_the_scheduled_sweep_task_runs_end_to_end(dev_site, cluster_fleet):
    beat(cluster_fleet[0])
    SpeakerCluster.objects.filter(pk=cluster_fleet[0].pk).update(
        last_seen_at=timezone.now() - dt.timedelta(hours=1))
    assert monitoring_sweep() == {"offline": 1, "alerts": 0, "emailed": 0}


def test_the_sweep_is_scheduled_every_minute(db):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="monitoring: cluster states and fleet alerts")
    assert schedule.func == "device_bridge.monitoring.tasks.monitoring_sweep"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)


def test_state_history_page_lists_transitions_for_technicians_only(dev_site, cluster_fleet):
    cluster = cluster_fleet[0]
    beat(cluster)
    beat(cluster, status="error")
    url = reverse("monitoring_admin:cluster_history", args=[cluster.pk])
    technician = Client()
    technician.force_login(make_user("kythuat-lich-su", roles.TECHNICIAN))
    html = technician.get(url).content.decode()
    assert html.count("<tr data-state=") == 2 and "Báo lỗi" in html and "Đang kết nối" in html
    editor = Client()
    editor.force_login(make_user("bientap-lich-su", roles.EDITOR))
    assert editor.get(url).status_code in (302, 403)
