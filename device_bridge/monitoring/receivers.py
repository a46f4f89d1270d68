"""Receivers of fleet monitoring: a written heartbeat may be a state transition."""

from django.dispatch import receiver

from . import services
from .signals import heartbeat_recorded


@receiver(heartbeat_recorded, dispatch_uid="monitoring.heartbeat_state")
def record_heartbeat_state(sender, *, cluster_id, heartbeat, previous_seen_at, now, **kwargs):
    # One cache read per written heartbeat; a database write only on a transition.
    services.heartbeat_state_record(cluster_id=cluster_id, heartbeat=heartbeat,
                                    previous_seen_at=previous_seen_at, now=now)
