"""Run the fake Zalo server (demo mode of ``make run``; never in production)."""

import time

from django.core.management.base import BaseCommand

from device_bridge.zalo import fake_server


class Command(BaseCommand):
    help = ("Serve a fake Zalo OA API and OAuth server on loopback for demos. Point "
            "ZALO_API_BASE and ZALO_OAUTH_BASE at it and use its app id/secrets "
            "(printed at start); --connect also connects the default site's OA.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--connect", action="store_true",
                            help="connect the default site's OA to this fake (needs ZALO_* "
                                 "settings pointing at it)")
        parser.add_argument("--verify-rounds", type=int, default=1,
                            help="answers 'media being processed' this many times per article")

    def handle(self, *args, host, port, connect, verify_rounds, **options):
        fake = fake_server.FakeZalo(host=host, port=port, verify_pending_rounds=verify_rounds)
        fake.start()
        self.stdout.write(
            f"Fake Zalo on {fake.base_url}\n"
            f"  ZALO_API_BASE={fake.base_url} ZALO_OAUTH_BASE={fake.base_url}\n"
            f"  ZALO_APP_ID={fake.app_id} ZALO_APP_SECRET={fake.app_secret} "
            f"ZALO_OA_SECRET={fake.oa_secret}\n"
            f"  refresh token for `manage.py zalo_connect`: {fake.issue_refresh_token()}")
        if connect:
            self._connect(fake)
        shown = {"outbox": 0, "articles": 0}
        try:
            while True:
                time.sleep(2)
                for entry in fake.outbox[shown["outbox"]:]:
                    self.stdout.write(f"fake Zalo sent: {entry}")
                shown["outbox"] = len(fake.outbox)
                articles = list(fake.articles.values())
                for article in articles[shown["articles"]:]:
                    self.stdout.write(f"fake Zalo article {article['id']}: {article['title']}")
                shown["articles"] = len(articles)
        except KeyboardInterrupt:
            pass
        finally:
            fake.stop()

    def _connect(self, fake):
        from wagtail.models import Site

        from device_bridge.zalo.client import zalo_settings
        from device_bridge.zalo.errors import ZaloError
        from device_bridge.zalo.tokens import account_connect

        if zalo_settings().api_base != fake.base_url:
            self.stderr.write("--connect skipped: ZALO_API_BASE does not point at this fake.")
            return
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            self.stderr.write("--connect skipped: no default site yet.")
            return
        try:
            account = account_connect(site=site, refresh_token=fake.issue_refresh_token())
        except ZaloError as err:
            self.stderr.write(f"--connect failed: {err}")
            return
        self.stdout.write(f"Connected {site} to fake OA {account.oa_id}.")
