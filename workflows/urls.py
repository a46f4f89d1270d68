from django.urls import path

from . import views

app_name = "workflows"
urlpatterns = [
    path("listen/<int:task_state_id>/", views.listen, name="listen"),
    path("act/<int:task_state_id>/", views.act, name="act"),
    path("preview/<int:revision_id>/", views.revision_preview, name="revision_preview"),
    path("reports/", views.reports, name="reports"),
]
