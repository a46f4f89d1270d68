app_name = "device_bridge"
urlpatterns = []
