"""The Celery application.

Every task declares one of the queues below with `@queued_task(queue=...)`, and is routed there by
`task_routes` (Celery 6 drops per-task queue attributes). A guard test checks that every registered
task has a queue, so that an export storm can never delay a deadline reminder.
"""

import os
from collections.abc import Callable
from typing import Any

from celery import Celery, shared_task
from kombu import Queue

# A worker or beat started without DJANGO_SETTINGS_MODULE runs production settings, never DEBUG.
# Django's own start (manage.py, the WSGI module) has set it before this module is imported.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.production")

QUEUES = ("default", "exports", "reminders")
TASK_QUEUES: dict[str, str] = {}


def queued_task(*, queue: str, name: str = "", **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """`shared_task` that declares the queue the task runs on. Its name is the function's dotted path,
    unless `name` is given (a task kept under the name it had before it moved)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; choose one of {QUEUES}")

    def decorator(function: Callable[..., Any]) -> Any:
        name_ = name or f"{function.__module__}.{function.__name__}"
        TASK_QUEUES[name_] = queue
        return shared_task(name=name_, **options)(function)

    return decorator


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict[str, str] | None:
    queue = TASK_QUEUES.get(name)
    return {"queue": queue} if queue else None


app = Celery("upr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_default_queue = "default"
app.conf.task_routes = (route_task,)
app.autodiscover_tasks()
