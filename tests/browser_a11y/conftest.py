"""A commune site with every public page type, in Debian's Chromium, and axe-core to check it.

axe-core comes from the ``axe-playwright-python`` package, which bundles the npm package's
``axe.min.js``: it is evaluated in the page from the installed file, never fetched from a CDN.
"""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.utils import timezone

from content_types.models import Priority
from tests.contests.builders import make_contest
from tests.factories import build_site, make_bulletin, make_campaign
from tests.workflows.helpers import PASSWORD, make_user
from workflows import roles

# Playwright's sync API runs an event loop in this thread; Django's ORM calls here are ours.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "browser_a11y"
SLOW = 90_000  # ms
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
STORM_TITLE = "Khẩn cấp: bão số 3 đổ bộ, toàn bộ hộ dân ven sông sơ tán trước 17:00 hôm nay"


def _body(*paragraphs: str) -> str:
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs])


@pytest.fixture
def a11y_site(transactional_db, settings, tmp_path):
    # Serialized rollback restores what the data migrations made (roles, workflows): calling
    # ``moderation_defaults_install`` here again broke the next test's restore.
    settings.TTS_ENGINE = "fake"  # speech is an edge here; the recording engine renders offline
    settings.TTS_FALLBACK = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    tree = build_site()
    disaster = tree.categories["phong-chong-thien-tai"]
    social = tree.categories["an-sinh-xa-hoi"]
    editor = make_user("bientap", roles.EDITOR)
    approver = make_user("duyet", roles.REVIEWER, roles.LEADER)
    now = timezone.now()
    long_body = _body(*(["Bà con chủ động chằng chống nhà cửa, gia cố mái tôn, chặt tỉa cành cây "
                         "gần nhà, chuẩn bị lương thực, nước uống, đèn pin cho ba ngày."] * 6))
    bulletin = make_bulletin(
        tree.news, category=social, zones=[tree.zones["thon-dong"]], owner=editor,
        title="Thông báo lịch tiêm chủng mở rộng tháng 12 cho trẻ em dưới 5 tuổi",
        summary="Trạm Y tế xã tổ chức tiêm chủng mở rộng vào sáng thứ Hai tại nhà văn hóa các "
                "thôn; phụ huynh mang theo sổ tiêm chủng của trẻ.",
        body=long_body,
    )
    priority = make_bulletin(tree.news, category=disaster, priority=Priority.PRIORITY,
                             title="Lịch thu hoạch lúa sớm tránh mưa lớn")
    older_emergency = make_bulletin(
        tree.news, category=disaster, priority=Priority.EMERGENCY,
        title="Khẩn cấp: triều cường dâng cao tại Thôn Đoài", valid_until=now + dt.timedelta(hours=12),
    )
    storm = make_bulletin(
        tree.news, category=disaster, priority=Priority.EMERGENCY, title=STORM_TITLE,
        summary="Bão số 3 gây gió mạnh cấp 10, giật cấp 12.", body=long_body,
        valid_until=now + dt.timedelta(hours=20),
    )
    campaign = make_campaign(tree.campaigns, title="Chiến dịch phòng chống bão lũ năm 2026",
                             audience="Toàn thể nhân dân trong xã")
    campaign_bulletin = make_bulletin(campaign, category=disaster,
                                      title="Hướng dẫn sơ tán khi có bão")
    contest = make_contest(tree.home)
    # One bulletin waits for the approver: the listen queue on the dashboard.
    waiting = make_bulletin(tree.news, category=social, publish=False, owner=editor,
                            title="Thông báo họp dân Thôn Đông tháng 12")
    waiting.save_revision(user=editor)
    waiting.get_workflow().start(waiting, editor)
    return {
        "tree": tree, "editor": editor, "approver": approver, "bulletin": bulletin,
        "priority": priority, "older_emergency": older_emergency, "storm": storm,
        "campaign": campaign, "campaign_bulletin": campaign_bulletin, "waiting": waiting,
        "contest": contest,
    }




def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def axe_violations(page, *, ignore: dict[str, str] | None = None) -> list[dict]:
    """axe-core's violations on ``page``, less the nodes of rule ``r`` that match the CSS
    selector ``ignore[r]`` (axe's own targets carry per-render ids, so they cannot be listed)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]}).response
    ignore = ignore or {}

    def ignored(rule: str, node: dict) -> bool:
        if rule not in ignore:
            return False
        return page.evaluate("([target, selector]) => !!document.querySelector(target)?.matches(selector)",
                             [node["target"][-1], ignore[rule]])

    violations = []
    for violation in results["violations"]:
        nodes = [node for node in violation["nodes"] if not ignored(violation["id"], node)]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    return violations


def describe(url: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{url}: {violation['id']} ({violation['impact']}) {node['target']} "
                         f"{node.get('failureSummary', '')[:200]!r}")
    return "\n".join(lines)
