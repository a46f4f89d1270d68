"""Receivers of fleet monitoring: a written heartbeat may be a state transition."""

from django.db import transaction
from django.dispatch import receiver

from device_bridge.fleet.signals import heartbeat_recorded
from workflows.events import content_withdrawn

from . import services


@receiver(heartbeat_recorded, dispatch_uid="monitoring.heartbeat_state")
def record_heartbeat_state(sender, *, cluster_id, heartbeat, previous_seen_at, now, **kwargs):
    # One cache read per written heartbeat; a database write only on a transition.
    services.heartbeat_state_record(cluster_id=cluster_id, heartbeat=heartbeat,
                                    previous_seen_at=previous_seen_at, now=now)


@receiver(content_withdrawn, dispatch_uid="monitoring.live_items_withdraw")
def withdraw_live_items(sender, page, **kwargs):
    # A bulletin taken down must not keep playing from a live "play now" (which has no
    # delivery for the outbox to cancel).
    transaction.on_commit(lambda: services.live_items_withdraw(page_id=page.pk))
