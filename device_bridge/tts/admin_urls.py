from django.urls import path

from . import admin_views

app_name = "tts_admin"
urlpatterns = [
    path("pages/<int:page_id>/", admin_views.page_audio, name="page_audio"),
    path("pages/<int:page_id>/draft/", admin_views.draft_preview, name="draft_preview"),
    path(
        "pages/<int:page_id>/draft/<int:audio_id>.mp3", admin_views.draft_audio, name="draft_audio"
    ),
]
