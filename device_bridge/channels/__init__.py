"""Channel registry: ``settings.DEVICE_CHANNELS`` resolved with ``import_string`` at call time."""

from django.utils.module_loading import import_string

from ..conf import channel_config
from .base import Channel, ChannelConfigurationError, ChannelError, Outcome, Target, TargetPlan

__all__ = [
    "Channel",
    "ChannelConfigurationError",
    "ChannelError",
    "Outcome",
    "Target",
    "TargetPlan",
    "channel_get",
    "channel_keys",
]


def channel_keys() -> list[str]:
    return list(channel_config())


def channel_get(key: str) -> Channel:
    config = channel_config().get(key)
    if config is None:
        raise ChannelConfigurationError(f"Channel {key!r} is not in settings.DEVICE_CHANNELS")
    try:
        cls = import_string(config["CLASS"])
    except (ImportError, KeyError) as err:
        raise ChannelConfigurationError(f"Channel {key!r}: cannot load its CLASS") from err
    return cls(key, **config.get("OPTIONS", {}))
