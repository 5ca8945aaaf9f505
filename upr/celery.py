"""The Celery application.

Every task declares one of the queues below; a guard test enforces it, so that an export
storm can never delay a deadline reminder.
"""
import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upr.settings.dev")

QUEUES = ("default", "exports", "reminders")

app = Celery("upr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_default_queue = "default"
app.autodiscover_tasks()
