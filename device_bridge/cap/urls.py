from django.urls import path

from . import public_views

app_name = "cap"

urlpatterns = [
    path("feed.atom", public_views.feed_view, name="feed"),
    path("<int:page_id>.xml", public_views.alert_view, name="alert"),
]
