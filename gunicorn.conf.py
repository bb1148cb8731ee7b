"""gunicorn's settings for `make serve` and production: `gunicorn -c gunicorn.conf.py` (it serves wsgi:app).

HOST and PORT as for `make run` (or CXCULTURE_BIND, e.g. "0.0.0.0:8000" or "unix:/run/cxculture.sock");
WEB_CONCURRENCY sets the number of worker processes, by default two per core plus one.
"""
import multiprocessing
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("CXCULTURE_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Synchronous workers: pages do no slow work (the job queue does), and each worker holds one database connection.
worker_class = "sync"
# A request still running after this many seconds is killed and its worker replaced.
timeout = 60
# On SIGTERM or Ctrl-C, requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5
# Each worker is replaced after about this many requests (the jitter keeps them from all restarting at once),
# which bounds the memory any slow leak can take.
max_requests = 1000
max_requests_jitter = 100
# Access and error logs on standard output and error, for systemd's journal or the terminal.
accesslog = "-"
errorlog = "-"
# Heartbeat files in memory rather than on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
