"""Glue: the emergency panel's URLs and the MQTT status line on the dashboard."""

from django.urls import include, path
from laces.components import Component
from wagtail import hooks

from . import emergency, views

admin_urls = [
    path("emergency/<int:page_id>/live/", views.emergency_live, name="emergency_live"),
    path("emergency/<int:page_id>/stop/", views.emergency_stop, name="emergency_stop"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("mqtt/", include((admin_urls, "mqtt_admin")))]


class MqttStatusPanel(Component):
    """One line on the technician's dashboard: MQTT off, working, or unreachable."""

    name = "mqtt_status"
    template_name = "mqtt/status_panel.html"
    order = 55

    def get_context_data(self, parent_context):
        return {"health": emergency.bridge_health()}


@hooks.register("construct_homepage_panels")
def add_mqtt_status_panel(request, panels):
    if request.user.has_perm("device_bridge.view_speakercluster"):
        panels.append(MqttStatusPanel())
