"""OpenProbation: an information system for a national probation service."""

from openprobation.celery_app import app as celery_app

__all__ = ["celery_app"]
