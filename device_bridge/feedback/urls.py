from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [path("webhook/", views.zalo_webhook, name="zalo_webhook")]
