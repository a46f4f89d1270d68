"""Topic layout: ``<prefix>/cluster/<code>/{cmd,status,ack}`` (docs/device-protocol-mqtt.md §2).

A cluster's MQTT user name is its code, so one ACL ``pattern`` line per topic confines every
cluster to its own three topics. Codes are slugs: they never contain ``/``, ``+`` or ``#``.
"""

from .conf import setting

CMD, STATUS, ACK = "cmd", "status", "ack"


def cluster_topic(code: str, kind: str) -> str:
    return f"{setting('TOPIC_PREFIX')}/cluster/{code}/{kind}"


def subscriptions() -> list[str]:
    """What the server's bridge listens to: every cluster's status and acks."""
    prefix = setting("TOPIC_PREFIX")
    return [f"{prefix}/cluster/+/{STATUS}", f"{prefix}/cluster/+/{ACK}"]


def parse(topic: str) -> tuple[str, str] | None:
    """``(cluster code, kind)`` of a status/ack topic, or ``None`` for anything else."""
    prefix = setting("TOPIC_PREFIX").split("/")
    parts = topic.split("/")
    if len(parts) != len(prefix) + 3 or parts[: len(prefix)] != prefix:
        return None
    cluster_word, code, kind = parts[len(prefix):]
    if cluster_word != "cluster" or not code or kind not in (STATUS, ACK):
        return None
    return code, kind
