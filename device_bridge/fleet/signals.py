"""Signals of the fleet (sent by ``device_bridge.fleet.services``) that other apps listen to."""

from django.dispatch import Signal

#: A cluster's heartbeat was written: ``cluster_id``, ``heartbeat`` (the stored dict), ``now``.
heartbeat_recorded = Signal()
