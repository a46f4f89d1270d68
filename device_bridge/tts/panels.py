"""Editor panel: the bulletin's audio state (queued/rendering/ready/failed + reason), the
editor's "Nghe thử" of the draft, and the approver's listen-then-approve step."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from . import selectors
from .stuck import broadcast_state


class SpeechStatusPanel(Panel):
    """Read-only; links to the audio page where the state can be retried."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Âm thanh phát thanh"))
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "tts/admin/speech_status_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["page_saved"] = bool(page and page.pk)
            if page and page.pk:
                link = selectors.page_audio_latest(page)
                context["link"] = link
                context["audio"] = link.audio if link else None
                context["detail_url"] = reverse("tts_admin:page_audio", args=[page.pk])
                context["retry_url"] = "{}?{}".format(
                    context["detail_url"],
                    urlencode(
                        {
                            "purpose": link.purpose if link else "broadcast",
                            "next": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                        }
                    ),
                )
                if link and link.revision_id:
                    context["listen_url"] = reverse("tts:revision_preview", args=[link.revision_id])
                context["draft_url"] = reverse("tts_admin:draft_preview", args=[page.pk])
                context["approval"] = self._approval(page)
                if context["approval"] is not None:
                    from workflows.selectors import MAX_PLAYBACK_RATE

                    context["max_playback_rate"] = MAX_PLAYBACK_RATE
                if page.live:
                    # What the loudspeakers need, whatever the latest request (often a preview
                    # of the next draft): the page's row holds the live content, the form the
                    # draft.
                    state = broadcast_state(type(page).objects.get(pk=page.pk))
                    if state.status != "ready":
                        context["broadcast"] = state
                        context["broadcast_retry_url"] = "{}?{}".format(
                            reverse("device_bridge_admin:alert_retry", args=[page.pk]),
                            urlencode({"next": reverse("wagtailadmin_pages:edit", args=[page.pk])}),
                        )
            return context

        def _approval(self, page):
            """The listen-before-approve step waiting for this user on this page, if any.

            The moderation rules own who approves; they live in ``workflows.selectors``.
            """
            from workflows.selectors import listen_item_for_user

            user = getattr(self.request, "user", None)
            real = type(page).objects.filter(pk=page.pk).first()  # the form holds the draft
            return listen_item_for_user(real, user) if real is not None and user else None
