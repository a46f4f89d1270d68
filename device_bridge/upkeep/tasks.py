"""django-q2 tasks of the upkeep app: each calls one service (schedules in migration 0002)."""

from . import services


def upkeep_alerts_daily() -> int:
    """Every morning: the 60/30/7-day alerts of plans and warranties (each sent once)."""
    return services.upkeep_alerts_send()


def upkeep_telemetry_scan() -> dict:
    """Every hour: fault tickets from telemetry, firmware versions seen."""
    return services.fault_tickets_from_telemetry()
