"""django-q2 tasks: they take ids and call a service; retry lives in the delivery records."""

from django_q.tasks import async_task

from . import services
from .schedule import services as schedule_services


def enqueue_delivery(delivery_id: int) -> None:
    async_task("device_bridge.tasks.delivery_process", delivery_id, group="device_bridge")


def delivery_process(delivery_id: int) -> str | None:
    return services.delivery_process(delivery_id=delivery_id)


def delivery_sweep() -> dict:
    return services.delivery_sweep()


def relay_materialise() -> int:
    return schedule_services.relay_materialise()
