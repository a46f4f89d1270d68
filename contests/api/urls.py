from django.urls import path, re_path

from . import views

app_name = "contests_api"

urlpatterns = [
    path("v1/openapi.json", views.OpenAPI.as_view(), name="v1-openapi"),
    path("v1/contests", views.Contests.as_view(), name="v1-contests"),
    path("v1/contests/<int:contest_id>", views.ContestDetail.as_view(), name="v1-contest"),
    path("v1/contests/<int:contest_id>/register", views.Register.as_view(), name="v1-register"),
    path("v1/rounds/<int:round_id>/attempts", views.StartAttempt.as_view(), name="v1-start"),
    path("v1/attempts/<str:token>", views.AttemptView.as_view(), name="v1-attempt"),
    path("v1/attempts/<str:token>/submit", views.Submit.as_view(), name="v1-submit"),
    path("v1/attempts/<str:token>/result", views.Result.as_view(), name="v1-result"),
    # Last: any other v1 path answers in the API's own error shape, not the site's 404 page.
    re_path(r"^v1/", views.Unknown.as_view(), name="v1-unknown"),
]
