"""The channel plugin interface: one small base class, one module per channel."""

from dataclasses import dataclass, field


class ChannelError(Exception):
    """A delivery failed in a way that may succeed later: it is retried with backoff."""

    def __init__(self, message: str, *, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.status = status
        self.body = body


class ChannelConfigurationError(Exception):
    """The channel cannot work as configured: no retry loop swallows this."""


@dataclass(frozen=True)
class Target:
    """Where one delivery goes. ``key`` is stable so the idempotency key is too."""

    key: str
    label: str
    cluster_id: int | None = None


@dataclass
class Outcome:
    """What a delivery attempt achieved. ``status`` is a ``Delivery.Status`` value."""

    status: str
    external_ref: str = ""
    note: str = ""


@dataclass
class TargetPlan:
    targets: list[Target]
    warnings: list[str] = field(default_factory=list)
    #: Zones of the audience no target covers (ids); ``uncovered`` with no zone named means
    #: the whole commune had none. A target joining them later gets the content.
    uncovered: bool = False
    uncovered_zone_ids: list[int] = field(default_factory=list)


class Channel:
    """Base class of delivery channels, configured by ``settings.DEVICE_CHANNELS[key]``."""

    def __init__(self, key: str, **options):
        self.key = key
        self.options = options

    def accepts(self, *, page) -> bool:
        """Whether this kind of page goes through the channel at all (default: every kind)."""
        return True

    def plan_targets(self, *, page, zones) -> TargetPlan:
        """Who receives ``page``; ``zones`` is a list of Zone, empty for the whole commune."""
        raise NotImplementedError

    def deliver(self, *, delivery) -> Outcome:
        """Perform (or re-perform, idempotently by ``delivery.idempotency_key``) one delivery."""
        raise NotImplementedError

    def cancel(self, *, delivery) -> None:
        """Withdraw what has not been played or shown yet."""
        raise NotImplementedError
