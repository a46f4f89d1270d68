"""Signal receivers of the Zalo integration: they only enqueue work after commit."""

from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.models import Page

from workflows.events import content_withdrawn

from .models import ZaloArticle


def _has_article(page_id: int) -> bool:
    return ZaloArticle.objects.filter(content_id=page_id).exclude(
        state=ZaloArticle.State.REMOVED).exists()


def _enqueue_withdraw(page_id: int) -> None:
    from .tasks import enqueue_article_withdraw

    transaction.on_commit(lambda: enqueue_article_withdraw(page_id))


@receiver(content_withdrawn, dispatch_uid="zalo.remove_article_on_withdrawal")
def _remove_on_withdrawal(sender, page, **kwargs):
    if _has_article(page.pk):
        _enqueue_withdraw(page.pk)


@receiver(pre_delete, sender=Page, dispatch_uid="zalo.remove_article_before_page_delete")
def _remove_before_delete(sender, instance, **kwargs):
    if _has_article(instance.pk):
        _enqueue_withdraw(instance.pk)
