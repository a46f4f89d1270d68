import pytest

from content_types.models import Priority
from tests.factories import make_bulletin

pytestmark = pytest.mark.django_db


def test_bulletin_detail_exposes_broadcast_fields(client, site_tree):
    page = make_bulletin(
        site_tree.news, category=site_tree.categories["phong-chong-thien-tai"], priority=Priority.EMERGENCY,
        zones=[site_tree.zones["thon-dong"]], radio_text="Bà con thôn Đông chú ý.",
    )
    data = client.get(f"/api/v2/pages/{page.pk}/").json()
    assert data["meta"]["type"] == "content_types.BulletinPage"
    assert data["priority"] == "khan_cap"
    assert data["category"] == {"id": page.category_id, "name": "Phòng chống thiên tai", "slug": "phong-chong-thien-tai"}
    assert data["zones"] == [{"id": site_tree.zones["thon-dong"].pk, "name": "Thôn Đông", "code": "thon-dong"}]
    assert data["spoken_text"] == "Bà con thôn Đông chú ý."
    assert {"valid_from", "valid_until", "summary", "body", "date"} <= data.keys()


def test_bulletin_listing_filters_by_type_and_priority(client, site_tree):
    make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"])
    make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], priority=Priority.PRIORITY)
    data = client.get(
        "/api/v2/pages/", {"type": "content_types.BulletinPage", "fields": "priority", "priority": "uu_tien"}
    ).json()
    assert data["meta"]["total_count"] == 1
    assert data["items"][0]["priority"] == "uu_tien"


def test_images_and_documents_endpoints_exist(client, site_tree):
    assert client.get("/api/v2/images/").status_code == 200
    assert client.get("/api/v2/documents/").status_code == 200


@pytest.mark.parametrize(
    "query, message",
    [
        ({"limit": "abc"}, "Tham số “limit” phải là số nguyên dương."),
        ({"offset": "-1"}, "Tham số “offset” phải là số nguyên dương."),
        ({"type": "khong.Co"}, "Loại trang không tồn tại."),
        ({"bogus": "1"}, "Tham số không được hỗ trợ: bogus."),
        ({"limit": "100000"}, "Tham số “limit” không được lớn hơn 100."),
    ],
)
def test_malformed_api_query_gives_vietnamese_400(client, site_tree, query, message):
    response = client.get("/api/v2/pages/", query)
    assert response.status_code == 400
    assert response.json()["message"] == message


def test_missing_page_gives_vietnamese_404(client, site_tree):
    response = client.get("/api/v2/pages/999999/")
    assert response.status_code == 404
    assert response.json()["message"] == "Không tìm thấy nội dung được yêu cầu."
