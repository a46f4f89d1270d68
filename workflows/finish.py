"""What happens when a workflow is approved (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Wagtail resolves this setting while ``wagtail.models`` is being imported, so this module imports
nothing at load time.
"""


def publish_approved_revision(workflow_state, user=None):
    """Publish the latest revision on the workflow's authority.

    Wagtail's default publishes with the final approver's own page permissions, so a reviewer
    taking the emergency step would need "publish" — which would also let them unpublish and
    publish outside any workflow. Approval in a workflow the page is routed to is the authority
    here; everything else about publishing (signals, logs, scheduling) is Wagtail's.
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
