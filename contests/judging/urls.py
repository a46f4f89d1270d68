"""Public URLs of judged competitions, mounted at ``/hoi-thi/`` (``cms/urls.py``)."""

from django.urls import path

from . import views

app_name = "judging"

urlpatterns = [
    path("<int:page_id>/dang-ky/", views.team_register, name="team_register"),
    path("nop-bai/<str:token>/", views.entry_submit, name="entry_submit"),
]
