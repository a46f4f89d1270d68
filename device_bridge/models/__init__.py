from .delivery import Delivery, Dispatch
from .fleet import ClusterCommand, DeviceEvent, SpeakerCluster
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
