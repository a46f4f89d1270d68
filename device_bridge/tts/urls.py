app_name = "tts"
urlpatterns = []
