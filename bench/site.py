"""Anonymous requests per second: a bulletin page against a bare Wagtail page with the same body.

Both pages are served in one process, in interleaved rounds, so machine noise hits both alike.
Run: ``.venv/bin/python bench/site.py`` (or ``make bench``). Goal: bulletin >= 0.8x bare.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "150"))


def build_pages():
    call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    from bench.bare.models import BarePage
    from content_types.models import BulletinPage

    bulletin = BulletinPage.objects.live().filter(zones__isnull=False).first()
    bare = BarePage.objects.first()
    if bare is None:
        bare = BarePage(title=bulletin.title, slug="bare-baseline", body=json.dumps(list(bulletin.body.raw_data)))
        # A sibling of the bulletin: same depth, so routing costs the same for both.
        bulletin.get_parent().add_child(instance=bare)
        bare.save_revision().publish()
    return bulletin.url, bare.url


def rate(client, url, count):
    start = time.perf_counter()
    for _ in range(count):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return count / (time.perf_counter() - start)


def main():
    bulletin_url, bare_url = build_pages()
    client = Client()
    rate(client, bulletin_url, 20), rate(client, bare_url, 20)  # warm caches
    bulletin_rates, bare_rates = [], []
    for _ in range(ROUNDS):
        bulletin_rates.append(rate(client, bulletin_url, REQUESTS_PER_ROUND))
        bare_rates.append(rate(client, bare_url, REQUESTS_PER_ROUND))
    bulletin, bare = statistics.median(bulletin_rates), statistics.median(bare_rates)
    print(f"bulletin page  {bulletin_url}: {bulletin:8.1f} req/s (median of {ROUNDS} rounds)")
    print(f"bare Wagtail   {bare_url}: {bare:8.1f} req/s")
    print(f"ratio bulletin/bare: {bulletin / bare:.2f}x (goal >= 0.80x)")


if __name__ == "__main__":
    main()
