"""django-q2 tasks of the Zalo integration: they take ids and call a service."""

from django_q.tasks import async_task

from . import services


def enqueue_article_withdraw(content_id: int, site_id: int | None = None) -> None:
    async_task("device_bridge.zalo.tasks.article_withdraw", content_id, site_id, group="zalo")


def article_withdraw(content_id: int, site_id: int | None = None) -> int:
    return services.article_withdraw(content_id=content_id, site_id=site_id)
