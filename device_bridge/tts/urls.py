from django.urls import path

from . import views
from .feeds import BulletinPodcastFeed

app_name = "tts"
urlpatterns = [
    path("preview/<int:revision_id>/", views.revision_preview, name="revision_preview"),
    path("files/<str:sha256>.mp3", views.audio_file, name="audio_file"),
    path("podcast.xml", BulletinPodcastFeed(), name="podcast"),
]
