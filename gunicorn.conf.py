"""gunicorn settings for `make serve` (manage.py serve); every value can be set from the env.

Workers: WEB_CONCURRENCY, default 2 × CPU cores + 1 (gunicorn's own advice: pages spend
part of their time waiting on PostgreSQL, so one process per core leaves cores idle).
Each worker holds one database connection (CONN_MAX_AGE), so workers × app servers must
stay below PostgreSQL's max_connections.
Put a buffering proxy (nginx, a load balancer, a CDN) in front: sync workers should not
talk to slow clients directly.
"""

import multiprocessing
import os

from publication.env import env_int
from publication.logs import json_stdout_logging

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{env_int('PORT', default=8000, minimum=1)}"
workers = env_int("WEB_CONCURRENCY", default=multiprocessing.cpu_count() * 2 + 1, minimum=1)
# Sync workers by default (one request at a time per process, a new connection per
# request). GUNICORN_THREADS > 1 switches to gthread: keep-alive connections and threads
# that overlap database and cache waits. On 2 cores with 2 workers (make bench, 8
# connections) 4 threads served about twice the requests/second of sync workers, cached
# pages and the ceiling alike, because no request pays for a new TCP connection; behind a
# proxy that does not keep upstream connections alive that part of the gain is lost.
threads = env_int("GUNICORN_THREADS", default=1, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = env_int("GUNICORN_TIMEOUT", default=30)
graceful_timeout = 20
# Recycle workers now and then so a slow leak cannot grow without bound; rarely, because
# cached pages are served at thousands a second and a restart costs a cold worker.
max_requests = env_int("GUNICORN_MAX_REQUESTS", default=100000)
max_requests_jitter = max_requests // 10
# gunicorn's control socket (for gunicornc) defaults to one path per user account, so
# two app servers on one machine, or a test run beside the site, took it from each other.
control_socket_disable = True
# Django logs every request as JSON (publication.middleware.RequestLogMiddleware).
accesslog = None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
logconfig_dict = json_stdout_logging(
    # gunicorn's default root level is INFO, which applied until Django set up its own
    # logging: each worker's start logged the embedded PostgreSQL's three INFO lines.
    root={"handlers": ["console"], "level": "WARNING"},
    loggers={"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
)
