"""Connect a site's Zalo OA from a refresh token, for installs without a browser."""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from device_bridge.zalo.errors import ZaloError
from device_bridge.zalo.tokens import account_connect


class Command(BaseCommand):
    help = ("Connect the commune's Zalo OA with a refresh token obtained in Zalo for Developers "
            "(API Explorer). The token is exchanged at once: it is single use.")

    def add_arguments(self, parser):
        parser.add_argument("--refresh-token", required=True)
        parser.add_argument("--site", help="site id or hostname (default: the default site)")

    def handle(self, *args, refresh_token, site=None, **options):
        if site:
            query = Site.objects.filter(pk=site) if site.isdigit() else Site.objects.filter(hostname=site)
        else:
            query = Site.objects.filter(is_default_site=True)
        target = query.first()
        if target is None:
            raise CommandError(f"No such site: {site or '(default)'}")
        try:
            account = account_connect(site=target, refresh_token=refresh_token)
        except ZaloError as err:
            raise CommandError(f"Zalo refused: {err}") from err
        self.stdout.write(self.style.SUCCESS(
            f"Connected OA {account.oa_name or '?'} ({account.oa_id}) to site {target}; "
            f"access token valid until {account.access_expires_at:%Y-%m-%d %H:%M}."))
