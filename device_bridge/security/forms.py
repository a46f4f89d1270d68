"""Forms of the assessment screens; the services do the checks that need the database."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssessmentResult, ChecklistTemplate, Result


class AssessmentCreateForm(forms.Form):
    period = forms.CharField(label=_("Kỳ đánh giá"), max_length=120,
                             help_text=_("Ví dụ: 6 tháng đầu năm 2026."))
    template = forms.ModelChoiceField(label=_("Mẫu danh mục kiểm tra"),
                                      queryset=ChecklistTemplate.objects.none(),
                                      empty_label=None)
    number_symbol = forms.CharField(label=_("Số, ký hiệu báo cáo"), max_length=60,
                                    required=False, help_text=_("Ví dụ: 12/BC-TTDVSNC."))

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(site=site)


class AssessmentEditForm(forms.Form):
    number_symbol = forms.CharField(label=_("Số, ký hiệu báo cáo"), max_length=60,
                                    required=False)
    summary = forms.CharField(label=_("Kết luận, kiến nghị"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Mỗi dòng là một đoạn trong phần Kiến nghị."))


class ResultForm(forms.ModelForm):
    status = forms.ChoiceField(label=_("Kết quả"), choices=Result.choices)

    class Meta:
        model = AssessmentResult
        fields = ["status", "evidence", "finding", "remediation", "owner", "due_date",
                  "resolved_on"]
        widgets = {
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "finding": forms.Textarea(attrs={"rows": 2}),
            "remediation": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "resolved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class SignOffForm(forms.Form):
    on_behalf = forms.CharField(label=_("Thẩm quyền ký"), max_length=80, required=False,
                                initial="TM. ỦY BAN NHÂN DÂN",
                                help_text=_("Ví dụ: TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH."))
    title = forms.CharField(label=_("Chức vụ người ký"), max_length=80, initial="CHỦ TỊCH")
    name = forms.CharField(label=_("Họ tên người ký"), max_length=120)
    confirm = forms.BooleanField(
        label=_("Tôi đã xem kết quả; sau khi ký duyệt, đợt đánh giá không sửa được nữa."))
