"""With REDIS_URL set, django-q2's broker and Django's cache really are the Redis server."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.redis


def test_task_broker_round_trips_through_redis():
    from django_q.brokers import get_broker
    from django_q.brokers.redis_broker import Redis

    list_key = f"ttcs-test-{uuid.uuid4().hex}"
    broker = get_broker(list_key=list_key)
    assert isinstance(broker, Redis)
    assert broker.ping()
    try:
        broker.enqueue("signed-task-payload")
        assert broker.queue_size() == 1
        task_id, payload = broker.dequeue()[0]
        assert payload == b"signed-task-payload"
        broker.acknowledge(task_id)
        assert broker.queue_size() == 0
    finally:
        broker.delete_queue()


def test_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"ttcs-test-{uuid.uuid4().hex}"
    cache.set(key, "Xin chào", 30)
    assert cache.get(key) == "Xin chào"
    cache.delete(key)
