"""Gunicorn in the image and in docker-compose.yml (`gunicorn -c config/gunicorn.py`), behind Caddy.

Threads rather than only processes: Caddy streams a request body at the client's pace, so a slow 20 MiB upload holds
one thread, not a whole worker process. Workers and threads can be raised from the environment.
"""

import os

bind = "0.0.0.0:8000"
wsgi_app = "config.wsgi:application"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Below Caddy's 2-minute wait for a response: a stuck request is ended here first, and logged.
timeout = 60
graceful_timeout = 30
# Above Caddy's idle time for kept-alive upstream connections would be wasted; a few seconds suffices.
keepalive = 5
# Recycled now and then, so a slow leak in a library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
