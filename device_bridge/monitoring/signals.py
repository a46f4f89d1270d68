"""Signals of the fleet that monitoring listens to (sent by ``device_bridge.fleet.services``)."""

from django.dispatch import Signal

#: A cluster's heartbeat was written: ``cluster_id``, ``heartbeat`` (the stored dict), ``now``.
heartbeat_recorded = Signal()
