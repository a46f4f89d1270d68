"""What the MQTT side keeps: cluster credentials, presence, published commands, bridge health."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MqttCredential(models.Model):
    """A cluster's broker password, kept only as the Mosquitto hash (PBKDF2-SHA512)."""

    cluster = models.OneToOneField("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                   related_name="mqtt_credential")
    password_hash = models.CharField(max_length=200, editable=False)
    issued_at = models.DateTimeField(_("cấp lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mật khẩu MQTT")
        verbose_name_plural = _("mật khẩu MQTT")

    def __str__(self):
        return str(self.cluster_id)


class ClusterPresence(models.Model):
    """Whether a cluster holds its MQTT connection (its status message or its last will)."""

    cluster = models.OneToOneField("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                   related_name="mqtt_presence")
    online = models.BooleanField(_("đang kết nối MQTT"), default=False)
    changed_at = models.DateTimeField(_("đổi trạng thái lúc"))
    last_message_at = models.DateTimeField(_("tin gần nhất lúc"))

    class Meta:
        verbose_name = _("kết nối MQTT của cụm loa")
        verbose_name_plural = _("kết nối MQTT của cụm loa")

    def __str__(self):
        return f"{self.cluster_id}: {'online' if self.online else 'offline'}"


class PublishedCommand(models.Model):
    """A command sent over MQTT: when, how often, and when the cluster acknowledged it there."""

    command = models.OneToOneField("device_bridge.ClusterCommand", on_delete=models.CASCADE,
                                   related_name="mqtt")
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                related_name="+")
    # The commune whose emergency or bulletin the command carries, when it carries one.
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    first_published_at = models.DateTimeField(_("gửi qua MQTT lúc"))
    last_published_at = models.DateTimeField(_("gửi lại lần cuối lúc"))
    publish_count = models.PositiveIntegerField(_("số lần gửi"), default=1)
    acked_at = models.DateTimeField(_("xác nhận qua MQTT lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lệnh gửi qua MQTT")
        verbose_name_plural = _("lệnh gửi qua MQTT")

    def __str__(self):
        return f"{self.command_id} ×{self.publish_count}"


class EmergencyStop(models.Model):
    """Who stopped an emergency on the loudspeakers (dừng khẩn cấp), and when."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    dispatch = models.ForeignKey("device_bridge.Dispatch", on_delete=models.CASCADE,
                                 related_name="emergency_stops")
    stopped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    stopped_at = models.DateTimeField(_("dừng lúc"), auto_now_add=True)
    clusters = models.PositiveIntegerField(_("số cụm loa được lệnh dừng"), default=0)

    class Meta:
        ordering = ["-stopped_at"]
        verbose_name = _("lần dừng khẩn cấp")
        verbose_name_plural = _("lần dừng khẩn cấp")

    def __str__(self):
        return f"{self.dispatch_id} {self.stopped_at:%Y-%m-%d %H:%M}"


class BridgeState(models.Model):
    """The ``mqtt_bridge`` process's last report: the admin says MQTT is down without one."""

    name = models.CharField(max_length=40, unique=True, default="bridge")
    connected = models.BooleanField(default=False)
    updated_at = models.DateTimeField()
    detail = models.CharField(max_length=255, blank=True)
    dropped_malformed = models.PositiveBigIntegerField(default=0)
    dropped_rate_limited = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("tiến trình MQTT")
        verbose_name_plural = _("tiến trình MQTT")

    def __str__(self):
        return f"{self.name}: {'connected' if self.connected else 'disconnected'}"
