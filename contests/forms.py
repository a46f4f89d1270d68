"""The resident's registration form (phiếu đăng ký dự thi)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content_types.snippets import Zone

from .services import InvalidPhone, phone_normalise

HONEYPOT_FIELD = "website"


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại.")},
    )
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), min_value=1900,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Vui lòng nhập năm sinh."),
            "invalid": _("Năm sinh phải là một số, ví dụ 1985."),
            "min_value": _("Năm sinh không hợp lệ."),
        },
    )
    zone = forms.ModelChoiceField(
        label=_("Thôn / tổ dân phố"), queryset=Zone.objects.none(), required=False,
        empty_label=_("— Chọn thôn / tổ dân phố —"),
    )
    unit = forms.CharField(
        label=_("Hoặc đơn vị (cơ quan, trường học, chi hội…)"), max_length=200, required=False
    )
    consent_rules = forms.BooleanField(
        label=_("Tôi đã đọc và đồng ý với thể lệ cuộc thi."),
        error_messages={"required": _("Cần đồng ý với thể lệ để dự thi.")},
    )
    consent_personal_data = forms.BooleanField(
        label=_(
            "Tôi đồng ý để Ban tổ chức dùng họ tên, số điện thoại, năm sinh và nơi ở của tôi "
            "chỉ để tổ chức cuộc thi, liên hệ, trao giải và công bố họ tên, nơi ở nếu đoạt giải; "
            "tôi có thể yêu cầu xoá các dữ liệu này."
        ),
        error_messages={"required": _("Cần đồng ý việc sử dụng dữ liệu cá nhân để dự thi.")},
    )
    # Hidden from people by CSS and from screen readers; bots fill every text box they find.
    website = forms.CharField(
        label=_("Để trống ô này"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(is_active=True).order_by("name")
        self.fields["birth_year"].max_value = timezone.localdate().year
        self.fields["birth_year"].widget.attrs["max"] = timezone.localdate().year

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def clean_phone(self):
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except InvalidPhone as err:
            raise forms.ValidationError(err.message) from err

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("Năm sinh không hợp lệ."))
        return year

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("zone") and not (cleaned.get("unit") or "").strip():
            self.add_error("zone", _("Vui lòng chọn thôn / tổ dân phố hoặc ghi tên đơn vị."))
        return cleaned
