"""Scheduled jobs of the supervision app (thin: the work is in ``supervision.jobs``)."""

from __future__ import annotations

import logging

from celery import shared_task

from openprobation.supervision.jobs import appointment_reminders_enqueue, appointments_generate

log = logging.getLogger(__name__)


@shared_task
def generate_appointments() -> int:
    created = appointments_generate()
    if created:
        log.info("%s appointment(s) generated ahead", created)
    return created


@shared_task
def send_appointment_reminders() -> int:
    queued = appointment_reminders_enqueue()
    if queued:
        log.info("%s appointment reminder(s) queued", queued)
    return queued
