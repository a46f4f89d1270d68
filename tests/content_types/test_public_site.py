"""Every public page renders in Vietnamese; bad filters and page numbers never give a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from content_types.models import Priority
from tests.factories import make_bulletin, make_campaign

pytestmark = pytest.mark.django_db


def test_home_shows_latest_bulletins_in_vietnamese(client, site_tree):
    make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title="Chi trả trợ cấp xã hội")
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert "Bản tin mới nhất" in html
    assert "Chi trả trợ cấp xã hội" in html


def test_emergency_banner_shows_only_live_valid_emergencies(client, site_tree):
    category = site_tree.categories["phong-chong-thien-tai"]
    make_bulletin(site_tree.news, category=category, priority=Priority.EMERGENCY, title="Bão số 3 sắp đổ bộ")
    make_bulletin(
        site_tree.news, category=category, priority=Priority.EMERGENCY, title="Lũ đã rút",
        valid_until=timezone.now() - dt.timedelta(hours=1),
    )
    make_bulletin(site_tree.news, category=category, priority=Priority.EMERGENCY, title="Bản nháp khẩn", publish=False)
    html = client.get("/").content.decode()
    assert 'class="emergency-banner"' in html
    banner = html.split('class="emergency-banner"')[1].split("</section>")[0]
    assert "Bão số 3 sắp đổ bộ" in banner
    assert "Lũ đã rút" not in banner
    assert "Bản nháp khẩn" not in banner


def test_bulletin_page_shows_date_category_priority_and_zones(client, site_tree):
    page = make_bulletin(
        site_tree.news, category=site_tree.categories["phong-chong-thien-tai"], priority=Priority.PRIORITY,
        zones=[site_tree.zones["thon-dong"]], date=dt.date(2026, 6, 5), title="Khơi thông kênh mương",
    )
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ngày 05/06/2026" in html
    assert "Phòng chống thiên tai" in html
    assert "Ưu tiên" in html
    assert "Thôn Đông" in html
    assert 'aria-label="Nghe bản tin"' in html


def test_whole_commune_bulletin_says_so(client, site_tree):
    page = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"])
    assert "Toàn xã" in client.get(page.url).content.decode()


def test_campaign_page_lists_its_bulletins_and_time_progress(client, site_tree):
    campaign = make_campaign(site_tree.campaigns, title="Chiến dịch chuyển đổi số", target_bulletins=4)
    make_bulletin(campaign, category=site_tree.categories["an-sinh-xa-hoi"], title="Cài đặt VNeID")
    html = client.get(campaign.url).content.decode()
    assert "Chiến dịch chuyển đổi số" in html
    assert "Cài đặt VNeID" in html
    assert "Thời gian đã qua" in html


def test_campaign_page_hides_the_internal_target(client, site_tree):
    campaign = make_campaign(site_tree.campaigns, title="Chiến dịch an toàn giao thông", target_bulletins=6)
    make_bulletin(campaign, category=site_tree.categories["an-sinh-xa-hoi"], title="Đội mũ bảo hiểm")
    html = client.get(campaign.url).content.decode()
    assert "Đội mũ bảo hiểm" in html
    assert "Đã đăng" not in html
    assert "/ 6" not in html and 'value="17"' not in html


def test_campaign_index_lists_campaigns(client, site_tree):
    make_campaign(site_tree.campaigns, title="Phòng chống thiên tai 2026")
    assert "Phòng chống thiên tai 2026" in client.get(site_tree.campaigns.url).content.decode()


def test_news_index_filters_by_category_and_zone(client, site_tree):
    social, disaster = site_tree.categories["an-sinh-xa-hoi"], site_tree.categories["phong-chong-thien-tai"]
    make_bulletin(site_tree.news, category=social, title="Trợ cấp tháng bảy")
    make_bulletin(site_tree.news, category=disaster, zones=[site_tree.zones["thon-dong"]], title="Gia cố đê thôn Đông")
    make_bulletin(site_tree.news, category=disaster, zones=[site_tree.zones["thon-doai"]], title="Gia cố đê thôn Đoài")

    html = client.get(site_tree.news.url, {"category": "phong-chong-thien-tai"}).content.decode()
    assert "Gia cố đê thôn Đông" in html and "Trợ cấp tháng bảy" not in html

    html = client.get(site_tree.news.url, {"zone": "thon-dong"}).content.decode()
    # A whole-commune bulletin concerns every hamlet.
    assert "Gia cố đê thôn Đông" in html and "Trợ cấp tháng bảy" in html
    assert "Gia cố đê thôn Đoài" not in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"category": "khong-co"}, "Không tìm thấy lĩnh vực “khong-co”."),
        ({"zone": "thon-ma"}, "Không tìm thấy thôn / tổ dân phố “thon-ma”."),
        ({"priority": "rat-gap"}, "Mức ưu tiên “rat-gap” không hợp lệ."),
        ({"page": "999"}, "Không có trang 999, đang hiển thị trang cuối."),
        ({"page": "abc"}, "Số trang không hợp lệ, đang hiển thị trang đầu."),
    ],
)
def test_news_index_bad_filters_give_a_clear_message(client, site_tree, params, message):
    make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"])
    response = client.get(site_tree.news.url, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_news_index_paginates(client, site_tree):
    for n in range(12):
        make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title=f"Tin thứ {n:02d}")
    html = client.get(site_tree.news.url, {"page": "2"}).content.decode()
    assert "Trang 2 / 2" in html


def test_search_finds_bulletins(client, site_tree):
    make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title="Tiêm chủng mở rộng")
    html = client.get("/search/", {"q": "tiêm chủng"}).content.decode()
    assert "Tiêm chủng mở rộng" in html


def test_search_with_bad_page_number_is_not_an_error(client, site_tree):
    response = client.get("/search/", {"q": "tin", "page": "-3"})
    assert response.status_code == 200
    assert "Số trang không hợp lệ" in response.content.decode()


def test_rss_feed_lists_bulletins(client, site_tree):
    make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title="Chi trả lương hưu")
    response = client.get(site_tree.news.url + "rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert "Chi trả lương hưu" in response.content.decode()


def test_unknown_url_gives_vietnamese_404(client, site_tree):
    response = client.get("/khong-ton-tai/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_server_error_page_is_vietnamese(rf):
    from content_types.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()


def test_static_css_is_served_by_the_app(client, site_tree):
    html = client.get("/").content.decode()
    assert "/static/css/site.css" in html


def test_admin_login_form_is_vietnamese(client, db):
    html = client.get("/admin/login/").content.decode()
    assert "Mật khẩu" in html and "Tên đăng nhập" in html
    assert ">Password<" not in html
