"""The Vietnamese user guide (issue 9, item 21): the admin's help menu leads to it, every page of
it renders for a signed-in user from the site itself (no Internet), every picture it shows exists."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cms.help import GUIDE_PAGES, guide_dir
from tests.workflows.helpers import make_user
from workflows import roles


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.images: list[dict] = []
        self._href = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._href, self._text = attrs.get("href"), []
        elif tag == "img":
            self.images.append(attrs)

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def _parse(response) -> _Links:
    parser = _Links()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def editor_client(client, db):
    client.force_login(make_user("bientap", roles.EDITOR))
    return client


def test_help_menu_links_to_the_vietnamese_guide_not_wagtails_english_one(editor_client, rf):
    from django.utils import translation
    from wagtail.admin.menu import help_menu

    request = rf.get("/admin/")
    request.user = make_user("duyet", roles.REVIEWER)
    with translation.override("vi"):
        items = [(str(item.label), str(item.url)) for item in help_menu.menu_items_for_request(request)]
    assert items[: len(GUIDE_PAGES)] == [(str(page.label), page.url()) for page in GUIDE_PAGES]
    assert items[0] == ("Hướng dẫn sử dụng", "/admin/huong-dan/")
    assert ("Phím tắt", "#") in items  # Wagtail's keyboard shortcuts stay: they work offline
    assert not [url for _label, url in items if url.startswith("http")], items

    response = editor_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    # The sidebar's menu is JSON inside the page; the account summary is a plain link.
    for page in GUIDE_PAGES:
        assert page.url() in html, page.url()
    guide_links = dict(_parse(response).links)
    assert guide_links.get(reverse("cms_help:index")) == "Hướng dẫn sử dụng"
    assert "guide.wagtail.org" not in html
    assert "Editor Guide" not in html and "editor guide" not in html


@pytest.mark.parametrize("page", GUIDE_PAGES, ids=lambda page: page.slug or "muc-luc")
def test_every_guide_page_renders_for_a_signed_in_user(editor_client, page):
    response = editor_client.get(page.url())
    assert response.status_code == 200
    parsed = _parse(response)
    html = response.content.decode()
    title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert "Hướng dẫn" in title
    assert "<script" not in html.split('class="guide"', 1)[1].split("</article>", 1)[0]
    # Links between the guide's pages stay inside the admin.
    for href, _text in parsed.links:
        assert not href.endswith(".md"), href
    # Every picture it shows is served, is a PNG, and has a Vietnamese description.
    for image in parsed.images:
        if not image["src"].startswith("/admin/huong-dan/anh/"):
            continue
        assert image.get("alt"), image
        served = editor_client.get(image["src"])
        assert served.status_code == 200, image["src"]
        assert served["Content-Type"] == "image/png"
        assert b"".join(served.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_image_the_guide_references_exists_in_the_repository():
    referenced = set()
    for path in guide_dir().glob("*.md"):
        referenced |= set(re.findall(r"!\[[^\]]+\]\(img/([^)]+)\)", path.read_text(encoding="utf-8")))
        # Every link to another page of the guide names an existing file.
        for target in re.findall(r"\]\(([a-z-]+\.md)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            assert (guide_dir() / target).is_file(), (path.name, target)
    assert referenced, "the guide shows screenshots"
    missing = [name for name in sorted(referenced) if not (guide_dir() / "img" / name).is_file()]
    assert missing == []
    for page in GUIDE_PAGES:
        assert (guide_dir() / page.filename).is_file()


def test_the_guide_needs_a_signed_in_admin_user(client, db):
    for url in (reverse("cms_help:index"), reverse("cms_help:page", args=["nguoi-duyet"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_unknown_pages_and_images_are_not_found(editor_client):
    assert editor_client.get("/admin/huong-dan/khong-co/").status_code == 404
    assert editor_client.get("/admin/huong-dan/anh/khong-co.png").status_code == 404
    assert editor_client.get("/admin/huong-dan/anh/README.md").status_code == 404
    assert editor_client.get("/admin/huong-dan/anh/..%2F..%2Fcms%2Fhelp.py").status_code != 200
