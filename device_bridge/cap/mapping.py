"""From a valid CAP ``<alert>`` to what a bulletin needs: pure functions, no database writes."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from content_types.models import Priority

from .validation import CAP_NS

_NS = {"cap": CAP_NS}


@dataclass
class CapArea:
    description: str
    geocodes: list[str] = field(default_factory=list)


@dataclass
class CapInfo:
    language: str
    event: str
    urgency: str
    severity: str
    headline: str = ""
    description: str = ""
    instruction: str = ""
    sender_name: str = ""
    effective: dt.datetime | None = None
    expires: dt.datetime | None = None
    areas: list[CapArea] = field(default_factory=list)


@dataclass
class CapMessage:
    identifier: str
    sender: str
    sent: dt.datetime
    status: str
    msg_type: str
    scope: str
    references: list[tuple[str, str, str]]
    infos: list[CapInfo]

    def info_for(self, language: str = "vi") -> CapInfo | None:
        """The info block in ``language`` if there is one, else the first (CAP's default, en-US)."""
        for info in self.infos:
            if info.language.lower().startswith(language):
                return info
        return self.infos[0] if self.infos else None


def _text(node, path: str) -> str:
    found = node.find(path, _NS)
    return " ".join((found.text or "").split()) if found is not None else ""


def _block(node, path: str) -> str:
    """Free text with its paragraph breaks kept and each line's indentation dropped."""
    found = node.find(path, _NS)
    if found is None or not found.text:
        return ""
    lines = [" ".join(line.split()) for line in found.text.strip().splitlines()]
    return " ".join(line for line in lines if line)


def _when(node, path: str) -> dt.datetime | None:
    value = _text(node, path)
    # The schema has already checked the form (xs:dateTime with an offset, per CAP 1.2 §3.3.2).
    return dt.datetime.fromisoformat(value) if value else None


def cap_message(root) -> CapMessage:
    references = []
    for ref in _text(root, "cap:references").split():
        parts = ref.split(",")
        if len(parts) == 3:
            references.append((parts[0], parts[1], parts[2]))
    infos = []
    for info in root.findall("cap:info", _NS):
        areas = [
            CapArea(
                description=_text(area, "cap:areaDesc"),
                geocodes=[_text(code, "cap:value") for code in area.findall("cap:geocode", _NS)],
            )
            for area in info.findall("cap:area", _NS)
        ]
        infos.append(CapInfo(
            language=_text(info, "cap:language") or "en-US",
            event=_text(info, "cap:event"),
            urgency=_text(info, "cap:urgency"),
            severity=_text(info, "cap:severity"),
            headline=_text(info, "cap:headline"),
            description=_block(info, "cap:description"),
            instruction=_block(info, "cap:instruction"),
            sender_name=_text(info, "cap:senderName"),
            effective=_when(info, "cap:onset") or _when(info, "cap:effective"),
            expires=_when(info, "cap:expires"),
            areas=areas,
        ))
    return CapMessage(
        identifier=_text(root, "cap:identifier"),
        sender=_text(root, "cap:sender"),
        sent=_when(root, "cap:sent"),
        status=_text(root, "cap:status"),
        msg_type=_text(root, "cap:msgType"),
        scope=_text(root, "cap:scope"),
        references=references,
        infos=infos,
    )


def _values(setting: str) -> set[str]:
    return {value.strip().lower() for value in setting.split(",") if value.strip()}


def cap_priority(*, urgency: str, severity: str, mapping) -> str:
    """khẩn cấp when both urgency and severity are in the emergency lists, ưu tiên when severity
    is in the priority list, thường otherwise (``mapping`` is a ``CapSettings``)."""
    if urgency.lower() in _values(mapping.emergency_urgencies) and severity.lower() in _values(
        mapping.emergency_severities
    ):
        return Priority.EMERGENCY
    if severity.lower() in _values(mapping.priority_severities):
        return Priority.PRIORITY
    return Priority.NORMAL


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), spaces collapsed: how area names are compared."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def zones_for_areas(areas: list[CapArea], zones) -> tuple[list, list[str]]:
    """The zones the areas name (a zone's name inside an areaDesc, or its code as a geocode,
    ignoring case and diacritics), and the area descriptions that named none."""
    matched, unmatched = [], []
    for area in areas:
        described = fold(area.description)
        codes = {fold(code) for code in area.geocodes}
        hits = [
            zone for zone in zones
            if fold(zone.code) in codes or (fold(zone.name) and _contains_words(described, fold(zone.name)))
        ]
        if hits:
            matched.extend(zone for zone in hits if zone not in matched)
        else:
            unmatched.append(area.description)
    return matched, unmatched


def _words(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def _contains_words(haystack: str, needle: str) -> bool:
    """``needle`` appears in ``haystack`` as whole words ("thon dong" is not in "thon dongxa")."""
    return f" {_words(needle)} " in f" {_words(haystack)} "
