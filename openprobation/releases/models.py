"""Penitentiary probation: the release plan of a person in prison (opened some months before the
release date, rulebook ``penitentiary.release_preparation``), its items in the eight areas of
reintegration, each with an owner and a status, the advance notice to the receiving office
(``release.handover_notice``) and the handover on release to a case of the receiving office."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openprobation.accounts.models import Office
from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel
from openprobation.people.models import Person
from openprobation.programmes.models import PartnerOrganisation


class Area(models.TextChoices):
    """The areas of reintegration a release plan covers (the issue's list, in its order)."""

    HOUSING = "housing", _("Housing")
    DOCUMENTS = "documents", _("Identity documents")
    EMPLOYMENT = "employment", _("Employment or training")
    HEALTH = "health", _("Health and medicines")
    BENEFITS = "benefits", _("Benefits")
    FAMILY = "family", _("Family contact")
    TRAVEL = "travel", _("Travel home")
    REGISTRATION = "registration", _("Registration with the probation service")


class HandoverKind(models.TextChoices):
    """What the person is released to: post-penitentiary probation, or a sentence case for parole
    (conditional early release) or a deferral of the sentence."""

    POST_PENITENTIARY = "post_penitentiary", _("Post-penitentiary probation")
    PAROLE = "parole", _("Parole (conditional early release)")
    DEFERRAL = "deferral", _("Deferral of sentence")


# The handover kinds that open a sentence case (the court's decision is needed for it).
SENTENCE_KINDS = (HandoverKind.PAROLE, HandoverKind.DEFERRAL)


class PlanStatus(models.TextChoices):
    """The stored status; "ready" is derived from the items (``readiness.plan_readiness``)."""

    OPEN = "open", pgettext_lazy("release plan status", "Open")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


class ItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("release plan item status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_NEEDED = "not_needed", _("Not needed")


class ReleasePlan(TimeStampedModel):
    """One plan per penitentiary case."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="release_plan")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="release_plans")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="release_plans")
    release_date = models.DateField(_("expected release date"))
    opens_on = models.DateField(_("preparation starts on"))
    rule_key = models.CharField(max_length=64)
    rule_version = models.PositiveIntegerField()
    receiving_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arriving_release_plans",
        verbose_name=_("receiving office"),
    )
    handover_kind = models.CharField(
        _("released to"), max_length=20, choices=HandoverKind.choices, default=HandoverKind.POST_PENITENTIARY
    )
    # The court's decision a parole or deferral case is opened from (not needed for post-penitentiary).
    decision_court = models.CharField(_("court"), max_length=300, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_effective_date = models.DateField(_("date of legal effect"), null=True, blank=True)
    term_months = models.PositiveIntegerField(_("term, months"), null=True, blank=True)
    term_days = models.PositiveIntegerField(_("term, days"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    notice_due_on = models.DateField(_("receiving office told from"), null=True, blank=True)
    notice_rule_key = models.CharField(max_length=64, blank=True)
    notice_rule_version = models.PositiveIntegerField(null=True, blank=True)
    notified_at = models.DateTimeField(_("receiving office told at"), null=True, blank=True)
    notified_office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    handed_over_case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="handed_over_from"
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["release_date", "id"]
        verbose_name = _("release plan")
        verbose_name_plural = _("release plans")
        indexes = [
            models.Index(fields=["office", "status", "release_date"], name="release_plan_office"),
            models.Index(
                fields=["receiving_office", "release_date"],
                name="release_plan_arriving",
                condition=Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.release_date:%d.%m.%Y}"

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN


class ReleasePlanItem(TimeStampedModel):
    plan = models.ForeignKey(ReleasePlan, on_delete=models.CASCADE, related_name="items")
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    owner_name = models.CharField(_("owner"), max_length=300, blank=True)
    owner_organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="release_plan_items",
        verbose_name=_("partner organisation"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="release_plan_items",
        verbose_name=_("member of staff"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("release plan item")
        constraints = [models.UniqueConstraint(fields=["plan", "area"], name="release_item_one_per_area")]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_status_display()}"

    @property
    def owner_text(self) -> str:
        parts = [
            self.owner_name,
            str(self.owner_organisation) if self.owner_organisation_id else "",
            self.owner_user.display_name if self.owner_user_id and self.owner_user else "",
        ]
        return " · ".join(p for p in parts if p)


class EventKind(models.TextChoices):
    OPENED = "opened", _("Plan opened")
    ITEM = "item", _("Item updated")
    DATE_CHANGED = "date_changed", _("Release date changed")
    HANDOVER_DETAILS = "handover_details", _("Receiving office and handover set")
    NOTIFIED = "notified", _("Receiving office told")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


class ReleasePlanEvent(models.Model):
    """The plan's history: every change, with what it was before and after."""

    plan = models.ForeignKey(ReleasePlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    item = models.ForeignKey(ReleasePlanItem, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.kind}"
