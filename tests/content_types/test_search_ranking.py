"""Vietnamese search ranking (issue 9, item 3).

Regression: searching "bão" (storm) ranked the storm warning 7th of 8, behind "bảo hiểm"
(insurance): the tones were ignored and titles weighed no more than bodies.
"""

import json

import pytest
from wagtail.search.query import Or, PlainText

from content_types.selectors import page_search, public_pages
from tests.factories import make_bulletin

pytestmark = pytest.mark.django_db


def _body(text: str) -> str:
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"}])


@pytest.fixture
def bulletins(site_tree):
    disaster = site_tree.categories["phong-chong-thien-tai"]
    social = site_tree.categories["an-sinh-xa-hoi"]

    def add(title, body, category=social, summary="Thông tin từ Ủy ban nhân dân xã."):
        return make_bulletin(site_tree.news, category=category, title=title, summary=summary,
                             body=_body(body))

    # Created before the storm warning, so a ranking by date or id alone would put them first.
    pages = {
        "insurance": add("Gia hạn thẻ bảo hiểm y tế năm 2027",
                         "Bà con mang theo thẻ bảo hiểm cũ đến nhà văn hóa thôn."),
        "social_insurance": add("Bảo hiểm xã hội tự nguyện cho nông dân",
                                "Mức đóng bảo hiểm xã hội tự nguyện được hỗ trợ."),
        "report": add("Báo cáo tình hình sản xuất vụ mùa", "Ban nông nghiệp báo cáo kết quả."),
        "notice": add("Thông báo lịch tiêm chủng tháng 12", "Trạm Y tế thông báo lịch tiêm."),
        "environment": add("Bảo vệ môi trường nông thôn", "Giữ gìn đường làng ngõ xóm."),
        "rice": add("Phát bao gạo hỗ trợ hộ nghèo", "Mỗi hộ nhận hai bao gạo."),
        "houses": add("Gia cố nhà cửa trước mùa mưa",
                      "Bà con chằng chống nhà cửa, phòng chống bão và lũ.", category=disaster),
    }
    pages["storm"] = add("Cảnh báo bão số 3 đổ bộ vào đất liền",
                         "Bà con sơ tán trước 17:00 hôm nay.", category=disaster,
                         summary="Bão số 3 gây gió mạnh cấp 10.")
    return pages


def _titles(pages):
    return [page.title for page in pages]


def test_exact_tone_match_in_title_ranks_first(site_tree, bulletins):
    results = page_search("bão", site=None)

    assert results[0] == bulletins["storm"], _titles(results)


def test_exact_tone_match_ranks_above_other_tones_and_title_above_body(site_tree, bulletins):
    results = page_search("bão", site=None)

    # Title "bão", then body-only "bão", then the same letters with other tones.
    assert results[:2] == [bulletins["storm"], bulletins["houses"]], _titles(results)
    assert results.index(bulletins["houses"]) < results.index(bulletins["insurance"])
    assert results.index(bulletins["houses"]) < results.index(bulletins["social_insurance"])


def test_other_tone_search_ranks_its_own_word_first(site_tree, bulletins):
    results = page_search("bảo hiểm", site=None)

    assert set(results[:2]) == {bulletins["insurance"], bulletins["social_insurance"]}
    assert bulletins["storm"] not in results[:2]


def test_search_without_tones_finds_every_spelling(site_tree, bulletins):
    results = page_search("bao", site=None)

    for key in ("storm", "insurance", "social_insurance", "report", "notice", "houses", "rice"):
        assert bulletins[key] in results, key
    # The literal word "bao" (bag) is the exact match here.
    assert results[0] == bulletins["rice"], _titles(results)


def test_uppercase_and_decomposed_queries_match_like_typed_ones(site_tree, bulletins):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "BÃO")
    assert page_search(decomposed, site=None)[0] == bulletins["storm"]


def test_between_equal_matches_the_emergency_comes_first(site_tree, bulletins):
    from content_types.models import Priority
    from tests.factories import make_campaign

    make_campaign(site_tree.campaigns, title="Phòng chống bão năm 2026", goal="<p>Phòng bão.</p>")
    storm = bulletins["storm"]
    storm.priority = Priority.EMERGENCY
    storm.save_revision().publish()

    assert page_search("bão", site=None)[0].pk == storm.pk


def test_search_page_lists_the_storm_warning_first(client, site_tree, bulletins):
    html = client.get("/search/", {"q": "bão"}).content.decode()

    assert html.index(bulletins["storm"].title) < html.index(bulletins["insurance"].title)
    assert html.index(bulletins["storm"].title) < html.index(bulletins["social_insurance"].title)


def test_search_index_follows_publishing(site_tree, bulletins):
    storm = bulletins["storm"]
    storm.title = "Áp thấp nhiệt đới gần bờ"
    storm.save_revision().publish()

    results = page_search("áp thấp", site=None)
    assert [page.pk for page in results] == [storm.pk]
    assert storm.pk not in [page.pk for page in page_search("đổ bộ", site=None)]
    # Found without tones too: the folded copy is re-indexed with the revision.
    assert storm.pk in [page.pk for page in page_search("ap thap", site=None)]


def test_unpublished_pages_are_not_found(site_tree, bulletins):
    bulletins["storm"].unpublish()

    assert bulletins["storm"].pk not in [page.pk for page in page_search("bão", site=None)]


@pytest.mark.postgres
def test_postgres_full_text_ranking_alone_puts_exact_tones_first(site_tree, bulletins):
    # PostgreSQL's own ranking (tsvector weights from the search field boosts, "simple"
    # configuration keeping tones) already orders by tone and field, before the tie rule.
    query = Or([PlainText("bão"), PlainText("bao")])
    results = list(public_pages().specific().search(query, order_by_relevance=True))

    position = {page.pk: index for index, page in enumerate(results)}
    other_tones = ("insurance", "social_insurance", "report", "notice", "environment")
    for key in other_tones:  # found through the folded copy, ranked lower
        assert position[bulletins["storm"].pk] < position[bulletins[key].pk], _titles(results)
    for key in ("insurance", "social_insurance"):
        assert position[bulletins["houses"].pk] < position[bulletins[key].pk], _titles(results)


def test_search_page_queries_do_not_grow_with_the_results(client, site_tree, bulletins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/search/", {"q": "bao"}).status_code == 200
        return len(queries)

    count_queries()  # the first request creates the site's settings row and fills caches
    few = count_queries()
    for number in range(6):
        make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"],
                      title=f"Bảo hiểm y tế đợt {number}", body=_body("Bảo hiểm."))
    assert count_queries() == few
