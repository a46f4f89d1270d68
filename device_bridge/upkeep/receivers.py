"""Signal receivers: keep the cluster's plan fields in step, and note token changes for the
cluster's history (the token fields keep only the latest)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from device_bridge.models import SpeakerCluster

from . import services
from .models import ClusterChange, DataPlan


@receiver(post_save, sender=DataPlan, dispatch_uid="upkeep_plan_sync")
def plan_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        services.data_plan_cluster_sync(plan=instance)


@receiver(post_save, sender=SpeakerCluster, dispatch_uid="upkeep_token_change")
def cluster_token_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    # cluster_token_rotate / cluster_token_revoke save exactly the token fields.
    if raw or not update_fields or "token_hash" not in update_fields:
        return
    if instance.token_id:
        services.cluster_change_record(cluster=instance, kind=ClusterChange.Kind.TOKEN_ISSUED,
                                       detail=instance.token_id, at=instance.token_issued_at)
    else:
        services.cluster_change_record(cluster=instance, kind=ClusterChange.Kind.TOKEN_REVOKED,
                                       at=instance.token_revoked_at)
