"""gunicorn configuration of the web process (``make serve``, ``docs/deploy/ttcs-web.service``).

Why gunicorn with the gthread worker: see docs/operations.md, "Serving". Every value that
differs between machines is an environment variable with a default that fits one 2-core
machine behind a reverse proxy on the same host (docs/deploy.md); the table is in the README.
"""

from cms.settings.env import env_str

wsgi_app = "cms.wsgi:application"
bind = env_str("GUNICORN_BIND", "127.0.0.1:8000").split(",")
worker_class = "gthread"
# Processes use the cores; threads cover waiting (database round trips, and each speaker
# cluster's command long-poll holds a thread for up to DEVICE_LONG_POLL_SECONDS).
workers = int(env_str("GUNICORN_WORKERS", "2"))
threads = int(env_str("GUNICORN_THREADS", "16"))
# Open connections per worker, idle keep-alive ones included (gthread parks them in its poller).
worker_connections = int(env_str("GUNICORN_WORKER_CONNECTIONS", "2000"))
backlog = 2048
# A worker whose main loop is silent this long is killed. Longer than the longest request the
# app makes on purpose: the device long-poll (``wait`` is capped at 60 s by protocol v1).
timeout = int(env_str("GUNICORN_TIMEOUT", "75"))
# On restart or upgrade (SIGHUP/SIGTERM) a worker finishes its requests, long-polls included
# (DEVICE_LONG_POLL_SECONDS, 25 s by default), before it is stopped.
graceful_timeout = int(env_str("GUNICORN_GRACEFUL_TIMEOUT", "35"))
# Behind a proxy on the same machine: it reuses connections; longer than the proxy's own
# idle timeout would be pointless, shorter makes it reconnect for every request.
keepalive = int(env_str("GUNICORN_KEEPALIVE", "20"))
# The proxies whose X-Forwarded-Proto (https) gunicorn believes. Django reads the same header
# (SECURE_PROXY_SSL_HEADER); login throttling counts X-Forwarded-For per TRUSTED_PROXY_COUNT.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# "-" is standard output (journald under systemd); a path writes a file for logrotate.
accesslog = env_str("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
# Apache "combined" plus the client address the proxy saw and the request's duration in
# microseconds (the last field; bench/devices.py reads it for the server's latency).
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
)
proc_name = "ttcs-web"
