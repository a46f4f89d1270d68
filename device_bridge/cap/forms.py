from django import forms
from django.utils.translation import gettext_lazy as _


class CapUploadForm(forms.Form):
    document = forms.FileField(
        label=_("Tệp cảnh báo CAP 1.2 (XML)"),
        help_text=_("Cảnh báo được kiểm tra theo lược đồ CAP 1.2 rồi thành bản tin nháp và vào quy trình duyệt."),
    )
