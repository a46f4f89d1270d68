"""Signal receivers of the content app."""

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .snippets import Zone


@receiver(pre_delete, sender=Zone, dispatch_uid="content_types.protect_zone_in_use")
def _protect_zone_in_use(sender, instance, **kwargs):
    # Deleting a zone would turn its bulletins into commune-wide ones and its clusters into
    # unzoned ones. Raising here aborts the delete from any path (admin, bulk action, script)
    # inside its transaction; zone_merge moves the uses away before it deletes.
    from .selectors import zone_usage, zone_usage_message

    uses = zone_usage(instance)
    if uses:
        raise ProtectedError(zone_usage_message(instance, uses), set())
