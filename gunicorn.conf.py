"""gunicorn settings, from the environment (see docs/deploy.md)."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 20000  # recycle workers now and then (not every few seconds under load)
max_requests_jitter = 2000
# Load the app once in the master: a recycled worker is a fork, ready at once, instead of
# importing Django anew while its share of requests waits (seen as p99 spikes under load).
# Deploy new code by restarting gunicorn, not with HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
