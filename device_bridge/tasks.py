"""django-q2 tasks: they take ids and call a service; retry lives in the delivery records."""

from django_q.tasks import async_task

from . import services
from .schedule import services as schedule_services


def enqueue_delivery(delivery_id: int) -> None:
    async_task("device_bridge.tasks.delivery_process", delivery_id, group="device_bridge")


def delivery_process(delivery_id: int) -> str | None:
    return services.delivery_process(delivery_id=delivery_id)


def delivery_sweep() -> dict:
    """Every minute: dispatch live content that never was, repair deliveries, then audio
    (failed renders due for a retry, live content whose audio was never made). Each step
    only picks up what is due, so a sweep that fails is simply done again by the next one."""
    from .tts.services import broadcast_audio_sweep

    repaired = services.dispatch_lost_repair()
    return {**services.delivery_sweep(), "dispatched": repaired, "audio": broadcast_audio_sweep()}


def relay_materialise() -> int:
    return schedule_services.relay_materialise()
