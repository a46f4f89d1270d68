"""Upload limits for documents and images (issue 8, item 21)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from tests.workflows.helpers import make_user
from workflows import roles

MB = 1024 * 1024


@pytest.fixture
def editor_client(client, site_tree):
    client.force_login(make_user("bientap", roles.EDITOR))
    return client


@pytest.mark.django_db
def test_an_oversized_document_is_refused_with_a_vietnamese_error(editor_client, settings):
    # Regression: documents had no size limit at all (Wagtail's default is None).
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 20 * MB
    big = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n" + b"0" * (21 * MB), "application/pdf")
    response = editor_client.post(
        reverse("wagtaildocs:add"), {"title": "Báo cáo", "file": big, "collection": 1}
    )
    assert response.status_code == 200
    assert "Tệp quá lớn (21,0\xa0MB). Dung lượng tối đa 20,0\xa0MB." in response.content.decode()
    assert not get_document_model().objects.exists()


@pytest.mark.django_db
def test_a_document_under_the_limit_is_accepted(editor_client):
    small = SimpleUploadedFile("lich.pdf", b"%PDF-1.4\n" + b"0" * 1024, "application/pdf")
    response = editor_client.post(
        reverse("wagtaildocs:add"), {"title": "Lịch", "file": small, "collection": 1}
    )
    assert response.status_code == 302
    assert get_document_model().objects.filter(title="Lịch").exists()


@pytest.mark.django_db
def test_an_image_with_too_many_pixels_is_refused(editor_client):
    # 8000 x 6000 = 48 megapixels of one grey: a tiny PNG that would take 144 MB to decode.
    buffer = io.BytesIO()
    Image.new("L", (8000, 6000), 128).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 1 * MB
    upload = SimpleUploadedFile("anh.png", buffer.getvalue(), "image/png")
    response = editor_client.post(
        reverse("wagtailimages:add"), {"title": "Ảnh lớn", "file": upload, "collection": 1}
    )
    assert response.status_code == 200
    assert "Tệp có quá nhiều điểm ảnh" in response.content.decode()
    assert not get_image_model().objects.exists()


@pytest.mark.django_db
def test_the_multiple_upload_and_chooser_paths_apply_the_same_document_limit(editor_client):
    def big():
        return SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n" + b"0" * (21 * MB), "application/pdf")

    response = editor_client.post(
        reverse("wagtaildocs:add_multiple"), {"files[]": big(), "collection": 1}
    )
    assert response.json()["success"] is False
    assert "Dung lượng tối đa 20,0\xa0MB" in response.json()["error_message"]
    response = editor_client.post(
        reverse("wagtaildocs_chooser:create"),
        {"document-chooser-upload-title": "Báo cáo", "document-chooser-upload-file": big(),
         "document-chooser-upload-collection": 1},
    )
    assert response.json()["step"] == "reshow_creation_form"
    assert "Dung lượng tối đa 20,0\xa0MB" in response.json()["htmlFragment"]
    assert not get_document_model().objects.exists()
