"""gunicorn's settings for production: `gunicorn -c deploy/gunicorn.conf.py tracker.wsgi`.

Everything can be overridden on the command line or with GUNICORN_CMD_ARGS."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # behind Caddy (deploy/Caddyfile) only
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# A worker stuck for 30 s is restarted; the API's slowest request (an export) takes well under that.
timeout = 30
graceful_timeout = 20
# Request lines of any length reach Django, which answers an over-long URL with a JSON 414 (gunicorn's
# own answer would be an HTML page). The proxy in front caps what it forwards (Caddy: 1 MiB of headers).
limit_request_line = 0
# No access log here: Caddy writes one (without bodies); the app's own JSON log has the request ids.
accesslog = None
errorlog = "-"
# Restart workers now and then so that no slow leak can grow without bound.
max_requests = 20000
max_requests_jitter = 2000
# No control socket: gunicorn would create it under $HOME, which is read-only under systemd's
# ProtectSystem=strict and in the container image.
control_socket_disable = True
