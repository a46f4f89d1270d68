"""The feedback inbox (phản ánh, kiến nghị): list and filters, replies through the fake Zalo
server, what Zalo would refuse, the officer role, and "turn into radio bulletin"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from content_types.models import BulletinPage
from content_types.selectors import public_pages
from device_bridge.feedback import services
from device_bridge.feedback.models import (
    AnswerTemplate,
    Citizen,
    Department,
    Feedback,
    FeedbackMessage,
)
from device_bridge.zalo import facts
from tests.workflows.helpers import make_user
from workflows import roles

CS_PATH = facts.OA_CS_MESSAGE
pytestmark = pytest.mark.django_db


def make_thread(*, user_id="u-100", text="Đèn đường thôn Đoài hỏng ba hôm nay", ago=dt.timedelta(hours=1),
                following=True, status=Feedback.Status.NEW, **fields) -> Feedback:
    site = Site.objects.get(is_default_site=True)
    when = timezone.now() - ago
    citizen, _ = Citizen.objects.get_or_create(
        site=site, zalo_user_id=user_id,
        defaults={"last_interaction_at": when, "is_following": following},
    )
    thread = Feedback.objects.create(site=site, citizen=citizen, subject=text[:200], status=status,
                                     created_at=when, last_message_at=when, inbound_count=1, **fields)
    FeedbackMessage.objects.create(feedback=thread, direction="in", text=text, zalo_msg_id=f"m-{thread.pk}",
                                   status=FeedbackMessage.Status.RECEIVED, created_at=when)
    return thread


@pytest.fixture
def officer(db):
    return make_user("tiepnhan", roles.FEEDBACK_OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def reply(client, thread, text, capture):
    with capture(execute=True):
        return client.post(reverse("feedback_admin:detail", args=[thread.pk]),
                           {"action": "reply", "text": text}, follow=True)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Replies -------------------------------------------------------------------------------


def test_reply_reaches_the_fake_outbox(officer_client, zalo_account, zalo_fake,
                                       django_capture_on_commit_callbacks):
    thread = make_thread()

    response = reply(officer_client, thread, "Xã đã cử người sửa đèn trong hôm nay.",
                     django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert [(m["kind"], m["user_id"], m["text"]) for m in zalo_fake.outbox] == [
        ("cs", "u-100", "Xã đã cử người sửa đèn trong hôm nay.")
    ]
    sent = thread.messages.get(direction="out")
    assert sent.status == FeedbackMessage.Status.SENT
    assert sent.zalo_msg_id == zalo_fake.outbox[0]["message_id"]
    thread.refresh_from_db()
    assert (thread.status, thread.outbound_count) == (Feedback.Status.ANSWERED, 1)


def test_reply_to_a_citizen_who_unfollowed_is_refused_clearly_and_kept(
        officer_client, zalo_account, zalo_fake, django_capture_on_commit_callbacks):
    thread = make_thread(following=False)

    response = reply(officer_client, thread, "Xã đã tiếp nhận.", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert any("đã bỏ quan tâm Zalo OA" in m and "-213" in m for m in page_messages(response))
    kept = thread.messages.get(direction="out")
    assert (kept.status, kept.text) == (FeedbackMessage.Status.FAILED, "Xã đã tiếp nhận.")
    assert zalo_fake.outbox == []
    assert "Xã đã tiếp nhận." in response.content.decode()


def test_zalo_saying_not_following_marks_the_citizen_and_keeps_the_reply(
        officer_client, zalo_account, zalo_fake, django_capture_on_commit_callbacks):
    thread = make_thread()
    zalo_fake.unfollowed.add("u-100")

    reply(officer_client, thread, "Xã đã tiếp nhận.", django_capture_on_commit_callbacks)

    kept = thread.messages.get(direction="out")
    assert kept.status == FeedbackMessage.Status.FAILED
    assert "-213" in kept.error
    assert Citizen.objects.get(pk=thread.citizen_id).is_following is False
    shown = officer_client.get(reverse("feedback_admin:detail", args=[thread.pk])).content.decode()
    assert "-213" in shown and "Xã đã tiếp nhận." in shown
    assert zalo_fake.outbox == []


def test_zalo_saying_the_window_closed_keeps_the_reply(zalo_account, zalo_fake, officer,
                                                        django_capture_on_commit_callbacks):
    thread = make_thread()
    zalo_fake.window_closed.add("u-100")

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_reply(feedback=thread, user=officer, text="Trả lời muộn")

    kept = thread.messages.get(direction="out")
    assert kept.status == FeedbackMessage.Status.FAILED and "-230" in kept.error


def test_reply_after_seven_days_without_interaction_is_refused(
        officer_client, zalo_account, zalo_fake, django_capture_on_commit_callbacks):
    thread = make_thread(ago=dt.timedelta(days=8))

    page = officer_client.get(reverse("feedback_admin:detail", args=[thread.pk]))
    assert 'data-window="closed"' in page.content.decode()
    response = reply(officer_client, thread, "Trả lời muộn", django_capture_on_commit_callbacks)

    assert any("quá 7 ngày" in m for m in page_messages(response))
    assert thread.messages.get(direction="out").status == FeedbackMessage.Status.FAILED
    assert zalo_fake.outbox == []


def test_outside_the_free_48_hours_the_composer_warns_and_still_sends(
        officer_client, zalo_account, zalo_fake, django_capture_on_commit_callbacks):
    thread = make_thread(ago=dt.timedelta(hours=60))

    page = officer_client.get(reverse("feedback_admin:detail", args=[thread.pk]))
    assert 'data-window="paid"' in page.content.decode()
    assert "ngoài khung miễn phí" in page.content.decode()
    reply(officer_client, thread, "Xã trả lời bà con.", django_capture_on_commit_callbacks)

    assert len(zalo_fake.outbox) == 1


def test_after_eight_replies_in_the_free_window_the_composer_warns(officer_client):
    thread = make_thread(ago=dt.timedelta(hours=2))
    for n in range(facts.CS_FREE_REPLIES):
        FeedbackMessage.objects.create(feedback=thread, direction="out", text=f"Trả lời {n}",
                                       status=FeedbackMessage.Status.SENT, sent_at=timezone.now())

    page = officer_client.get(reverse("feedback_admin:detail", args=[thread.pk])).content.decode()

    assert 'data-window="paid"' in page and "chỉ miễn phí 8 tin" in page


def test_failed_reply_is_sent_again_with_the_retry_button(
        officer_client, zalo_account, zalo_fake, django_capture_on_commit_callbacks):
    thread = make_thread()
    zalo_fake.unfollowed.add("u-100")
    reply(officer_client, thread, "Xã đã tiếp nhận.", django_capture_on_commit_callbacks)
    zalo_fake.unfollowed.discard("u-100")
    Citizen.objects.filter(pk=thread.citizen_id).update(is_following=True)  # followed again
    failed = thread.messages.get(direction="out")

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("feedback_admin:detail", args=[thread.pk]),
                            {"action": "retry", "message": failed.pk})

    failed.refresh_from_db()
    assert failed.status == FeedbackMessage.Status.SENT
    assert [m["text"] for m in zalo_fake.outbox] == ["Xã đã tiếp nhận."]


def test_a_reply_is_sent_once_even_if_the_task_runs_twice(zalo_account, zalo_fake, officer,
                                                           django_capture_on_commit_callbacks):
    thread = make_thread()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.feedback_reply(feedback=thread, user=officer, text="Một lần thôi")

    assert services.reply_send(message_id=message.pk) == "not-queued"
    assert len(zalo_fake.outbox) == 1


def test_answer_template_is_inserted_into_the_composer(officer_client):
    thread = make_thread()
    template = AnswerTemplate.objects.create(
        title="Đã chuyển phòng chuyên môn",
        text="UBND xã đã chuyển phản ánh của ông/bà tới phòng chuyên môn.",
    )

    page = officer_client.get(reverse("feedback_admin:detail", args=[thread.pk]), {"template": template.pk})

    body = page.content.decode()
    assert "Đã chuyển phòng chuyên môn" in body
    assert page.context["reply_form"].initial["text"] == template.text


# --- Inbox ---------------------------------------------------------------------------------


def test_departments_are_seeded():
    assert set(Department.objects.values_list("name", flat=True)) >= {
        "Phòng Văn hóa - Xã hội", "Trung tâm Dịch vụ sự nghiệp công", "Phòng Kinh tế",
    }


def test_inbox_filters_by_status_department_and_overdue(officer_client, site_tree,
                                                         django_assert_num_queries):
    economy = Department.objects.get(name="Phòng Kinh tế")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = make_thread(user_id="u-1", text="Rác chưa được thu gom", department=economy, due_date=yesterday)
    answered_late = make_thread(user_id="u-2", text="Xin hỏi lịch tiêm", due_date=yesterday,
                                status=Feedback.Status.ANSWERED)
    fresh = make_thread(user_id="u-3", text="Cầu bị nứt", status=Feedback.Status.IN_PROGRESS,
                        due_date=timezone.localdate() + dt.timedelta(days=5))
    for n in range(4, 10):
        make_thread(user_id=f"u-{n}", text=f"Phản ánh số {n}")
    url = reverse("feedback_admin:inbox")

    def shown(**params):
        return [thread.pk for thread, _ in officer_client.get(url, params).context["rows"]]

    assert set(shown(overdue="1")) == {late.pk}
    assert set(shown(department=economy.pk)) == {late.pk}
    assert set(shown(status="dang_xu_ly")) == {fresh.pk}
    assert answered_late.pk in shown(status="bogus")  # an unknown value shows everything
    page = officer_client.get(url)
    assert page.content.decode().count('data-overdue="true"') == 1
    # A fixed number of queries whatever the number of threads: session, user, groups and
    # permissions, the commune (Site) of the admin, the list and its filters.
    with django_assert_num_queries(13):
        officer_client.get(url)
    for n in range(10, 30):
        make_thread(user_id=f"u-{n}", text=f"Phản ánh số {n}")
    with django_assert_num_queries(13):
        officer_client.get(url)


def test_officer_assigns_a_department_and_a_due_date(officer_client, officer):
    thread = make_thread()
    culture = Department.objects.get(name="Phòng Văn hóa - Xã hội")

    response = officer_client.post(reverse("feedback_admin:detail", args=[thread.pk]), {
        "action": "update", "status": "dang_xu_ly", "department": culture.pk,
        "assignee": officer.pk, "due_date": "2026-12-15",
    })

    assert response.status_code == 302
    thread.refresh_from_db()
    assert (thread.status, thread.department, thread.assignee, thread.due_date) == (
        "dang_xu_ly", culture, officer, dt.date(2026, 12, 15))


# --- Role ----------------------------------------------------------------------------------


def test_officer_role_holds_the_feedback_permissions_and_no_page_rights(officer):
    assert Group.objects.filter(name=roles.FEEDBACK_OFFICER).exists()
    for permission in ("feedback.view_feedback", "feedback.change_feedback", "feedback.reply_feedback",
                       "feedback.add_answertemplate", "wagtailadmin.access_admin"):
        assert officer.has_perm(permission), permission
    assert not officer.has_perm("feedback.delete_feedback")
    assert not officer.has_perm("feedback.add_department")
    assert not officer.has_perm("wagtailcore.add_page")


@pytest.mark.parametrize("role", [roles.EDITOR, roles.REVIEWER, roles.LEADER, roles.TECHNICIAN])
def test_other_roles_get_403_on_the_inbox_and_on_forged_posts(client, role, zalo_account, zalo_fake,
                                                               django_capture_on_commit_callbacks):
    thread = make_thread()
    client.force_login(make_user("khac", role))
    detail = reverse("feedback_admin:detail", args=[thread.pk])

    # Wagtail answers a refused GET with a redirect to the dashboard; nothing is shown.
    for url in (reverse("feedback_admin:inbox"), detail):
        response = client.get(url)
        assert response.status_code in (302, 403) and thread.subject not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(detail, {"action": "reply", "text": "Giả mạo"}).status_code == 403
        assert client.post(detail, {"action": "update", "status": "dong"}).status_code == 403
        assert client.post(reverse("feedback_admin:bulletin", args=[thread.pk]),
                           {"title": "x", "text": "y"}).status_code == 403
    assert thread.messages.filter(direction="out").count() == 0
    assert Feedback.objects.get(pk=thread.pk).status == Feedback.Status.NEW
    assert zalo_fake.outbox == []


def test_administrator_can_answer_feedback(client):
    admin = make_user("quantri", roles.ADMINISTRATOR)
    assert admin.has_perm("feedback.reply_feedback") and admin.has_perm("feedback.add_department")
    client.force_login(admin)
    assert client.get(reverse("feedback_admin:inbox")).status_code == 200


# --- Radio ---------------------------------------------------------------------------------


def test_turn_into_bulletin_creates_a_draft_that_is_not_live(officer_client, site_tree,
                                                            zalo_account, zalo_fake,
                                                            django_capture_on_commit_callbacks):
    thread = make_thread(text="Khi nào xã tiêm vắc xin sởi cho trẻ?")
    reply(officer_client, thread, "Trạm Y tế xã tiêm vắc xin sởi sáng thứ Bảy tuần này.",
          django_capture_on_commit_callbacks)
    url = reverse("feedback_admin:bulletin", args=[thread.pk])

    form = officer_client.get(url).context["form"]
    assert form.initial["text"] == "Trạm Y tế xã tiêm vắc xin sởi sáng thứ Bảy tuần này."
    response = officer_client.post(url, {
        "title": "Lịch tiêm vắc xin sởi cho trẻ", "category": site_tree.categories["an-sinh-xa-hoi"].pk,
        "text": form.initial["text"],
    })

    assert response.status_code == 302
    page = BulletinPage.objects.get(title="Lịch tiêm vắc xin sởi cho trẻ")
    assert page.live is False and page.has_unpublished_changes
    assert page.get_parent().specific == site_tree.news
    assert page.radio_text == "Trạm Y tế xã tiêm vắc xin sởi sáng thứ Bảy tuần này."
    assert page.latest_revision is not None and page.slug.isascii()
    assert not public_pages(BulletinPage.objects.all(), site=Site.objects.get(is_default_site=True)).filter(pk=page.pk).exists()
    thread.refresh_from_db()
    assert thread.bulletin_id == page.pk


def test_sweep_sends_a_reply_whose_task_was_lost_and_flags_one_stuck_sending(zalo_account, zalo_fake,
                                                                             officer):
    thread = make_thread()
    queued = services.feedback_reply(feedback=thread, user=officer, text="Tin bị kẹt")  # no on-commit
    stuck = FeedbackMessage.objects.create(feedback=thread, direction="out", text="Đang gửi dở",
                                           status=FeedbackMessage.Status.SENDING)
    later = timezone.now() + dt.timedelta(minutes=31)

    assert services.feedback_sweep(now=later) == {"events": 0, "replies": 1, "stuck": 1}

    queued.refresh_from_db()
    stuck.refresh_from_db()
    assert queued.status == FeedbackMessage.Status.SENT
    assert [m["text"] for m in zalo_fake.outbox] == ["Tin bị kẹt"]
    assert stuck.status == FeedbackMessage.Status.FAILED and "Không rõ Zalo" in stuck.error


def test_reply_with_a_burnt_refresh_token_says_to_reconnect_and_keeps_the_reply(
        officer_client, zalo_account, zalo_fake, django_capture_on_commit_callbacks):
    thread = make_thread()
    zalo_fake.expire_access_tokens()
    with zalo_fake.lock:
        zalo_fake.refresh_tokens.clear()  # used elsewhere: Zalo refuses it

    reply(officer_client, thread, "Xã đã tiếp nhận.", django_capture_on_commit_callbacks)

    kept = thread.messages.get(direction="out")
    assert kept.status == FeedbackMessage.Status.FAILED
    assert "Kết nối lại" in kept.error and kept.text == "Xã đã tiếp nhận."
    assert zalo_fake.outbox == []
    page = officer_client.get(reverse("feedback_admin:detail", args=[thread.pk])).content.decode()
    assert "Kết nối lại" in page and "Gửi lại" in page


# --- One installation, several communes --------------------------------------------------


def test_inbox_shows_only_the_threads_of_the_commune_whose_admin_is_open(officer_client):
    ours = make_thread(user_id="u-ours", text="Cống thôn Đông bị tắc")
    other_site = Site.objects.create(hostname="xa-khac.example", port=80,
                                     root_page=Site.objects.get(is_default_site=True).root_page,
                                     site_name="Xã khác")
    other_citizen = Citizen.objects.create(site=other_site, zalo_user_id="u-other",
                                           last_interaction_at=timezone.now())
    theirs = Feedback.objects.create(site=other_site, citizen=other_citizen,
                                     subject="Phản ánh của xã khác", last_message_at=timezone.now())

    listing = officer_client.get(reverse("feedback_admin:inbox"))
    assert [row[0].pk for row in listing.context["rows"]] == [ours.pk]
    assert officer_client.get(reverse("feedback_admin:detail", args=[theirs.pk])).status_code == 404
    forged = officer_client.post(reverse("feedback_admin:detail", args=[theirs.pk]),
                                 {"action": "reply", "text": "Trả lời nhầm xã"})
    assert forged.status_code == 404
    assert not theirs.messages.exists()
    assert officer_client.get(reverse("feedback_admin:bulletin", args=[theirs.pk])).status_code in (403, 404)
