"""The Zalo OA channel: the bulletin as an article on the commune's OA, broadcast if chosen.

Two entries of ``settings.DEVICE_CHANNELS`` use this class: ``zalo`` posts the article and
broadcasts only the priorities in ``OPTIONS["BROADCAST_PRIORITIES"]`` (emergencies by
default); a distribution rule that names ``zalo_broadcast`` (by category or priority)
broadcasts whatever it matches. The work itself is in ``device_bridge.zalo.services``.
"""

from django.utils.translation import gettext as _

from .base import Channel, ChannelConfigurationError, ChannelError, Outcome, Target, TargetPlan


class ZaloChannel(Channel):
    def accepts(self, *, page) -> bool:
        # Bulletins only: campaigns and contests have their own pages, not news articles.
        # An install without a Zalo app (no ZALO_APP_ID) has no OA: the channel stays out of
        # the way; with an app but no connected OA, the dispatch says how to connect.
        from device_bridge.zalo.client import zalo_settings

        return hasattr(page, "spoken_text") and bool(zalo_settings().app_id)

    def broadcasts(self, page) -> bool:
        return getattr(page, "priority", None) in self.options.get("BROADCAST_PRIORITIES", ())

    def plan_targets(self, *, page, zones) -> TargetPlan:
        from device_bridge.zalo.client import zalo_settings
        from device_bridge.zalo.models import ZaloAccount
        from device_bridge.zalo.selectors import account_for_site, broadcast_quota_use

        if not zalo_settings().configured:
            raise ChannelConfigurationError(
                _("Chưa cấu hình ứng dụng Zalo (ZALO_APP_ID, ZALO_APP_SECRET): xem docs/zalo.md."))
        site = page.get_site()
        account = account_for_site(site)
        if account is None or account.status == ZaloAccount.Status.NOT_CONNECTED:
            raise ChannelConfigurationError(
                _("Cổng thông tin chưa kết nối Zalo OA: vào Cài đặt → Zalo OA để kết nối."))
        warnings = []
        if account.status == ZaloAccount.Status.NEEDS_RECONNECT:
            warnings.append(_("Kết nối Zalo OA đã hết hiệu lực: vào Cài đặt → Zalo OA và bấm "
                              "“Kết nối lại”, rồi bấm “Gửi lại”."))
        label = _("Zalo OA")
        if self.broadcasts(page):
            label = _("Zalo OA (đăng bài và gửi quảng bá)")
            use = broadcast_quota_use(site=site, account=account)
            if use.left <= 0:
                warnings.append(
                    _("Đã dùng hết %(used)s/%(quota)s lượt gửi quảng bá Zalo tháng này: bài viết "
                      "được đăng nhưng không gửi tới người theo dõi.")
                    % {"used": use.used, "quota": use.quota})
        return TargetPlan(targets=[Target(key="oa", label=str(label))], warnings=warnings)

    def deliver(self, *, delivery) -> Outcome:
        from device_bridge.zalo.client import client_for_site
        from device_bridge.zalo.errors import ZaloAuthError, ZaloError, ZaloNotConfigured
        from device_bridge.zalo.services import article_publish, broadcast_send

        dispatch = delivery.dispatch
        if dispatch.page is None:
            return Outcome(status="cancelled", note=_("Trang đã bị xoá."))
        page = dispatch.page.specific
        if not page.live:
            raise ChannelError(_("Trang chưa được xuất bản."))
        site = dispatch.site or page.get_site()
        try:
            client = client_for_site(site)
        except (ZaloNotConfigured, ZaloAuthError) as err:
            raise ChannelConfigurationError(str(err)) from err
        audio = getattr(page, "audio", None)
        with client:
            try:
                article = article_publish(
                    client=client, page=page, site=site, revision_id=dispatch.revision_id,
                    key=delivery.idempotency_key, audio_url=audio["url"] if audio else None)
                note = _("Bài viết Zalo %(id)s") % {"id": article.article_id}
                if self.broadcasts(page):
                    broadcast = broadcast_send(client=client, site=site, article=article,
                                               key=delivery.idempotency_key)
                    note += _(", đã gửi quảng bá (%(id)s)") % {"id": broadcast.message_id or "?"}
            except ZaloError as err:
                if err.transient:
                    raise ChannelError(str(err), status=err.status, body=err.body) from err
                raise ChannelConfigurationError(str(err)) from err
        return Outcome(status="done", external_ref=f"zalo:{article.article_id}", note=note)

    def cancel(self, *, delivery) -> None:
        # A newer revision superseding this one updates the same article: nothing to remove.
        # Unpublishing and deleting remove the article (device_bridge.zalo.receivers), also
        # when this delivery had already finished.
        return None
