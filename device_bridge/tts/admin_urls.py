from django.urls import path

from . import admin_views

app_name = "tts_admin"
urlpatterns = [
    path("pages/<int:page_id>/", admin_views.page_audio, name="page_audio"),
]
