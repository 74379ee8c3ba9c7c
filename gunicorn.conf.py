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
max_requests = 2000  # recycle workers now and then (memory held by pandas and caches is returned)
max_requests_jitter = 200
accesslog = "-"
