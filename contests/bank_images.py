"""Question images in the bank's Excel file (``contests.exports``).

Export: each question with an image gets, in its row, the column “Ảnh” naming the Wagtail image
as “<id>: <title>” and a small copy of the picture embedded in that cell (openpyxl drawing).

Import, per row:
- “Ảnh” filled: the image it names, by id (“12”, “12: Bản đồ xã”) or by its exact title, among
  the commune's images (its collection, see ``site_collection``); a picture embedded in the
  row is then ignored (a file exported here carries both);
- “Ảnh” empty and a picture embedded in the row: a new Wagtail image in the commune's
  collection, from that picture;
- neither: the question has no image. A file without the “Ảnh” column leaves images as they are.
Each problem is a row error in Vietnamese; nothing is written until every row is right.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils.translation import gettext as _
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import ARC_CONTENT_TYPES, IMAGE_NS
from openpyxl.xml.functions import fromstring
from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError
from wagtail.models import Collection, Site
from wagtail.permissions import policy_registry

COL_IMAGE = "Ảnh"
# The embedded copy: small enough that a bank of hundreds of questions stays a light file.
EXPORT_RENDITION = "max-240x160|format-png"
ROW_HEIGHT_POINTS_PER_PIXEL = 0.75
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
_REFERENCE_ID = re.compile(r"^#?(\d+)(?:\s*[:.\-–—]\s*.*)?$", re.DOTALL)


def site_collection(site: Site | None) -> Collection:
    """The commune's image collection: a top-level collection named like the site, else the
    root collection (one commune per installation)."""
    root = Collection.get_first_root_node()
    if site is not None:
        own = Collection.objects.child_of(root).filter(name=site.site_name).first()
        if own is not None:
            return own
    return root


def user_may_add_images(user, site: Site | None) -> bool:
    """Whether ``user`` may add images to the commune's collection (Wagtail's collection
    permissions: a grant on a parent collection covers it)."""
    policy = policy_registry.get_by_type(get_image_model())
    collection = site_collection(site)
    return policy.collections_user_has_permission_for(user, "add").filter(
        pk=collection.pk
    ).exists()


def commune_images(site: Site | None):
    collection = site_collection(site)
    return get_image_model().objects.filter(collection__path__startswith=collection.path)


def reference_text(image) -> str:
    return f"{image.pk}: {image.title}"


# --- export -----------------------------------------------------------------------------------


def embed(sheet, *, row: int, column: int, image) -> None:
    """Put a small copy of ``image`` in the cell; a missing source file embeds nothing (the
    reference in the cell still names the image)."""
    try:
        rendition = image.get_rendition(EXPORT_RENDITION)
        with rendition.file.open("rb") as handle:
            data = handle.read()
    except (SourceImageIOError, OSError):
        return
    picture = SheetImage(io.BytesIO(data))
    picture.anchor = f"{get_column_letter(column)}{row}"
    sheet.add_image(picture)
    height = rendition.height * ROW_HEIGHT_POINTS_PER_PIXEL + 4
    current = sheet.row_dimensions[row].height or 15
    sheet.row_dimensions[row].height = max(current, height)


# --- import -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageChoice:
    """What a row says about its question's image."""

    action: str  # "keep", "clear", "existing", "new"
    image_id: int | None = None
    data: bytes = b""
    extension: str = ""


KEEP = ImageChoice("keep")


class PicturesUnreadable(Exception):
    pass


