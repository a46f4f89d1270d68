"""Uploads are not published by being uploaded: the API and /documents/ give out only what
public pages use.

Regression (issue 8, item 11): every image and document, drafts' uploads included, was listed
at /api/v2/images/ and /api/v2/documents/ and downloadable at its URL.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction

from tests.factories import build_site, make_bulletin
from workflows import roles

pytestmark = pytest.mark.django_db


def body(*blocks):
    return json.dumps(list(blocks))


def image_block(image):
    return {"type": "image", "value": {"image": image.pk, "alt_text": "ảnh", "decorative": False}}


def document_block(document):
    return {"type": "document", "value": {"document": document.pk, "title": document.title}}


def link_paragraph(document):
    return {"type": "paragraph", "value": f'<p>Xem <a linktype="document" id="{document.pk}">tệp</a>.</p>'}


@pytest.fixture
def media_world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    site = build_site()
    category = site.categories["an-sinh-xa-hoi"]
    Image, Document = get_image_model(), get_document_model()
    images = {
        name: Image.objects.create(title=name, file=get_test_image_file(f"{name}.png"))
        for name in ("public", "draft", "restricted", "next_revision")
    }
    documents = {
        name: Document.objects.create(title=name, file=ContentFile(b"%PDF-1.4 " + name.encode(), name=f"{name}.pdf"))
        for name in ("block", "link", "draft")
    }
    public = make_bulletin(site.news, category=category, body=body(
        image_block(images["public"]), document_block(documents["block"]), link_paragraph(documents["link"]),
    ))
    make_bulletin(site.news, category=category, publish=False, body=body(
        image_block(images["draft"]), document_block(documents["draft"]),
    ))
    restricted = make_bulletin(site.news, category=category, body=body(image_block(images["restricted"])))
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    # A draft of the public bulletin adds an image: not public until that draft is published.
    public.body = body(image_block(images["public"]), image_block(images["next_revision"]))
    public.save_revision()
    return images, documents


def listed(client, endpoint):
    response = client.get(f"/api/v2/{endpoint}/?limit=100")
    assert response.status_code == 200
    return {item["title"] for item in response.json()["items"]}


def test_api_lists_only_images_and_documents_that_public_pages_use(client, media_world):
    images, documents = media_world
    assert listed(client, "images") == {"public"}
    assert listed(client, "documents") == {"block", "link"}
    for image in ("draft", "restricted", "next_revision"):
        assert client.get(f"/api/v2/images/{images[image].pk}/").status_code == 404, image
    assert client.get(f"/api/v2/documents/{documents['draft'].pk}/").status_code == 404
    assert client.get(f"/api/v2/images/{images['public'].pk}/").status_code == 200


def test_a_draft_document_is_not_downloadable_by_the_public(client, media_world):
    _images, documents = media_world
    assert documents["draft"].url.startswith("/documents/")  # Wagtail's serve view, never /media/
    assert client.get(documents["draft"].url).status_code == 404
    response = client.get(documents["block"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4 block")
    assert client.get(documents["link"].url).status_code == 200


def test_staff_read_draft_documents_in_the_admin(client, media_world):
    _images, documents = media_world
    reviewer = get_user_model().objects.create_user("duyet", password="x")
    reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))
    client.force_login(reviewer)
    assert client.get(documents["draft"].url).status_code == 200


def test_search_and_filters_still_work_on_the_narrowed_endpoints(client, media_world):
    for url in ("/api/v2/images/?search=public", "/api/v2/images/?order=title",
                "/api/v2/documents/?search=block", "/api/v2/pages/?search=tin&order=title",
                "/api/v2/images/?fields=*", "/api/v2/documents/?title=draft"):
        response = client.get(url)
        assert response.status_code == 200, url
        titles = {item.get("title") for item in response.json()["items"]}
        assert not titles & {"draft", "restricted", "next_revision"}, url
    assert listed(client, "images") == {"public"}
