"""The website channel: the page is already live; delivery confirms it is publicly reachable."""

from django.utils.translation import gettext as _

from .base import Channel, ChannelError, Outcome, Target, TargetPlan


class WebsiteChannel(Channel):
    def plan_targets(self, *, page, zones) -> TargetPlan:
        return TargetPlan(targets=[Target(key="website", label=str(_("Cổng thông tin")))])

    def deliver(self, *, delivery) -> Outcome:
        page = delivery.dispatch.page.specific
        if not page.live:
            raise ChannelError(_("Trang chưa được xuất bản."))
        url = page.get_full_url()
        if not url:
            raise ChannelError(_("Trang không thuộc trang web nào nên không có địa chỉ công khai."))
        if page.get_view_restrictions().exists():
            raise ChannelError(_("Trang bị giới hạn quyền xem, người dân không xem được."))
        return Outcome(status="done", external_ref=url)

    def cancel(self, *, delivery) -> None:
        # Unpublishing already took the page off the site; nothing is left to withdraw.
        return None
