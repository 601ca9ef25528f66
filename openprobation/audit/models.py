from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One append-only, keyed record of a change, a sensitive read or a search.

    ``hash`` = HMAC-SHA256, under the chain key named by ``key_id`` (kept outside the database),
    over this event's canonical content (``prev_hash`` empty); once committed the event is sealed
    into an ``AuditSeal``, so an edited or deleted row is reported (``openprobation audit-verify``)
    and cannot be re-hashed without the key. Events written before the seals were chained one by
    one: ``prev_hash`` is the previous event's hash and the HMAC covers it; events written before
    the chain was keyed have an empty ``key_id`` and a plain SHA-256 hash. Database triggers refuse
    UPDATE and DELETE on this table as well.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=64, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    subject_repr = models.CharField(_("subject"), max_length=300, blank=True)
    changes = models.JSONField(_("changes (old → new)"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.CharField(_("client address"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "id"], name="audit_subject_idx"),
            models.Index(fields=["actor", "id"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.subject_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """The end of the trail: the last event of the chained (pre-seal) history (``last_id``,
    ``last_hash``), the last seal (``seal_id``, ``seal_hash``) and the number of events they cover.

    Only the sealer updates it (one at a time, under its row lock), so verification notices seals or
    chained events removed from the end.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    seal_id = models.BigIntegerField(default=0)
    seal_hash = models.CharField(max_length=64, blank=True, default="")
    # The sealer's bookmark (not part of what is verified): the highest event id it has sealed, and
    # the ids below it it has not seen committed yet (transactions still open, or rolled back).
    sealed_to = models.BigIntegerField(default=0)
    gaps = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_id} {self.last_hash[:12]}"


class AuditSeal(models.Model):
    """One append-only batch of events: HMAC-SHA256, under the chain key, over the previous seal's
    hash and every member's id and hash, in id order (``events``, comma-separated). The first seal
    links to the last event of the chained history, so the whole trail is one verifiable sequence."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)
    key_id = models.CharField(max_length=16)
    events = models.TextField()
    count = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit seal")

    def __str__(self) -> str:
        return f"seal #{self.id} ({self.count}) {self.hash[:12]}"

    def member_ids(self) -> list[int]:
        return [int(part) for part in self.events.split(",") if part]


class AuditSealMember(models.Model):
    """Which seal holds an event (append-only; one row per sealed event), so the events not sealed yet
    are one indexed anti-join."""

    event_id = models.BigIntegerField(primary_key=True)
    seal = models.ForeignKey(AuditSeal, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")

    class Meta:
        verbose_name = _("audit seal member")

    def __str__(self) -> str:
        return f"event #{self.event_id} in seal #{self.seal_id}"
