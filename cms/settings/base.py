"""Settings shared by every environment. Environment variables are read in ``env.py``."""

from datetime import timedelta

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from . import env

BASE_DIR = env.BASE_DIR

INSTALLED_APPS = [
    "cms",
    "content_types",
    "workflows",
    "device_bridge",
    "device_bridge.tts",
    "device_bridge.zalo",
    "device_bridge.feedback",
    "device_bridge.upkeep",
    "device_bridge.security",
    "device_bridge.monitoring",
    "device_bridge.mqtt",
    "device_bridge.cap",
    "contests",
    "contests.judging",
    "content_types.plans",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_q",
    "axes",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.security.SiteAndAdminCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees the login view's response and turns a lockout into HTTP 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "content_types.context_processors.site_chrome",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {"default": env.DATABASE}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese everywhere a user looks; the commune keeps Indochina time.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "cms.rich_text.LabelledDraftailRichTextArea"},  # accessible name
}
WAGTAIL_ALLOW_UNICODE_SLUGS = False  # ASCII slugs, Vietnamese transliterated (content_types.forms)
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]  # project overrides of Wagtail/Django strings, if any

STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT
# Rendered audio is served by a view that checks visibility first; with this set (e.g.
# "/internal-media/") the view hands the file to nginx with X-Accel-Redirect instead of
# streaming it. See docs/operations.md.
MEDIA_ACCEL_REDIRECT = env.MEDIA_ACCEL_REDIRECT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECRET_KEY = env.SECRET_KEY
ALLOWED_HOSTS = env.ALLOWED_HOSTS
SITE_BASE_URL = env.SITE_BASE_URL

EMAIL_BACKEND = env.EMAIL_URL_BACKEND
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

# Wagtail
WAGTAIL_SITE_NAME = "Cổng thông tin xã Chí Minh"
WAGTAILADMIN_USER_LOGIN_FORM = "cms.forms.LoginForm"
WAGTAILADMIN_BASE_URL = env.SITE_BASE_URL
WAGTAIL_I18N_ENABLED = False
# PostgreSQL: the "simple" text search configuration keeps Vietnamese tones and words such as
# "an", "do", "no" that the server's default (English) drops as stop words.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
}
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILAPI_BASE_URL = env.SITE_BASE_URL
WAGTAILAPI_LIMIT_MAX = 100
# Documents go through Wagtail's serve view, which honours collection view restrictions.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "txt", "zip"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# The admin works offline and tells no third party who the editors are.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Security: uploads, headers, login throttling (docs/operations.md) ---
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000  # 40 megapixels: any phone photo, no decompression bomb
# The Django admin duplicates Wagtail's with fewer checks; on only while developing.
DJANGO_ADMIN_ENABLED = False

# Video embeds (EmbedBlock) may come only from these players.
EMBED_FRAME_ORIGINS = [
    "https://www.youtube.com",
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
]
# Public site: no inline script, no inline <style> element; style attributes only for
# Wagtail's responsive embeds (padding-bottom ratio).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *EMBED_FRAME_ORIGINS],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
# Wagtail admin: its templates carry inline <script> initialisers and inline styles that
# cannot take a nonce (see cms.security.SiteAndAdminCSPMiddleware); still nothing from
# another origin, and no eval.
CONTENT_SECURITY_POLICY_ADMIN = {
    "URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF, *EMBED_FRAME_ORIGINS],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": ["self"],
    "camera": [],
    "display-capture": [],
    "encrypted-media": ["self", *EMBED_FRAME_ORIGINS],
    "fullscreen": ["self", *EMBED_FRAME_ORIGINS],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": ["self", *EMBED_FRAME_ORIGINS],
    "usb": [],
}

# django-axes: 5 wrong passwords for one user name from one address lock that pair for 15
# minutes (other users and other addresses are not affected); Quản trị unlocks in
# Cài đặt → Khoá đăng nhập, or `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; successful logins are not logged with IPs
AXES_LOCKOUT_CALLABLE = "cms.security.login_lockout_response"
AXES_CLIENT_IP_CALLABLE = "cms.security.client_ip"
TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# django-q2: ``retry`` must exceed ``timeout`` or a slow task runs twice; ``catch_up`` is off
# so a missed 06:00 broadcast slot is not played at noon after an outage.
Q_CLUSTER = {
    "name": "ttcs",
    "workers": env.Q_WORKERS,
    "timeout": 300,
    "retry": 360,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Hàng đợi tác vụ",
}
if env.REDIS_URL:
    Q_CLUSTER["redis"] = env.REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env.REDIS_URL}}
    if env.REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {"level": "INFO"}
        for name in ("content_types", "workflows", "device_bridge", "contests", "django_q")
    },
}

