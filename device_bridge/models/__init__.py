from .delivery import Delivery, Dispatch
from .fleet import ClusterCommand, ClusterHasHistory, DeviceEvent, SpeakerCluster
from .schedule import (
    DistributionRule,
    PlaybackReceipt,
    RelayProgramme,
    ScheduleItem,
    ScheduleTemplate,
    parse_slot_times,
)

__all__ = [
    "ClusterCommand",
    "ClusterHasHistory",
    "Delivery",
    "DeviceEvent",
    "Dispatch",
    "DistributionRule",
    "PlaybackReceipt",
    "RelayProgramme",
    "ScheduleItem",
    "ScheduleTemplate",
    "SpeakerCluster",
    "parse_slot_times",
]
