"""Admin view of the CAP app: upload an alert, see what was taken in for this site."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Site

from . import selectors
from .forms import CapUploadForm
from .models import CapAlert
from .services import cap_import
from .validation import CapInvalid, max_bytes

UPLOAD_PERMISSION = "cap.add_capalert"


def current_site(request) -> Site:
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise PermissionDenied
    return site


def upload_view(request):
    if not request.user.has_perm(UPLOAD_PERMISSION):
        raise PermissionDenied
    site = current_site(request)
    form = CapUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        # One byte past the limit is enough to know the file is too big; never read it all.
        data = upload.read(max_bytes() + 1)
        try:
            result = cap_import(data=data, site=site, user=request.user, origin=CapAlert.Origin.UPLOAD)
        except CapInvalid as err:
            form.add_error("document", _("Không nhập được “%(name)s”: %(error)s") % {
                "name": upload.name, "error": err})
        else:
            (messages.success if result.created else messages.warning)(request, result.message)
            return redirect("cap_admin:upload")
    return TemplateResponse(request, "cap/upload.html", {
        "form": form, "alerts": selectors.alerts_recent(site=site),
    })
