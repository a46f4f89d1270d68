"""django-q2 task of fleet monitoring (scheduled every minute by migration 0003)."""

from . import alerting, services


def monitoring_sweep() -> dict:
    """Record clusters that went silent, record new alerts, e-mail them to the technicians."""
    offline = services.cluster_states_sweep()
    new = alerting.fleet_alerts_check()
    emailed = alerting.fleet_alerts_email()
    return {"offline": offline, "alerts": len(new), "emailed": emailed}
