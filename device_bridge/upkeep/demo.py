"""Demo upkeep of the seeded clusters (issue 13): data plans (one free period ending within the
month, so the dashboard shows its alert), a fee change, warranties, and a fault with its repair.
Dates are relative to today so the demo always has something coming due. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from wagtail.models import Site

from device_bridge.models import SpeakerCluster

from .budget import years_after
from .models import DataPlan, DataPlanFee, FaultTicket, Repair

# code -> (carrier, SIM, monthly fee, days from today the free period ends, warranty ends in)
PLANS = {
    "CL-DONG-01": ("Viettel", "0986123401", 50_000, 25, 400),
    "CL-DOAI-01": ("VNPT", "0912345602", 45_000, 140, 45),
    "CL-TRUNG-01": ("Viettel", "0986123403", 50_000, 300, 700),
    "CL-NAM-01": ("MobiFone", "0901234504", 55_000, -60, -30),
}


@transaction.atomic
def seed_demo_upkeep() -> dict:
    site = Site.objects.filter(is_default_site=True).first()
    created = {"plans": 0, "faults": 0}
    if site is None:
        return created
    today = timezone.localdate()
    for code, (carrier, sim, fee, free_days, warranty_days) in PLANS.items():
        cluster = SpeakerCluster.objects.filter(code__iexact=code).first()
        if cluster is None or DataPlan.objects.filter(cluster=cluster).exists():
            continue
        free_until = today + dt.timedelta(days=free_days)
        cluster.installed_on = cluster.installed_on or years_after(free_until, -2)
        cluster.warranty_until = cluster.warranty_until or today + dt.timedelta(days=warranty_days)
        cluster.save(update_fields=["installed_on", "warranty_until"])
        plan = DataPlan(site=site, cluster=cluster, carrier=carrier, sim_number=sim,
                        monthly_fee_vnd=fee, free_until=None)
        plan.full_clean()
        plan.save()
        created["plans"] += 1
        if code == "CL-NAM-01":
            DataPlanFee.objects.create(plan=plan, effective_from=today + dt.timedelta(days=40),
                                       monthly_fee_vnd=60_000, note="Nhà mạng điều chỉnh giá cước")
    cluster = SpeakerCluster.objects.filter(code__iexact="CL-NAM-01").first()
    symptom = "Loa rè sau mưa bão, nước vào hộp nối; bộ khuếch đại không lên nguồn."
    if cluster is not None and not FaultTicket.objects.filter(cluster=cluster, symptom=symptom).exists():
        now = timezone.now()
        ticket = FaultTicket.objects.create(
            site=site, cluster=cluster, symptom=symptom, reporter_name="Trưởng thôn Nam",
            opened_at=now - dt.timedelta(days=10, hours=3), closed_at=now - dt.timedelta(days=8),
        )
        Repair.objects.create(
            ticket=ticket, site=site, kind=Repair.Kind.REPLACEMENT,
            done_on=timezone.localdate(now - dt.timedelta(days=8)),
            parts="Bộ khuếch đại 100 W, hộp nối chống nước", cost_vnd=1_850_000,
            paid_by=Repair.PaidBy.BUDGET, performed_by="Tổ kỹ thuật Trung tâm DVSNC xã",
            description="Hết bảo hành: thay bộ khuếch đại và hộp nối, chi từ ngân sách xã.",
        )
        created["faults"] += 1
    return created
