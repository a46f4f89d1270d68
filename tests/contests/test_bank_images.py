"""Question images in the bank's Excel file (``contests/bank_images.py``): the export names each
image and embeds a copy in its row; the import takes an image by id or title, or a picture
embedded in the row (a new Wagtail image in the commune's collection), and names the row and
the problem of a missing or unreadable one."""

import io

import pytest
from django.core.files.images import ImageFile
from openpyxl import load_workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.utils import get_column_letter
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from contests.bank_images import COL_IMAGE, pictures_by_row, site_collection
from contests.exports import BANK_COLUMNS, BankImportError, bank_export, bank_import
from contests.models import Question

from .builders import make_contest

pytestmark = pytest.mark.django_db

IMAGE_COLUMN = BANK_COLUMNS.index(COL_IMAGE) + 1


def png(colour, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def wagtail_image(title, colour="red", collection=None):
    image = get_image_model()(title=title, collection=collection or Collection.get_first_root_node(),
                              file=ImageFile(io.BytesIO(png(colour)), name=f"{title}.png"))
    image.save()
    return image


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def bank(site_tree, media):
    contest = make_contest(site_tree.home, questions=3, per_attempt=2)
    questions = list(Question.objects.filter(contest=contest).order_by("id"))
    map_image = wagtail_image("Bản đồ xã Chí Minh")
    questions[0].image = map_image
    questions[0].save()
    return contest, questions, map_image


def workbook_of(data):
    workbook = load_workbook(io.BytesIO(data))
    return workbook, workbook.active


def to_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_export_names_the_image_and_embeds_it_in_its_row(bank):
    contest, questions, map_image = bank
    workbook, sheet = workbook_of(bank_export(contest))
    assert sheet.cell(1, IMAGE_COLUMN).value == "Ảnh"
    assert sheet.cell(2, IMAGE_COLUMN).value == f"{map_image.pk}: Bản đồ xã Chí Minh"
    assert sheet.cell(3, IMAGE_COLUMN).value is None
    assert [(p.anchor._from.row + 1, p.anchor._from.col + 1) for p in sheet._images] == [(2, IMAGE_COLUMN)]
    embedded = PILImage.open(io.BytesIO(sheet._images[0]._data()))
    assert embedded.size == (40, 30) and embedded.getpixel((5, 5)) == (255, 0, 0)


def test_round_trip_keeps_images_and_adds_embedded_and_referenced_ones(bank):
    contest, questions, map_image = bank
    images_before = get_image_model().objects.count()
    # Unchanged, the exported file imports back to the same images and creates none.
    report = bank_import(contest=contest, data=bank_export(contest))
    assert (report.updated, report.images_created) == (3, 0)
    assert get_image_model().objects.count() == images_before
    assert Question.objects.get(pk=questions[0].pk).image_id == map_image.pk

    poster = wagtail_image("Áp phích tuyên truyền", colour="blue")
    workbook, sheet = workbook_of(bank_export(contest))
    # Row 2 (question 1): the organiser deletes the reference and its picture: no image.
    sheet.cell(2, IMAGE_COLUMN).value = None
    sheet._images = []
    # Row 3 (question 2): a new picture pasted into the row.
    picture = SheetImage(io.BytesIO(png("green", (64, 48))))
    picture.anchor = f"{get_column_letter(IMAGE_COLUMN)}3"
    sheet.add_image(picture)
    # Row 4 (question 3): an existing image named by its title, in any case.
    sheet.cell(4, IMAGE_COLUMN).value = "áp phích TUYÊN TRUYỀN"
    report = bank_import(contest=contest, data=to_bytes(workbook))
    assert report.images_created == 1
    first, second, third = Question.objects.filter(contest=contest).order_by("id")
    assert first.image is None
    assert third.image_id == poster.pk
    created = second.image
    assert (created.width, created.height) == (64, 48)
    assert created.collection == Collection.get_first_root_node()
    assert created.title.startswith("Ảnh câu hỏi: ")
    with created.open_file() as handle:
        assert PILImage.open(handle).getpixel((1, 1)) == (0, 128, 0)
    # And back out again: the new image is named and embedded in its row.
    _workbook, sheet = workbook_of(bank_export(contest))
    assert sheet.cell(3, IMAGE_COLUMN).value == f"{created.pk}: {created.title}"
    assert [p.anchor._from.row + 1 for p in sheet._images] == [3, 4]


def test_a_new_picture_goes_to_the_communes_collection(bank, site_tree):
    contest, questions, _map = bank
    own = Collection.get_first_root_node().add_child(name=contest.get_site().site_name)
    assert site_collection(contest.get_site()) == own
    workbook, sheet = workbook_of(bank_export(contest))
    sheet.cell(2, IMAGE_COLUMN).value = None
    sheet._images = []
    picture = SheetImage(io.BytesIO(png("white")))
    picture.anchor = f"{get_column_letter(IMAGE_COLUMN)}2"
    sheet.add_image(picture)
    bank_import(contest=contest, data=to_bytes(workbook))
    assert Question.objects.get(pk=questions[0].pk).image.collection == own


def test_missing_or_invalid_images_are_row_errors_and_nothing_is_imported(bank):
    contest, questions, map_image = bank
    elsewhere = Collection.get_first_root_node().add_child(name="Xã bên cạnh")
    Collection.get_first_root_node().add_child(name=contest.get_site().site_name)
    foreign = wagtail_image("Ảnh của xã khác", collection=elsewhere)
    wagtail_image("Trùng tên")
    workbook, sheet = workbook_of(bank_export(contest))
    sheet.cell(2, 2).value = "Câu hỏi đã sửa"
    sheet.cell(3, IMAGE_COLUMN).value = "99999"
    sheet.cell(4, IMAGE_COLUMN).value = "Ảnh không có"
    sheet.append(["", "Câu mới 1", "Một đáp án", "Có", "Không", *[""] * 6, "A", "", "có", f"{foreign.pk}: Ảnh của xã khác"])
    sheet.append(["", "Câu mới 2", "Một đáp án", "Có", "Không", *[""] * 6, "A", "", "có", ""])
    two = [SheetImage(io.BytesIO(png("black"))), SheetImage(io.BytesIO(png("gray")))]
    for picture in two:
        picture.anchor = f"{get_column_letter(IMAGE_COLUMN)}6"
        sheet.add_image(picture)
    with pytest.raises(BankImportError) as caught:
        bank_import(contest=contest, data=to_bytes(workbook))
    messages = [str(e) for e in caught.value.errors]
    # The commune's own collection exists now: the map (in the root) is not the commune's either.
    assert messages == [
        f"Dòng 2, cột “Ảnh”: không có ảnh mã {map_image.pk} trong thư viện ảnh của xã.",
        "Dòng 3, cột “Ảnh”: không có ảnh mã 99999 trong thư viện ảnh của xã.",
        "Dòng 4, cột “Ảnh”: không tìm thấy ảnh tên “Ảnh không có” trong thư viện ảnh của xã.",
        f"Dòng 5, cột “Ảnh”: không có ảnh mã {foreign.pk} trong thư viện ảnh của xã.",
        "Dòng 6, cột “Ảnh”: mỗi dòng chỉ gắn một ảnh (dòng này có 2 ảnh).",
    ]
    assert not Question.objects.filter(text__in=["Câu hỏi đã sửa", "Câu mới 1", "Câu mới 2"]).exists()


def test_an_unreadable_embedded_picture_names_its_row(bank):
    contest, _questions, _map = bank
    workbook, sheet = workbook_of(bank_export(contest))
    sheet.cell(2, IMAGE_COLUMN).value = None
    data = to_bytes(workbook)
    # Corrupt the stored picture itself (openpyxl alone would silently drop it).
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/media/"):
                body = b"not a picture at all"
            target.writestr(item, body)
    assert pictures_by_row(out.getvalue()) == {2: [b"not a picture at all"]}
    with pytest.raises(BankImportError) as caught:
        bank_import(contest=contest, data=out.getvalue())
    assert [str(e) for e in caught.value.errors] == [
        "Dòng 2, cột “Ảnh”: ảnh gắn trong dòng không đọc được (chỉ nhận ảnh PNG, JPEG, GIF, WEBP)."
    ]


def test_two_images_with_one_title_ask_for_the_id(bank):
    contest, _questions, _map = bank
    first = wagtail_image("Trùng tên")
    wagtail_image("Trùng tên")
    workbook, sheet = workbook_of(bank_export(contest))
    sheet.cell(3, IMAGE_COLUMN).value = "Trùng tên"
    with pytest.raises(BankImportError) as caught:
        bank_import(contest=contest, data=to_bytes(workbook))
    assert [str(e) for e in caught.value.errors] == [
        f"Dòng 3, cột “Ảnh”: có 2 ảnh cùng tên “Trùng tên”: ghi mã ảnh (ví dụ {first.pk}) thay cho tên."
    ]


def test_only_users_who_may_add_images_create_them_through_the_bank(bank, client):
    from django.contrib.auth.models import Group, Permission
    from django.urls import reverse

    from tests.workflows.helpers import make_user
    from workflows import roles

    contest, questions, _map = bank
    workbook, sheet = workbook_of(bank_export(contest))
    sheet.cell(2, IMAGE_COLUMN).value = None
    data = to_bytes(workbook)
    url = reverse("contests_admin:bank", args=[contest.pk])

    bank_only = Group.objects.create(name="Chỉ sửa ngân hàng")
    bank_only.permissions.add(*Permission.objects.filter(
        codename__in=["access_admin", "change_question"], content_type__app_label__in=["wagtailadmin", "contests"]))
    client.force_login(make_user("chisua", "Chỉ sửa ngân hàng"))
    response = client.post(url, {"file": _upload(data)})
    assert response.status_code == 400
    assert "Dòng 2, cột “Ảnh”: bạn không có quyền thêm ảnh vào thư viện ảnh của xã." in response.content.decode()
    images = get_image_model().objects.count()

    client.force_login(make_user("bientap", roles.EDITOR))
    response = client.post(url, {"file": _upload(data)})
    assert response.status_code == 302
    assert get_image_model().objects.count() == images + 1


def _upload(data):
    upload = io.BytesIO(data)
    upload.name = "ngan-hang.xlsx"
    return upload
