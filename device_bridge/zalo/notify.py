"""Emergency approver alerts through the commune's Zalo OA (issue 10, item 6).

A notifier plugin of ``workflows.emergency_notify`` (``settings.TTCS_EMERGENCY_NOTIFIERS``;
added by default when ``ZALO_APP_ID`` is set): when a step of a khẩn cấp revision starts, each
approver of the step who linked their Zalo account (``StaffZaloLink``, "Liên kết Zalo") gets a
customer-service message from the OA of the page's site, with the title and the admin link.
"""

from __future__ import annotations

import logging

from django.apps import apps

from workflows.emergency_notify import EmergencyNotifier, NotifierError, emergency_payload

from .client import client_for_site
from .errors import ZaloAuthError, ZaloError, ZaloNotFollowing, ZaloReplyWindowClosed
from .staff_link import staff_links_for

logger = logging.getLogger(__name__)


def _known_unreachable(site, zalo_user_ids: list[str]) -> set[str]:
    """Zalo accounts the feedback app saw unfollow (or withdraw): Zalo would answer -213."""
    try:
        citizen_model = apps.get_model("feedback", "Citizen")
    except LookupError:
        return set()
    return set(
        citizen_model.objects.filter(site=site, zalo_user_id__in=zalo_user_ids, is_following=False)
        .values_list("zalo_user_id", flat=True)
    )


class ZaloEmergencyNotifier(EmergencyNotifier):
    """Sends the emergency text (``emergency_payload``'s, with the admin link) to each linked
    approver. Zalo only lets the OA message a follower who interacted in the last 7 days
    (reference, customer-service message: -213 not following, -230 window closed): those
    approvers are skipped with a WARNING and the others still get it. Raises ``NotifierError``
    only when nobody could be reached because of the OA itself (not connected, token burnt,
    Zalo down); ``emergency_notify`` logs it, the submission never waits for it."""

    def notify(self, *, page, revision, users) -> None:
        site = page.get_site()
        if site is None:
            logger.info("Zalo emergency alert: page %s belongs to no site; nothing sent", page.pk)
            return
        links = staff_links_for(site=site, users=users)
        if not links:
            logger.info("Zalo emergency alert: no approver of page %s linked Zalo on site %s",
                        page.pk, site.pk)
            return
        text = emergency_payload(page=page, revision=revision, users=users)["text"]
        unreachable = _known_unreachable(site, [link.zalo_user_id for link in links])
        sent, failed = [], []
        try:
            with client_for_site(site) as client:
                for link in links:
                    name = link.user.get_username()
                    if link.zalo_user_id in unreachable:
                        logger.warning("Zalo emergency alert for page %s: %s no longer follows "
                                       "the OA; skipped", page.pk, name)
                        continue
                    try:
                        client.send_text(link.zalo_user_id, text)
                    except (ZaloNotFollowing, ZaloReplyWindowClosed) as err:
                        # The approver's own doing (unfollowed, or silent for 7 days): theirs
                        # to fix by following or sending "LIENKET"; the others still hear.
                        logger.warning("Zalo emergency alert for page %s: %s not reachable (%s); "
                                       "skipped", page.pk, name, err)
                    except ZaloAuthError:
                        raise
                    except ZaloError as err:
                        logger.warning("Zalo emergency alert for page %s to %s failed: %s",
                                       page.pk, name, err)
                        failed.append(name)
                    else:
                        sent.append(name)
        except ZaloError as err:
            # Not configured, not connected, or the OA must be reconnected: nobody can be told.
            raise NotifierError(f"Zalo OA of site {site.pk}: {err}") from err
        if failed and not sent:
            raise NotifierError(f"Zalo refused or did not answer for {', '.join(failed)}")
        logger.info("Zalo emergency alert for page %s (revision %s) sent to %s",
                    page.pk, revision.pk, ", ".join(sent) or "nobody")
