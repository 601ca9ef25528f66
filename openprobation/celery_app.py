"""The Celery application (production: a broker in CELERY_BROKER_URL; embedded: tasks run eagerly
and `openprobation run` schedules them in-process)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")

app = Celery("openprobation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
