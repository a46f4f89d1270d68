"""Who may make content live: the page permission tester every page type uses.

Wagtail has one page permission, ``publish``, for both publishing and unpublishing. Leaders (Lãnh
đạo UBND) hold it so they can take content down, yet only the final step of a workflow (which
publishes on its own authority, see ``finish.py``) or a holder of
``workflows.publish_without_moderation`` (Quản trị) may put content up. Every Wagtail path that
makes content live asks the page's permission tester first (the edit and create views, bulk
actions, the admin API's publish / copy / alias / move actions, scheduling, privacy), so the
rule is enforced here, once, for all of them and for whatever Wagtail adds that asks the same
questions. Unpublishing, unscheduling and reordering keep Wagtail's rule.

This module imports nothing of the project at load time: ``content_types.models`` imports it.
"""

from __future__ import annotations

from wagtail.models import PagePermissionTester

PUBLISH_WITHOUT_MODERATION = "workflows.publish_without_moderation"


def user_may_publish_directly(user) -> bool:
    """Quản trị (or a superuser): may make content live without a workflow."""
    return bool(
        user
        and user.is_active
        and (user.is_superuser or user.has_perm(PUBLISH_WITHOUT_MODERATION))
    )


class ModeratedPagePermissionTester(PagePermissionTester):
    """Wagtail's tester, with every "make it live" answer requiring the moderation bypass."""

    def may_publish_directly(self) -> bool:
        if not hasattr(self, "_may_publish_directly"):
            self._may_publish_directly = user_may_publish_directly(self.user)
        return self._may_publish_directly

    def can_publish(self):
        return super().can_publish() and self.may_publish_directly()

    def can_publish_subpage(self):
        return super().can_publish_subpage() and self.may_publish_directly()

    def can_set_view_restrictions(self):
        # Lifting a restriction makes content public as surely as publishing it does.
        return super().can_publish() and self.may_publish_directly()

    def can_unschedule(self):
        # Cancelling a scheduled publication withdraws, like unpublishing: Wagtail's rule.
        return super().can_publish()

    def can_move_to(self, destination):
        if not super().can_move_to(destination):
            return False
        if self.user.is_superuser or self.may_publish_directly():
            return True
        # Moving live pages publishes them in the destination section (Wagtail asks for
        # "publish" there); only drafts move without the bypass.
        return not (self.page.live or self.page.get_descendants().filter(live=True).exists())


class ModeratedPageMixin:
    """Mixed into every page type of the project (see the ``workflows.E001`` check)."""

    def permissions_for_user(self, user):
        return ModeratedPagePermissionTester(user, self)