# --- Speech (device_bridge.tts) ---
TTS_ENGINE = env.TTS_ENGINE
TTS_FALLBACK = env.TTS_FALLBACK
GTTS_BASE_URL = env.GTTS_BASE_URL
# Engines are plugins: {"CLASS": dotted path, "OPTIONS": {...}, "FALLBACK": name}, resolved
# at call time. gTTS chunks are ~100 characters; 4 in flight keeps Google from throttling.
TTS_ENGINES = {
    "gtts": {
        "CLASS": "device_bridge.tts.engines.gtts.GttsEngine",
        "OPTIONS": {
            "CONNECT_TIMEOUT": 3.0,
            "READ_TIMEOUT": env.GTTS_READ_TIMEOUT,
            "RETRIES": 3,
            "BACKOFF": 0.5,
            "MAX_BACKOFF": 8.0,
            "MAX_CONCURRENCY": 4,
            "DEADLINE": 120.0,
        },
        "FALLBACK": "espeak",
    },
    "espeak": {
        "CLASS": "device_bridge.tts.engines.espeak.EspeakEngine",
        "OPTIONS": {"VOICE": "vi", "RATE": env.ESPEAK_RATE, "PITCH": 50},
    },
    "fake": {"CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {}},
}
# Broadcast audio: EBU R128 loudness, MP3 mono sized for 4G loudspeakers.
TTS_AUDIO = {
    "SAMPLE_RATE": 24000,
    "BITRATE": env.TTS_MP3_BITRATE,
    "TARGET_LUFS": env.TTS_TARGET_LUFS,
    "TRUE_PEAK_DBTP": env.TTS_TRUE_PEAK_DBTP,
    "ENCODER_QUALITY": 7,
}
TTS_MAX_CHARS = 20_000
# A render "rendering" for longer than this is presumed dead (worker killed) and reclaimable.
TTS_RENDER_STALE_SECONDS = 900

# --- Device bridge ---
# Channels are plugins: {"CLASS": dotted path, "OPTIONS": {...}}, resolved at call time.
DEVICE_CHANNELS = {
    "website": {"CLASS": "device_bridge.channels.website.WebsiteChannel", "OPTIONS": {}},
    "speakers": {"CLASS": "device_bridge.channels.speakers.SpeakerChannel", "OPTIONS": {}},
    # Zalo OA (docs/zalo.md): "zalo" posts the article and broadcasts only the priorities
    # listed; a distribution rule naming "zalo_broadcast" broadcasts whatever it matches.
    "zalo": {"CLASS": "device_bridge.channels.zalo.ZaloChannel",
             "OPTIONS": {"BROADCAST_PRIORITIES": ["khan_cap"]}},
    "zalo_broadcast": {"CLASS": "device_bridge.channels.zalo.ZaloChannel",
                       "OPTIONS": {"BROADCAST_PRIORITIES": ["thuong", "uu_tien", "khan_cap"]}},
}
DEVICE_BRIDGE = {
    "AUDIO_URL_LIFETIME": env.DEVICE_AUDIO_URL_LIFETIME,
    "LONG_POLL_SECONDS": env.DEVICE_LONG_POLL_SECONDS,
    "POLL_AFTER_SECONDS": 15,
    "MAX_ATTEMPTS": 5,
    "RETRY_BASE_SECONDS": 30,
    # Longer than Q_CLUSTER["timeout"]: only a dead worker's delivery looks stuck this long.
    "STUCK_AFTER_SECONDS": 600,
    "EMERGENCY_REPEAT": 3,
    # Without a distribution rule; "zalo" only acts once ZALO_APP_ID is set (docs/zalo.md).
    "DEFAULT_CHANNELS": ["website", "speakers", "zalo"],
}

# Fleet monitoring (device_bridge.monitoring, docs/operations.md "Fleet monitoring"); every key
# and its default is in device_bridge/monitoring/conf.py.
MONITORING = {
    "EMERGENCY_ACK_SECONDS": 30,
    "MAP_TILES_URL": "",  # no tiles: the map works offline
}

# --- Zalo Official Account (device_bridge.zalo, docs/zalo.md) ---
ZALO_API_BASE = env.ZALO_API_BASE
ZALO_OAUTH_BASE = env.ZALO_OAUTH_BASE
ZALO_APP_ID = env.ZALO_APP_ID
ZALO_APP_SECRET = env.ZALO_APP_SECRET
ZALO_OA_SECRET = env.ZALO_OA_SECRET  # webhook signatures; not the app secret
ZALO_CONNECT_TIMEOUT = 5.0
ZALO_READ_TIMEOUT = 20.0

# --- MQTT for the speaker clusters (device_bridge.mqtt, docs/device-protocol-mqtt.md) ---
MQTT_URL = env.MQTT_URL

# --- Moderation ---
# Approval by the workflow is what authorises publishing (see workflows/finish.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "workflows.finish.publish_approved_revision"
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
# Who else hears that an emergency waits for approval (SMS gateway, Zalo, a relay): notifier
# plugins, each a dotted path or {"CLASS": ..., "OPTIONS": {...}}; see docs/moderation.md.
TTCS_EMERGENCY_NOTIFIERS = [{"CLASS": "workflows.emergency_notify.LoggingNotifier"}]
if env.EMERGENCY_WEBHOOK_URL:
    TTCS_EMERGENCY_NOTIFIERS.append(
        {
            "CLASS": "workflows.emergency_notify.WebhookNotifier",
            "OPTIONS": {"URL": env.EMERGENCY_WEBHOOK_URL, "SECRET": env.EMERGENCY_WEBHOOK_SECRET},
        }
    )
if env.ZALO_APP_ID:  # approvers who linked their Zalo account (docs/zalo.md)
    TTCS_EMERGENCY_NOTIFIERS.append({"CLASS": "device_bridge.zalo.notify.ZaloEmergencyNotifier"})
# Largest CAP document taken in (upload, cap_import, each polled feed body); see docs/cap.md.
TTCS_CAP_MAX_BYTES = 512 * 1024
