"""Forms of the live operations screen (điều khiển trực tiếp)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from content_types.snippets import Zone

from ..models import SpeakerCluster
from .conf import setting

#: Host names that always mean "this machine or its network", whatever DNS says.
LOCAL_HOST_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home.arpa", ".localdomain")


def stream_url_validate(value: str) -> str:
    """An http(s) stream a cluster may fetch: no other scheme, no loopback, private, link-local
    or reserved address, no local host name. (Clusters fetch it, not the server; what is
    refused here is pointing the commune's speakers into someone's internal network.)"""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("Địa chỉ luồng phát phải bắt đầu bằng http:// hoặc https://."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ValidationError(_("Địa chỉ luồng phát thiếu tên máy chủ."))
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if not address.is_global or address.is_multicast:
            raise ValidationError(_("Không được tiếp sóng từ địa chỉ nội bộ (%(host)s).") % {"host": host})
    elif host == "localhost" or host.endswith(LOCAL_HOST_SUFFIXES) or "." not in host:
        raise ValidationError(_("Không được tiếp sóng từ máy chủ nội bộ (%(host)s).") % {"host": host})
    return value.strip()


def _zone_field():
    return forms.ModelChoiceField(
        queryset=Zone.objects.filter(is_active=True), required=False, label=_("Thôn / tổ dân phố"),
        empty_label=_("Toàn xã (mọi cụm loa)"),
        error_messages={"invalid_choice": _("Thôn không tồn tại hoặc đã ngừng sử dụng.")},
    )


class PlayNowForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="play_now")
    zone = _zone_field()
    page = forms.ModelChoiceField(
        queryset=None, label=_("Bản tin"),
        error_messages={"required": _("Hãy chọn bản tin cần phát."),
                        "invalid_choice": _("Bản tin không tồn tại hoặc không còn được xuất bản.")},
    )

    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        from content_types.models import BulletinPage
        from content_types.selectors import public_pages

        self.fields["page"].queryset = public_pages(
            BulletinPage.objects.all(), site=site
        ).specific().order_by("-last_published_at")
        self.fields["page"].label_from_instance = lambda page: page.title


class VolumeForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="volume")
    zone = _zone_field()
    cluster = forms.ModelChoiceField(
        queryset=SpeakerCluster.objects.filter(is_active=True), required=False,
        label=_("hoặc một cụm loa"), empty_label=_("(theo thôn đã chọn)"),
        error_messages={"invalid_choice": _("Cụm loa không tồn tại hoặc đã ngừng hoạt động.")},
    )
    volume = forms.IntegerField(
        label=_("Âm lượng (0–100)"), min_value=0, max_value=100,
        error_messages={"required": _("Hãy nhập âm lượng."),
                        "invalid": _("Âm lượng phải là số từ 0 đến 100."),
                        "min_value": _("Âm lượng phải từ 0 đến 100."),
                        "max_value": _("Âm lượng phải từ 0 đến 100.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("zone") and cleaned.get("cluster"):
            raise ValidationError(_("Chọn một thôn hoặc một cụm loa, không chọn cả hai."))
        return cleaned


class RelayForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="relay")
    zone = _zone_field()
    title = forms.CharField(label=_("Tên chương trình"), max_length=120,
                            error_messages={"required": _("Hãy đặt tên chương trình tiếp sóng.")})
    stream_url = forms.CharField(label=_("Địa chỉ luồng phát"), max_length=500,
                                 validators=[stream_url_validate],
                                 error_messages={"required": _("Hãy nhập địa chỉ luồng phát.")})
    minutes = forms.IntegerField(
        label=_("Thời lượng (phút)"), min_value=1, initial=30,
        error_messages={"required": _("Hãy nhập thời lượng."),
                        "invalid": _("Thời lượng phải là số phút."),
                        "min_value": _("Thời lượng phải từ 1 phút.")},
    )

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes > setting("RELAY_MAX_MINUTES"):
            raise ValidationError(_("Thời lượng tối đa %(max)s phút.") % {"max": setting("RELAY_MAX_MINUTES")})
        return minutes
