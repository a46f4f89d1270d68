"""E-mail to approvers when a listen-before-approve step waits for them, and to the author
when a workflow ends in approval, with every approver's comment.

Wagtail already mails group members when a step starts (GroupApprovalTask submission notifier,
which our listen-before-approve task inherits) and the author on rejection with the comment; its
approval mail omits comments, so that one notifier is replaced here.
"""

from wagtail.admin.mail import (
    GroupApprovalTaskStateSubmissionEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
)
from wagtail.models import TaskState, WorkflowState


class ApprovalWithCommentsEmailNotifier(WorkflowStateApprovalEmailNotifier):
    template_directory = "workflows/notifications/"

    def get_template_base_prefix(self, instance, **kwargs):
        return ""

    def get_context(self, workflow_state: WorkflowState, **kwargs):
        context = super().get_context(workflow_state, **kwargs)
        context["approvals"] = (
            workflow_state.task_states.filter(status=TaskState.STATUS_APPROVED)
            .select_related("task", "finished_by")
            .order_by("finished_at")
        )
        return context


class ListenStepSubmissionEmailNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    """Wagtail's group-step mail; its templates are named after TaskState, not our subclass."""

    def get_template_base_prefix(self, instance, **kwargs):
        return "task_state_"


approval_email_notifier = ApprovalWithCommentsEmailNotifier()
# Signals hold receivers weakly: keep the instances alive at module level.
listen_step_submission_email_notifier = ListenStepSubmissionEmailNotifier()


def notifiers_connect() -> None:
    """Take over Wagtail's approval notifier under its own dispatch uid: a signal keeps the
    first receiver registered for a uid, so Wagtail's later registration becomes a no-op."""
    from wagtail.signals import task_submitted, workflow_approved

    from .models import ListenApprovalTaskState

    # Wagtail connects its "a step waits for your group" mail for sender=TaskState only, and
    # task signals are sent with the specific class as sender.
    task_submitted.connect(
        listen_step_submission_email_notifier,
        sender=ListenApprovalTaskState,
        dispatch_uid="workflows_listen_step_submitted_email_notification",
    )
    uid = "workflow_state_approved_email_notification"
    workflow_approved.disconnect(sender=WorkflowState, dispatch_uid=uid)
    workflow_approved.connect(approval_email_notifier, sender=WorkflowState, dispatch_uid=uid)
