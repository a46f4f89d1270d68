from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from content_types.snippets import Category
from device_bridge.zalo import facts
from workflows import roles

from .models import Feedback

REPLY_MAX_CHARS = facts.CS_TEXT_MAX


def officers():
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(groups__name__in=(roles.FEEDBACK_OFFICER, roles.ADMINISTRATOR)) | Q(is_superuser=True))
        .distinct().order_by("first_name", "username")
    )


class FeedbackHandleForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["status", "department", "assignee", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = officers()
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.username


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung trả lời"),
        max_length=REPLY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "id": "id_reply_text"}),
    )


class BulletinDraftForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề bản tin"), max_length=255)
    category = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Category.objects.all())
    text = forms.CharField(
        label=_("Nội dung phát thanh"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Chỉ giữ phần có ích cho mọi người; bỏ tên và thông tin riêng của người dân."),
    )
