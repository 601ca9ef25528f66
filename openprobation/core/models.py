from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    """Base model: creation and modification times, aware and in UTC."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
