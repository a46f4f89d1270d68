"""django-q2 tasks of the Zalo integration: they take ids and call a service."""

import logging

from django_q.tasks import async_task

from . import services
from .errors import ZaloError

logger = logging.getLogger(__name__)


def enqueue_article_withdraw(content_id: int, site_id: int | None = None) -> None:
    async_task("device_bridge.zalo.tasks.article_withdraw", content_id, site_id, group="zalo")


def article_withdraw(content_id: int, site_id: int | None = None) -> int:
    try:
        return services.article_withdraw(content_id=content_id, site_id=site_id)
    except ZaloError as err:
        # Not lost: article_withdraw_sweep removes it once Zalo answers again.
        logger.warning("Zalo article of page %s not removed yet (the sweep retries): %s",
                       content_id, err)
        return 0


def article_withdraw_sweep() -> int:
    """Every 10 minutes (migration 0003): catch up removals that failed or were lost."""
    return services.article_withdraw_sweep()
