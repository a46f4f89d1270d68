from django.urls import path, re_path

from .protocol import views

app_name = "device_bridge"

urlpatterns = [
    path("v1/openapi.json", views.openapi, name="v1-openapi"),
    path("v1/schedule", views.schedule, name="v1-schedule"),
    path("v1/heartbeat", views.heartbeat, name="v1-heartbeat"),
    path("v1/receipts", views.receipts, name="v1-receipts"),
    path("v1/commands", views.commands, name="v1-commands"),
    path("v1/commands/<int:command_id>/ack", views.command_ack, name="v1-command-ack"),
    path("v1/audio/<str:token>", views.audio, name="v1-audio"),
    # Last: any other v1 path (a firmware typo, `commands/abc/ack`) answers in the protocol's shape.
    re_path(r"^v1/", views.unknown_endpoint, name="v1-unknown"),
]
