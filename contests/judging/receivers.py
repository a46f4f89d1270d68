"""An entry's files leave the disk with it (a team erased on request, a round deleted)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Entry


@receiver(post_delete, sender=Entry, dispatch_uid="judging_entry_files_delete")
def entry_files_delete(sender, instance, **kwargs):
    names = [f.name for f in (instance.file, instance.audio) if f]
    if not names:
        return
    storage = instance.file.storage

    def delete():
        for name in names:
            storage.delete(name)

    # Only once the deletion is committed: a rolled-back delete keeps its files.
    transaction.on_commit(delete)
