"""The demo's upkeep: plans for the seeded clusters, one free period ending within the month, a
fault with its repair; seeding twice adds nothing."""

from django.utils import timezone
from wagtail.models import Site

from content_types import demo_content
from device_bridge.models import SpeakerCluster
from device_bridge.upkeep.demo import seed_demo_upkeep
from device_bridge.upkeep.models import DataPlan, FaultTicket, Repair
from device_bridge.upkeep.selectors import budget_estimate, events_due


def test_demo_upkeep_for_the_seeded_clusters(upkeep_site):
    for code, name, _zone, address, *_position in demo_content.CLUSTERS:
        SpeakerCluster.objects.create(code=code, name=name, address=address)
    assert seed_demo_upkeep() == {"plans": 4, "faults": 1}
    assert seed_demo_upkeep() == {"plans": 0, "faults": 0}
    assert DataPlan.objects.count() == 4
    ticket = FaultTicket.objects.get()
    assert not ticket.is_open and Repair.objects.get(ticket=ticket).cost_vnd == 1_850_000
    today = timezone.localdate()
    kinds = {(e.cluster.code, e.kind) for e in events_due(today=today)}
    assert ("CL-DONG-01", "plan_paid") in kinds and ("CL-DOAI-01", "warranty_end") in kinds
    site = Site.objects.get(is_default_site=True)
    assert budget_estimate(site=site, year=today.year + 1).total_vnd > 0
