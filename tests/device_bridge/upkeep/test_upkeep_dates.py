"""Free periods, paid starts and alert dates across month ends, year ends and leap years."""

import datetime as dt

import pytest

from device_bridge.upkeep import budget, services
from device_bridge.upkeep.models import UpkeepAlert
from device_bridge.upkeep.selectors import events_due

from .conftest import d


@pytest.mark.parametrize(("installed", "free_until", "paid_from"), [
    ("2024-02-29", "2026-02-28", "2026-03-01"),  # leap day: free until 28 Feb, paid from 1 March
    ("2024-02-28", "2026-02-28", "2026-03-01"),
    ("2026-02-28", "2028-02-28", "2028-02-29"),  # paid from a leap day
    ("2024-12-31", "2026-12-31", "2027-01-01"),  # year end
    ("2025-01-31", "2027-01-31", "2027-02-01"),  # month end
    ("2025-03-15", "2027-03-15", "2027-03-16"),
])
def test_free_for_two_years_from_installation(installed, free_until, paid_from):
    until = budget.default_free_until(d(installed))
    assert until == d(free_until)
    assert budget.paid_from(until) == d(paid_from)


def test_a_plan_left_blank_takes_installation_plus_two_years(make_plan):
    plan = make_plan("cl-nhuan", installed_on=d("2024-02-29"))
    assert plan.free_until == d("2026-02-28")
    plan.cluster.refresh_from_db()
    assert plan.cluster.plan_free_until == d("2026-02-28")  # the cluster list shows the same


def test_a_plan_without_installation_date_asks_for_free_until(make_cluster, upkeep_site):
    from django.core.exceptions import ValidationError
    from wagtail.models import Site

    from device_bridge.upkeep.models import DataPlan

    plan = DataPlan(site=Site.objects.get(), cluster=make_cluster("cl-moi"), carrier="VNPT",
                    sim_number="0911", monthly_fee_vnd=1)
    with pytest.raises(ValidationError) as err:
        plan.full_clean()
    assert "ngày lắp đặt" in str(err.value)


# Alerts fall 60, 30 and 7 days before the first paid day (paid from 1 March 2026 here).
@pytest.mark.parametrize(("free_until", "alert_days"), [
    ("2026-02-28", {"2025-12-31": 60, "2026-01-30": 30, "2026-02-22": 7}),  # across a year end
    ("2028-02-28", {"2027-12-31": 60, "2028-01-30": 30, "2028-02-22": 7}),  # paid from 29 Feb 2028
    ("2027-03-31", {"2027-01-31": 60, "2027-03-02": 30, "2027-03-25": 7}),  # month ends
])
def test_plan_alerts_fall_60_30_and_7_days_before_the_paid_period(make_plan, mailoutbox, technician,
                                                                  free_until, alert_days):
    plan = make_plan("cl-a", free_until=d(free_until))
    start = budget.paid_from(plan.free_until)
    sent_on = {}
    day = start - dt.timedelta(days=70)
    while day <= start + dt.timedelta(days=3):
        for _ in range(2):  # a second run the same day sends nothing
            if services.upkeep_alerts_send(today=day):
                sent_on[day.isoformat()] = UpkeepAlert.objects.latest("pk").days_before
        day += dt.timedelta(days=1)
    assert sent_on == alert_days
    assert len(mailoutbox) == 3
    assert mailoutbox[0].to == ["kythuat@xa.example"]
    assert "Hết miễn phí cước 4G" in mailoutbox[0].body and plan.cluster.code in mailoutbox[0].body


def test_warranty_alerts_fall_before_the_last_day_of_warranty(make_cluster, mailoutbox, technician):
    make_cluster("cl-bh", warranty_until=d("2027-01-06"))
    sent = [day for day in (d("2026-11-07") + dt.timedelta(days=n) for n in range(70))
            if services.upkeep_alerts_send(today=day)]
    assert sent == [d("2026-11-07"), d("2026-12-07"), d("2026-12-30")]
    assert "Hết bảo hành ngày 06/01/2027" in mailoutbox[-1].body


def test_a_plan_registered_late_gets_only_the_nearest_alert(make_plan, mailoutbox, technician):
    plan = make_plan("cl-muon", free_until=d("2026-12-20"))
    assert services.upkeep_alerts_send(today=d("2026-12-01")) == 1  # 20 days before: the 30-day one
    assert list(UpkeepAlert.objects.values_list("days_before", flat=True)) == [30]
    assert services.upkeep_alerts_send(today=d("2026-12-02")) == 0
    assert services.upkeep_alerts_send(today=d("2026-12-14")) == 1  # 7 days before 21 Dec
    # A plan extended by the carrier is a new date: its alerts come again.
    plan.free_until = d("2027-06-30")
    plan.save()
    assert services.upkeep_alerts_send(today=d("2027-05-02")) == 1


def test_a_failed_send_is_tried_again_the_next_day(make_plan, technician, monkeypatch):
    make_plan("cl-loi", free_until=d("2026-12-31"))

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(services, "send_mail", broken)
    with pytest.raises(OSError):
        services.upkeep_alerts_send(today=d("2026-11-02"))
    assert not UpkeepAlert.objects.exists()
    monkeypatch.undo()
    assert services.upkeep_alerts_send(today=d("2026-11-03")) == 1


def test_due_events_are_listed_for_the_dashboard(make_plan, make_cluster):
    make_plan("cl-sap", free_until=d("2026-12-31"))
    make_plan("cl-xa", free_until=d("2028-01-01"))
    make_cluster("cl-bh", warranty_until=d("2026-12-10"))
    events = events_due(today=d("2026-12-01"))
    assert [(e.cluster.code, e.days_left) for e in events] == [("cl-bh", 9), ("cl-sap", 31)]


def test_the_alerts_run_every_morning_and_the_scan_every_hour(upkeep_site):
    from django.conf import settings
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    schedules = {s.func: s for s in Schedule.objects.filter(name__startswith="upkeep:")}
    alerts = schedules["device_bridge.upkeep.tasks.upkeep_alerts_daily"]
    scan = schedules["device_bridge.upkeep.tasks.upkeep_telemetry_scan"]
    assert (alerts.schedule_type, scan.schedule_type) == (Schedule.DAILY, Schedule.HOURLY)
    assert alerts.repeats == scan.repeats == -1
    for func in schedules:
        assert callable(import_string(func))
    # A missed morning is not made up at noon, and a slow run is not started twice.
    assert settings.Q_CLUSTER["catch_up"] is False
    assert settings.Q_CLUSTER["retry"] > settings.Q_CLUSTER["timeout"]
