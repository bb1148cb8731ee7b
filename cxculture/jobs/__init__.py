"""The job queue: a Celery app built with the Flask app, its tasks and its schedule; areas enqueue, it runs them."""
