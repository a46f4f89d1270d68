from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False

# Start-up refuses what would run insecurely or point every link at the wrong host; the
# template of the environment file is docs/deploy/ttcs.env.example.
_REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_BASE_URL")
_missing = [name for name in _REQUIRED if not env.env_str(name).strip()]  # noqa: F405
if _missing:
    raise ImproperlyConfigured(
        "; ".join(f"{name} must be set in production" for name in _missing)
        + " (environment variables: see docs/deploy.md and docs/deploy/ttcs.env.example)."
    )
if len(SECRET_KEY) < 32 or SECRET_KEY.startswith(("dev-only", "change-me")):  # noqa: F405
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in production to a random value of at least 32 characters, e.g. "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = [SITE_BASE_URL]  # noqa: F405
