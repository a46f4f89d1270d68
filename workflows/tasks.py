"""django-q2 tasks of the moderation app."""

import io

from django.core.management import call_command


def publish_scheduled() -> str:
    """Every minute: publish approved revisions whose ``go_live_at`` has come and take down
    content whose ``expire_at`` has passed (Wagtail's ``publish_scheduled`` command).

    Both send Wagtail's page signals, so going live dispatches to the loudspeakers and expiry
    withdraws from them (``workflows.events``). The command is idempotent: a run that fails
    is simply done again by the next one.
    """
    output = io.StringIO()
    call_command("publish_scheduled", stdout=output)
    return output.getvalue()
