from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
# Tests never reach Google: the recording fake engine unless a test picks a real one (eSpeak
# NG, or gTTS against the local fake server in tests/fakes/gtts_server.py).
TTS_ENGINE = "fake"
GTTS_BASE_URL = "http://127.0.0.1:9"
