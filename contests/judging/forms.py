"""The public forms of a judged competition: a team's registration and its entry."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contests.services import InvalidPhone, phone_normalise

from .models import Entry
from .validators import validate_audio, validate_document, validate_video_url

HONEYPOT_FIELD = "website"


class HoneypotMixin(forms.Form):
    # Hidden from people by CSS and from screen readers; bots fill every text box they find.
    website = forms.CharField(
        label=_("Để trống ô này"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())


class TeamRegistrationForm(HoneypotMixin):
    name = forms.CharField(
        label=_("Tên đội"), max_length=150,
        error_messages={"required": _("Vui lòng nhập tên đội.")},
    )
    unit = forms.CharField(
        label=_("Đơn vị (thôn, tổ dân phố, cơ quan…)"), max_length=200,
        error_messages={"required": _("Vui lòng nhập tên đơn vị.")},
    )
    members = forms.CharField(
        label=_("Thành viên (mỗi người một dòng: họ tên, chức vụ)"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Vui lòng ghi tên các thành viên.")},
    )
    contact_phone = forms.CharField(
        label=_("Số điện thoại liên hệ"), max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại liên hệ.")},
    )
    contact_email = forms.EmailField(
        label=_("Thư điện tử (không bắt buộc)"), required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    consent_rules = forms.BooleanField(
        label=_("Đội đã đọc và đồng ý với thể lệ hội thi; Ban tổ chức chỉ dùng thông tin liên hệ "
                "để tổ chức hội thi."),
        error_messages={"required": _("Cần đồng ý với thể lệ để đăng ký.")},
    )
    field_order = ["name", "unit", "members", "contact_phone", "contact_email", "consent_rules",
                   "website"]

    def clean_contact_phone(self):
        try:
            return phone_normalise(self.cleaned_data["contact_phone"])
        except InvalidPhone as err:
            raise forms.ValidationError(err.message) from err


class EntryForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label=_("Hình thức bài dự thi"), choices=Entry.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn hình thức bài dự thi.")},
    )
    title = forms.CharField(
        label=_("Tên bài dự thi"), max_length=200,
        error_messages={"required": _("Vui lòng nhập tên bài dự thi.")},
    )
    text = forms.CharField(
        label=_("Nội dung (với bài viết)"), max_length=20000, required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    file = forms.FileField(
        label=_("Tệp (PDF, Word, PowerPoint, Excel, ảnh JPG/PNG)"), required=False,
        validators=[validate_document],
    )
    audio = forms.FileField(
        label=_("Bản ghi âm (MP3, M4A, WAV, OGG)"), required=False, validators=[validate_audio],
    )
    video_url = forms.URLField(
        label=_("Đường dẫn video (YouTube, Facebook, TikTok, Vimeo, Google Drive)"),
        required=False, max_length=500, assume_scheme="https", validators=[validate_video_url],
        error_messages={"invalid": _("Đường dẫn video không hợp lệ.")},
    )
    field_order = ["kind", "title", "text", "file", "audio", "video_url", "website"]

    REQUIRED_BY_KIND = {
        Entry.Kind.TEXT: ("text", _("Vui lòng nhập nội dung bài viết.")),
        Entry.Kind.FILE: ("file", _("Vui lòng chọn tệp bài dự thi.")),
        Entry.Kind.AUDIO: ("audio", _("Vui lòng chọn tệp ghi âm.")),
        Entry.Kind.VIDEO: ("video_url", _("Vui lòng dán đường dẫn video.")),
    }

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in self.REQUIRED_BY_KIND:
            name, message = self.REQUIRED_BY_KIND[kind]
            if name not in self.errors and not cleaned.get(name):
                self.add_error(name, message)
            # Only what the chosen kind asks for is kept.
            for other, _message in self.REQUIRED_BY_KIND.values():
                if other != name:
                    cleaned[other] = None if other in ("file", "audio") else ""
        return cleaned
