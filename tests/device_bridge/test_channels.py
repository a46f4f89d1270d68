"""One contract every channel passes (fake included), plus the registry's behaviour."""

import pytest

from device_bridge import services
from device_bridge.channels import (
    Channel,
    ChannelConfigurationError,
    Outcome,
    TargetPlan,
    channel_get,
)
from device_bridge.channels.fake import RecordingChannel
from device_bridge.models import Delivery, ScheduleItem
from tests.factories import make_bulletin


class ChannelContract:
    """Subclasses provide ``channel_key`` and may override ``effect_count``."""

    channel_key: str

    @pytest.fixture
    def contract_setup(self, dev_site, cluster_fleet, dev_audio, settings):
        settings.DEVICE_CHANNELS = {
            **settings.DEVICE_CHANNELS,
            "fake": {"CLASS": "device_bridge.channels.fake.RecordingChannel", "OPTIONS": {}},
        }
        settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "DEFAULT_CHANNELS": [self.channel_key]}
        RecordingChannel.reset()
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
        dev_audio.add(page, send_signal=False)
        services.bulletin_dispatch(page=page)  # deliveries exist, nothing processed yet
        return page

    def effect_count(self, delivery) -> int:
        raise NotImplementedError

    def test_plans_targets_with_unique_keys(self, contract_setup):
        plan = channel_get(self.channel_key).plan_targets(page=contract_setup, zones=[])
        assert isinstance(plan, TargetPlan) and plan.targets
        assert len({t.key for t in plan.targets}) == len(plan.targets)
        assert all(t.label for t in plan.targets)

    def test_deliver_returns_a_delivery_status(self, contract_setup):
        delivery = Delivery.objects.filter(dispatch__page=contract_setup).first()
        outcome = channel_get(self.channel_key).deliver(delivery=delivery)
        assert isinstance(outcome, Outcome) and outcome.status in Delivery.Status.values

    def test_delivering_twice_has_one_effect(self, contract_setup):
        delivery = Delivery.objects.filter(dispatch__page=contract_setup).first()
        channel = channel_get(self.channel_key)
        channel.deliver(delivery=delivery)
        channel.deliver(delivery=delivery)
        assert self.effect_count(delivery) == 1

    def test_cancel_after_delivery_is_safe(self, contract_setup):
        delivery = Delivery.objects.filter(dispatch__page=contract_setup).first()
        channel = channel_get(self.channel_key)
        channel.deliver(delivery=delivery)
        channel.cancel(delivery=delivery)


class TestWebsiteChannel(ChannelContract):
    channel_key = "website"

    def effect_count(self, delivery):
        return 1  # the page is live once; delivery only verifies it is reachable


class TestSpeakerChannel(ChannelContract):
    channel_key = "speakers"

    def effect_count(self, delivery):
        slots = ScheduleItem.objects.filter(delivery=delivery).values_list("play_at", flat=True)
        return 1 if slots and len(slots) == len(set(slots)) else 0


class TestRecordingChannel(ChannelContract):
    channel_key = "fake"

    def effect_count(self, delivery):
        return sum(1 for c in RecordingChannel.calls
                   if c["action"] == "applied" and c["key"] == delivery.idempotency_key)


def test_base_channel_methods_are_not_silently_empty():
    channel = Channel("x")
    for call in (lambda: channel.plan_targets(page=None, zones=[]),
                 lambda: channel.deliver(delivery=None), lambda: channel.cancel(delivery=None)):
        with pytest.raises(NotImplementedError):
            call()


def test_channels_are_resolved_from_settings_at_call_time(settings):
    settings.DEVICE_CHANNELS = {"x": {"CLASS": "device_bridge.channels.fake.RecordingChannel",
                                      "OPTIONS": {"TARGETS": 3}}}
    channel = channel_get("x")
    assert isinstance(channel, RecordingChannel) and channel.options == {"TARGETS": 3}
    settings.DEVICE_CHANNELS = {"x": {"CLASS": "no.such.Channel"}}
    with pytest.raises(ChannelConfigurationError):
        channel_get("x")
    with pytest.raises(ChannelConfigurationError):
        channel_get("missing")