def pictures_by_row(data: bytes) -> dict[int, list[bytes]]:
    """The pictures embedded in the file's first sheet, by the (1-based) row their top-left
    corner is in, as the bytes stored in the file.

    Read here rather than through openpyxl's loaded images: openpyxl silently drops a picture
    Pillow cannot open, and the organiser must hear about that row instead.
    """
    rows: dict[int, list[bytes]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
            parser = WorkbookParser(archive, _find_workbook_part(manifest).PartName[1:])
            parser.parse()
            sheet_rel = next((rel for _sheet, rel in parser.find_sheets()
                              if "chartsheet" not in rel.Type and rel.target in names), None)
            if sheet_rel is None or get_rels_path(sheet_rel.target) not in names:
                return rows
            for drawing_rel in get_dependents(archive, get_rels_path(sheet_rel.target)).find(
                SpreadsheetDrawing._rel_type
            ):
                drawing = SpreadsheetDrawing.from_tree(fromstring(archive.read(drawing_rel.target)))
                rels_path = get_rels_path(drawing_rel.target)
                deps = get_dependents(archive, rels_path) if rels_path in names else None
                for blip in drawing._blip_rels:
                    dep = deps.get(blip.embed) if deps is not None else None
                    start = getattr(blip.anchor, "_from", None)
                    if dep is None or dep.Type != IMAGE_NS or start is None:
                        continue  # not a picture, or one placed in no row
                    rows.setdefault(start.row + 1, []).append(
                        archive.read(dep.target) if dep.target in names else b""
                    )
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as err:
        raise PicturesUnreadable from err
    return rows


def _check_picture(data: bytes) -> tuple[str | None, str]:
    """(error, file extension) of an embedded picture."""
    max_size = getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
    if len(data) > max_size:
        return _("ảnh gắn trong dòng lớn quá %(mb)d MB.") % {"mb": max_size // (1024 * 1024)}, ""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
            width, height = picture.size
            picture.verify()
    except (UnidentifiedImageError, PILImage.DecompressionBombError, OSError, ValueError, SyntaxError):
        return _("ảnh gắn trong dòng không đọc được (chỉ nhận ảnh PNG, JPEG, GIF, WEBP)."), ""
    if kind not in ACCEPTED_FORMATS:
        return _("ảnh gắn trong dòng phải là PNG, JPEG, GIF hoặc WEBP."), ""
    max_pixels = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 128_000_000)
    if width * height > max_pixels:
        return _("ảnh gắn trong dòng có quá nhiều điểm ảnh."), ""
    return None, ACCEPTED_FORMATS[kind]


class ImageResolver:
    """Resolves each row's image against the commune's images, with one query per kind."""

    def __init__(self, site: Site | None):
        self.images = commune_images(site)
        self._titles: dict[str, list[int]] | None = None

    def _by_title(self, title: str) -> list[int]:
        if self._titles is None:
            self._titles = {}
            for pk, text in self.images.values_list("pk", "title"):
                self._titles.setdefault(" ".join(text.split()).casefold(), []).append(pk)
        return self._titles.get(" ".join(title.split()).casefold(), [])

    def choose(self, *, reference: str, pictures: list[bytes], has_column: bool):
        """(ImageChoice, error message or None) for one row."""
        if reference:
            match = _REFERENCE_ID.match(reference)
            if match:
                image_id = int(match[1])
                if not self.images.filter(pk=image_id).exists():
                    return None, _("không có ảnh mã %(id)d trong thư viện ảnh của xã.") % {"id": image_id}
                return ImageChoice("existing", image_id=image_id), None
            found = self._by_title(reference)
            if not found:
                return None, _("không tìm thấy ảnh tên “%(title)s” trong thư viện ảnh của xã.") % {
                    "title": reference}
            if len(found) > 1:
                return None, _("có %(n)d ảnh cùng tên “%(title)s”: ghi mã ảnh (ví dụ %(id)d) thay cho tên.") % {
                    "n": len(found), "title": reference, "id": found[0]}
            return ImageChoice("existing", image_id=found[0]), None
        if len(pictures) > 1:
            return None, _("mỗi dòng chỉ gắn một ảnh (dòng này có %(n)d ảnh).") % {"n": len(pictures)}
        if pictures:
            error, extension = _check_picture(pictures[0])
            if error:
                return None, error
            return ImageChoice("new", data=pictures[0], extension=extension), None
        return (ImageChoice("clear") if has_column else KEEP), None


def image_create(*, data: bytes, extension: str, title: str, site: Site | None):
    """A Wagtail image from an embedded picture, in the commune's collection."""
    image = get_image_model()(
        title=title[:255], collection=site_collection(site),
        file=ImageFile(io.BytesIO(data), name=f"cau-hoi.{extension}"),
    )
    image._set_image_file_metadata()
    image.save()
    return image
