"""Production serving: `gunicorn -c gunicorn.conf.py app:server` (settings from the environment, defaults below).

Threaded workers (gthread): a slow client or an idle keep-alive connection holds one thread, never a whole worker,
so a few idle connections cannot starve the pool as they do sync workers. Behind a reverse proxy (nginx, Caddy…)
that buffers requests and answers, terminates TLS and sets X-Forwarded-For/-Proto.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Above the slowest request (an annual report's PDF at five years of data takes a few seconds): a worker stuck for
# longer is restarted rather than left holding its threads.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection is kept: it holds a thread, not a worker
# Recycle a worker now and then to return the memory pandas holds; rarely, since a new worker starts with empty caches
# (each read is cached per data revision in its process) and its first requests pay every query again.
max_requests = 50_000
max_requests_jitter = 5_000
accesslog = "-"
