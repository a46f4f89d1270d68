"""Plan tracking (issue 14, item 2): the plan page, its tasks, progress reports by the lead unit,
the progress overview, the overdue panel on the lead unit's dashboard, and the period figures
a report reads."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from content_types.models import HomePage
from content_types.plans.demo import TASKS, seed_demo_plan
from content_types.plans.models import PlanPage, PlanTask, PlanTaskNote, TaskStatus, Unit
from content_types.plans.selectors import plan_period_figures
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def make_plan(home, *, title="Kế hoạch thông tin cơ sở", year=2026, live=True):
    plan = PlanPage(title=title, year=year, number="12/KH-UBND")
    home.add_child(instance=plan)
    if live:
        plan.save_revision().publish()
    return plan


def make_task(plan, unit, *, site=None, code="II.1", deadline=None, status=TaskStatus.IN_PROGRESS,
              progress=30, **fields):
    site = site or Site.objects.get(is_default_site=True)
    return PlanTask.objects.create(
        site=site, plan=plan, code=code, title=fields.pop("title", f"Nhiệm vụ {code}"),
        lead_unit=unit, deadline=deadline or TODAY + dt.timedelta(days=30), status=status,
        progress=progress, **fields,
    )


@pytest.fixture
def plan_tree(site_tree):
    site = Site.objects.get(is_default_site=True)
    plan = make_plan(site_tree.home)
    centre = Unit.objects.create(site=site, name="Trung tâm Dịch vụ sự nghiệp công xã")
    culture = Unit.objects.create(site=site, name="Phòng Văn hóa - Xã hội xã")
    return site, plan, centre, culture


def second_site():
    root = Page.get_first_root_node()
    home = HomePage(title="Xã Bên Cạnh", slug="xa-ben-canh")
    root.add_child(instance=home)
    site = Site.objects.create(hostname="benCanh.example", port=80, root_page=home)
    return site, home


def test_the_demo_plan_is_the_seeds_2026_plan_with_every_task(site_tree):
    make_user("bientap", roles.EDITOR)
    plan = seed_demo_plan()
    assert plan.live and plan.year == 2026
    assert plan.tasks.count() == len(TASKS)
    centre = Unit.objects.get(name="Trung tâm Dịch vụ sự nghiệp công xã")
    assert list(centre.members.values_list("username", flat=True)) == ["bientap"]
    assert plan.tasks.get(code="II.2.b").lead_unit == centre
    assert seed_demo_plan().pk == plan.pk  # idempotent
    assert PlanTask.objects.count() == len(TASKS)


def test_the_public_page_shows_tasks_and_progress_but_not_internal_notes(client, plan_tree):
    site, plan, centre, culture = plan_tree
    task = make_task(plan, centre, title="Duy trì trang Zalo OA xã", progress=40)
    PlanTaskNote.objects.create(task=task, text="Ghi chú nội bộ bí mật", status=task.status, progress=40)
    make_task(plan, culture, code="II.7", status=TaskStatus.DONE, progress=100)

    page = client.get(plan.url)

    body = page.content.decode()
    assert page.status_code == 200
    assert "Duy trì trang Zalo OA xã" in body and "Trung tâm Dịch vụ sự nghiệp công xã" in body
    assert "1/2 nhiệm vụ hoàn thành · tiến độ chung 70%" in body
    assert "bí mật" not in body


def test_lead_unit_staff_report_progress_and_the_task_moves(client, plan_tree):
    site, plan, centre, culture = plan_tree
    task = make_task(plan, centre)
    officer = make_user("can-bo", roles.EDITOR)
    centre.members.add(officer)
    client.force_login(officer)
    url = reverse("plans_admin:task_progress", args=[task.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Đã lắp thêm 3 cụm loa.", "status": TaskStatus.DONE,
                                 "progress": 80, "evidence_url": "https://xa.example/tin/1"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.progress, task.completed_on) == (TaskStatus.DONE, 100, TODAY)
    note = task.notes.get()
    assert (note.author, note.text, note.progress) == (officer, "Đã lắp thêm 3 cụm loa.", 100)

    client.post(url, {"text": "Mở lại để bổ sung.", "status": TaskStatus.IN_PROGRESS, "progress": 90})
    task.refresh_from_db()
    assert (task.status, task.progress, task.completed_on) == (TaskStatus.IN_PROGRESS, 90, None)
    assert task.notes.count() == 2


def test_staff_of_another_unit_see_the_task_but_cannot_report_on_it(client, plan_tree):
    site, plan, centre, culture = plan_tree
    task = make_task(plan, centre)
    outsider = make_user("van-hoa", roles.EDITOR)
    culture.members.add(outsider)
    client.force_login(outsider)
    url = reverse("plans_admin:task_progress", args=[task.pk])

    page = client.get(url)
    forged = client.post(url, {"text": "x", "status": TaskStatus.DONE, "progress": 100})

    assert page.status_code == 200 and b"Ghi nh\xe1\xba\xadn ti\xe1\xba\xbfn \xc4\x91\xe1\xbb\x99" not in page.content
    assert forged.status_code in (302, 403)  # Wagtail's admin turns a refusal into a redirect
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and not task.notes.exists()


@pytest.mark.parametrize("data, field", [
    ({"text": "x", "status": "xong-roi", "progress": 10}, "status"),
    ({"text": "x", "status": TaskStatus.DONE, "progress": 130}, "progress"),
    ({"text": "", "status": TaskStatus.DONE, "progress": 10}, "text"),
    ({"text": "x", "status": TaskStatus.DONE, "progress": 10, "evidence_url": "javascript:alert(1)"},
     "evidence_url"),
])
def test_a_malformed_report_is_refused_with_a_message_and_changes_nothing(client, plan_tree, data, field):
    site, plan, centre, culture = plan_tree
    task = make_task(plan, centre)
    officer = make_user("can-bo", roles.EDITOR)
    centre.members.add(officer)
    client.force_login(officer)

    response = client.post(reverse("plans_admin:task_progress", args=[task.pk]), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and not task.notes.exists()


def test_another_communes_task_is_not_found(client, plan_tree):
    site, plan, centre, culture = plan_tree
    other_site, other_home = second_site()
    other_plan = make_plan(other_home, title="Kế hoạch xã bên")
    other_unit = Unit.objects.create(site=other_site, name="Trung tâm xã bên")
    other_task = make_task(other_plan, other_unit, site=other_site)
    client.force_login(make_user("lanh-dao", roles.LEADER))

    assert client.get(reverse("plans_admin:task_progress", args=[other_task.pk])).status_code == 404
    assert client.get(reverse("plan_tasks:edit", args=[other_task.pk])).status_code == 404
    assert client.post(reverse("plan_tasks:delete", args=[other_task.pk])).status_code == 404
    listing = client.get(reverse("plan_tasks:index"))
    assert other_task not in listing.context["object_list"]
    assert PlanTask.objects.filter(pk=other_task.pk).exists()


def test_a_leader_adds_a_task_only_with_their_communes_plan_and_units(client, plan_tree):
    site, plan, centre, culture = plan_tree
    other_site, other_home = second_site()
    other_unit = Unit.objects.create(site=other_site, name="Trung tâm xã bên")
    client.force_login(make_user("lanh-dao", roles.LEADER))
    data = {"plan": plan.pk, "code": "II.4", "title": "Đánh giá an toàn thông tin",
            "content": "", "lead_unit": centre.pk, "cooperating_units": [culture.pk],
            "deadline": "2026-12-15", "status": TaskStatus.NOT_STARTED, "progress": 0,
            "sort_order": 1}

    forged = client.post(reverse("plan_tasks:add"), {**data, "lead_unit": other_unit.pk})
    made = client.post(reverse("plan_tasks:add"), data)

    assert forged.status_code == 200 and "lead_unit" in forged.context["form"].errors
    assert made.status_code == 302
    task = PlanTask.objects.get(code="II.4")
    assert task.site == site and list(task.cooperating_units.all()) == [culture]


def test_a_unit_leading_tasks_cannot_be_deleted(client, plan_tree):
    site, plan, centre, culture = plan_tree
    make_task(plan, centre)
    client.force_login(make_user("quan-tri", roles.ADMINISTRATOR))

    response = client.post(reverse("plan_units:delete", args=[centre.pk]))

    assert response.status_code < 500
    assert Unit.objects.filter(pk=centre.pk).exists()


@pytest.mark.parametrize("role, status", [
    (roles.EDITOR, 200), (roles.REVIEWER, 200), (roles.TECHNICIAN, 200), (roles.LEADER, 200),
    (roles.ADMINISTRATOR, 200), (roles.FEEDBACK_OFFICER, 302), (roles.JURY, 302),
])
def test_who_sees_the_progress_overview(client, plan_tree, role, status):
    client.force_login(make_user("nguoi-dung", role))
    assert client.get(reverse("plans_admin:progress")).status_code == status


def test_the_overview_counts_statuses_and_overdue_tasks_in_fixed_queries(
    client, plan_tree, django_assert_max_num_queries
):
    site, plan, centre, culture = plan_tree
    make_task(plan, centre, code="A", deadline=TODAY - dt.timedelta(days=1))
    make_task(plan, culture, code="B", status=TaskStatus.DONE, progress=100,
              deadline=TODAY - dt.timedelta(days=3))
    make_task(plan, centre, code="C", status=TaskStatus.NOT_STARTED, progress=0)
    client.force_login(make_user("lanh-dao", roles.LEADER))
    client.get(reverse("plans_admin:progress"))  # warm the session and menu caches

    with django_assert_max_num_queries(30) as captured:
        page = client.get(reverse("plans_admin:progress"))
    few = len(captured.captured_queries)
    for code in "DEFGHIJ":
        make_task(plan, centre, code=code)
    with django_assert_max_num_queries(few) as captured:
        client.get(reverse("plans_admin:progress"))

    body = page.content.decode()
    assert "1/3 nhiệm vụ hoàn thành · tiến độ chung 43%" in body
    assert "1 nhiệm vụ quá hạn" in body


def test_the_lead_units_staff_see_their_overdue_tasks_on_the_dashboard(client, plan_tree):
    site, plan, centre, culture = plan_tree
    late = make_task(plan, centre, title="Sửa chữa loa thôn Đông", deadline=TODAY - dt.timedelta(days=2))
    make_task(plan, centre, title="Việc chưa tới hạn")
    make_task(plan, centre, title="Việc xong rồi", status=TaskStatus.DONE, progress=100,
              deadline=TODAY - dt.timedelta(days=9))
    make_task(plan, culture, title="Việc của phòng khác", deadline=TODAY - dt.timedelta(days=2))
    officer = make_user("ky-thuat", roles.TECHNICIAN)
    centre.members.add(officer)
    client.force_login(officer)

    body = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Nhiệm vụ kế hoạch quá hạn của đơn vị" in body
    assert late.title in body
    assert "Việc chưa tới hạn" not in body and "Việc xong rồi" not in body
    assert "Việc của phòng khác" not in body

    client.force_login(make_user("khong-don-vi", roles.TECHNICIAN))
    assert "quá hạn của đơn vị" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_period_figures_count_tasks_due_done_on_time_and_overdue(plan_tree):
    site, plan, centre, culture = plan_tree
    q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    make_task(plan, centre, code="1", deadline=dt.date(2026, 8, 31), status=TaskStatus.DONE,
              progress=100, completed_on=dt.date(2026, 8, 20))  # due, done on time
    make_task(plan, centre, code="2", deadline=dt.date(2026, 9, 15), status=TaskStatus.DONE,
              progress=100, completed_on=dt.date(2026, 9, 20))  # due, done late
    make_task(plan, centre, code="3", deadline=dt.date(2026, 9, 1))  # due, overdue at the end
    make_task(plan, centre, code="4", deadline=dt.date(2026, 12, 31))  # not due yet
    make_task(plan, centre, code="5", deadline=dt.date(2026, 5, 31))  # overdue since Q2

    figures = plan_period_figures(site=site, date_from=q3[0], date_to=q3[1])

    assert figures == {"tasks_total": 5, "due_in_period": 3, "done_total": 2, "done_in_period": 2,
                       "done_on_time": 1, "overdue": 2}


def test_the_admin_screens_open(client, plan_tree):
    site, plan, centre, culture = plan_tree
    task = make_task(plan, centre)
    client.force_login(make_user("quan-tri", roles.ADMINISTRATOR))

    units = client.get(reverse("plan_units:index"))
    tasks = client.get(reverse("plan_tasks:index"))
    edit = client.get(reverse("plan_tasks:edit", args=[task.pk]))
    new_plan = client.get(reverse("wagtailadmin_pages:add", args=["plans", "planpage", plan.get_parent().pk]))

    assert [r.status_code for r in (units, tasks, edit, new_plan)] == [200, 200, 200, 200]
    assert "Trung tâm Dịch vụ sự nghiệp công xã" in units.content.decode()
