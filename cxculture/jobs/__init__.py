"""The job queue: a Celery app built with the Flask app (as Flask's own docs show), its tasks and its schedule.

Areas ask for jobs by name through cxculture/background.py; this package runs them, each in an app context.
Every task is idempotent and its durable record is a row in the app's database, so a lost or repeated message
loses or duplicates nothing. The worker and the scheduler load `wsgi:celery_app`:
    celery -A wsgi:celery_app worker        (as many as needed, on any host)
    celery -A wsgi:celery_app beat          (on one host or several: one sends at a time, see scheduler.py)
"""
from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from flask import Flask

from .. import background
from .schedule import beat_schedule
from .tasks import register_tasks

#: Seconds a publisher waits for the broker: a page that commits an outbox row never waits longer than this.
BROKER_CONNECT_TIMEOUT = 2


def celery_config(app: Flask) -> dict:
    """Celery's settings from the app's configuration (BROKER_URL and the JOBS_* keys)."""
    return {
        "broker_url": app.config["BROKER_URL"],
        "broker_connection_retry_on_startup": True,  # a worker started before Redis waits for it
        # A publisher (a web request after its commit) tries once and gives up quickly: the periodic round of the
        # job does the work later.
        "broker_connection_timeout": BROKER_CONNECT_TIMEOUT,
        "broker_transport_options": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                     "interval_max": 0.5, "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
                                     "socket_timeout": 10},
        "task_publish_retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                      "interval_max": 0.5},
        "task_default_queue": "cxculture",
        "task_ignore_result": True,  # results live in the app's database (outbox rows), never in the broker
        # A task is acknowledged when it has run, so a worker lost mid-task leaves it for another: every task is
        # idempotent.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_time_limit": 600,
        "task_soft_time_limit": 540,
        "worker_prefetch_multiplier": 1,
        "worker_max_tasks_per_child": 1000,  # recycle worker processes, as gunicorn recycles its workers
        "timezone": "UTC",
        "enable_utc": True,
        "download_time_limit": app.config["DOWNLOAD_TIME_LIMIT_SECONDS"],  # read by register_tasks
        "beat_schedule": beat_schedule(app.config),
        # Every host may run the scheduler: only the one holding the database lease sends (scheduler.py).
        "beat_scheduler": "cxculture.jobs.scheduler:SingleBeatScheduler",
        "beat_max_loop_interval": 15,
        "beat_schedule_filename": str(Path(app.instance_path) / "celerybeat-schedule"),
    }


def init_app(app: Flask) -> Celery:
    """Build `app`'s Celery app, register the tasks, and let the areas send jobs through background.py."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.import_name, task_cls=FlaskTask, set_as_current=False)
    celery_app.conf.update(celery_config(app))
    celery_app.flask_app = app  # the scheduler reads its lease in the app's database
    names = register_tasks(celery_app)
    app.extensions["celery"] = celery_app

    def send(name: str, args: tuple) -> None:
        celery_app.send_task(name, args=args)

    background.set_queue(app, send, names)
    return celery_app
