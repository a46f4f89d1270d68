"""Linking a staff member's Zalo account to their admin account, without code.

The admin page "Liên kết Zalo" issues a one-time code (:func:`staff_link_code_issue`); the staff
member sends ``LIENKET <code>`` to the commune's OA; the webhook's text processing hands the
message to :func:`staff_link_message_handle`, which links the sender's Zalo user id, opens no
feedback thread, and answers in Zalo. Codes are random, kept only as a keyed hash, single use
and valid for :data:`CODE_LIFETIME`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from . import facts
from .errors import ZaloError
from .models import StaffZaloLink

logger = logging.getLogger(__name__)

CODE_LIFETIME = dt.timedelta(minutes=30)
CODE_LENGTH = 8
#: Without 0/O, 1/I/L: the code is read on one screen and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: The keyword, written with or without diacritics, spaces or case: "LIENKET", "Liên kết".
KEYWORD = "LIENKET"
#: Only the keyword alone or followed by a code of the issued shape: "Liên kết giao thông bị
#: hỏng" is a citizen's feedback, not a command.
_COMMAND = re.compile(r"^LIEN\s*KET(?:[\s:#\-]*([A-Z0-9]{4})[\s\-]?([A-Z0-9]{4}))?[\s.!]*$")


def _fold(text: str) -> str:
    """Upper case without Vietnamese diacritics ("Liên kết" -> "LIEN KET")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).upper().strip()


def link_command(text: str) -> str | None:
    """The code of a ``LIENKET <code>`` message ("" when the code is missing), or None when the
    message is not a link command (then it is a citizen's feedback)."""
    match = _COMMAND.match(_fold(text or ""))
    if match is None:
        return None
    return "".join(part or "" for part in match.groups())


def code_hash(code: str) -> str:
    return salted_hmac("device_bridge.zalo.staff_link", code.upper(), algorithm="sha256").hexdigest()


def code_display(code: str) -> str:
    """``ABCD2345`` -> ``ABCD-2345`` (the dash is optional when typed back)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


# --- Writes ------------------------------------------------------------------------------


def staff_link_code_issue(*, site, user, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A fresh one-time code for ``user`` on ``site`` (the previous one stops working) and
    when it expires. An existing link stays until the code is used."""
    now = now or timezone.now()
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    expires_at = now + CODE_LIFETIME
    StaffZaloLink.objects.update_or_create(
        site=site, user=user, defaults={"code_hash": code_hash(code), "code_expires_at": expires_at}
    )
    return code, expires_at


def staff_link_remove(*, site, user) -> bool:
    """Forget ``user``'s Zalo account on ``site`` (and any pending code)."""
    deleted, _rows = StaffZaloLink.objects.filter(site=site, user=user).delete()
    return bool(deleted)


def staff_link_message_handle(*, site, zalo_user_id: str, text: str,
                              now: dt.datetime | None = None) -> bool:
    """Handle a ``LIENKET`` message sent to the OA; False when ``text`` is not one (the caller
    then treats it as feedback). Answers the sender in Zalo after commit, whatever the outcome."""
    code = link_command(text)
    if code is None:
        return False
    now = now or timezone.now()
    window_end = timezone.localtime(now + dt.timedelta(days=facts.CS_MAX_DAYS))
    if not code:
        link = (StaffZaloLink.objects.filter(site=site, zalo_user_id=zalo_user_id)
                .select_related("user").first())
        if link is not None:
            # A linked staff member renewing Zalo's 7-day window (docs/zalo.md).
            reply = _("Tài khoản Zalo này đang liên kết với cán bộ %(name)s. Anh/chị sẽ nhận được "
                      "cảnh báo bản tin khẩn cấp đến %(until)s; nhắn “LIENKET” trước ngày đó để "
                      "tiếp tục nhận.") % {"name": _staff_name(link.user),
                                          "until": window_end.strftime("%d/%m/%Y %H:%M")}
        else:
            reply = _("Để liên kết Zalo với tài khoản quản trị, vào trang quản trị → Tài khoản → "
                      "Thao tác khác → “Liên kết Zalo”, lấy mã rồi nhắn: LIENKET <mã>.")
        _reply_on_commit(site, zalo_user_id, reply)
        return True
    with transaction.atomic():
        link = (StaffZaloLink.objects.select_for_update()
                .filter(site=site, code_hash=code_hash(code)).select_related("user").first())
        if link is None or link.code_expires_at is None or link.code_expires_at <= now:
            if link is not None:  # expired: single use, even for a late try
                StaffZaloLink.objects.filter(pk=link.pk).update(code_hash="", code_expires_at=None)
            logger.warning("Zalo staff link: %s code from Zalo user %s on site %s refused",
                           "expired" if link is not None else "unknown or used",
                           zalo_user_id, site.pk)
            reply = _("Mã liên kết không đúng, đã dùng hoặc đã hết hạn (mã chỉ dùng được một lần "
                      "trong %(minutes)s phút). Hãy lấy mã mới trong trang quản trị → Tài khoản → "
                      "Thao tác khác → “Liên kết Zalo”.") % {"minutes": int(CODE_LIFETIME.total_seconds() // 60)}
        else:
            # One Zalo account alerts one staff member per site: a new link moves it.
            moved = (StaffZaloLink.objects.filter(site=site, zalo_user_id=zalo_user_id)
                     .exclude(pk=link.pk).update(zalo_user_id="", linked_at=None))
            if moved:
                logger.warning("Zalo staff link: Zalo user %s moved to user %s on site %s",
                               zalo_user_id, link.user_id, site.pk)
            link.zalo_user_id = zalo_user_id
            link.linked_at = now
            link.code_hash = ""
            link.code_expires_at = None
            link.save(update_fields=["zalo_user_id", "linked_at", "code_hash", "code_expires_at"])
            logger.info("Zalo staff link: user %s linked to Zalo user %s on site %s",
                        link.user_id, zalo_user_id, site.pk)
            reply = _("Đã liên kết Zalo với tài khoản %(name)s. Anh/chị sẽ nhận được cảnh báo khi "
                      "có bản tin khẩn cấp chờ duyệt. Zalo chỉ cho phép gửi trong 7 ngày kể từ lần "
                      "cuối anh/chị nhắn cho OA: nhắn “LIENKET” mỗi tuần để tiếp tục nhận.") % {
                "name": _staff_name(link.user)}
    _reply_on_commit(site, zalo_user_id, reply)
    return True


def _staff_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _reply_on_commit(site, zalo_user_id: str, text: str) -> None:
    transaction.on_commit(lambda: staff_link_reply(site=site, zalo_user_id=zalo_user_id, text=text))


def staff_link_reply(*, site, zalo_user_id: str, text: str) -> bool:
    """Answer a link command in Zalo; a failure is logged, never raised (the link holds)."""
    from .client import client_for_site

    try:
        with client_for_site(site) as client:
            client.send_text(zalo_user_id, text)
    except ZaloError as err:
        logger.warning("Zalo staff link: could not answer Zalo user %s on site %s: %s",
                       zalo_user_id, site.pk, err)
        return False
    return True


# --- Reads -------------------------------------------------------------------------------


def staff_links_for(*, site, users) -> list[StaffZaloLink]:
    """The linked Zalo accounts of ``users`` on ``site``, one query."""
    return list(
        StaffZaloLink.objects.filter(site=site, user__in=[user.pk for user in users])
        .exclude(zalo_user_id="").select_related("user").order_by("user_id")
    )
