from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Office
from openprobation.core.models import TimeStampedModel
from openprobation.people.models import Person


class CaseType(models.TextChoices):
    PRE_TRIAL = "pre_trial", _("Pre-trial probation")
    SENTENCE = "sentence", _("Sentence probation")
    PENITENTIARY = "penitentiary", _("Penitentiary probation")
    POST_PENITENTIARY = "post_penitentiary", _("Post-penitentiary probation")


class SentenceKind(models.TextChoices):
    RESTRICTION_OF_LIBERTY = "restriction_of_liberty", _("Restriction of liberty")
    CONDITIONAL = "conditional", _("Conditional sentence")
    PAROLE = "parole", _("Parole (conditional early release)")
    CORRECTIONAL_LABOUR = "correctional_labour", _("Correctional labour")
    COMMUNITY_SERVICE = "community_service", _("Community service")
    DEPRIVATION_OF_RIGHT = "deprivation_of_right", _("Deprivation of a right")
    DEFERRAL = "deferral", _("Deferral of sentence")
    IMPRISONMENT = "imprisonment", _("Imprisonment")


class RestraintMeasure(models.TextChoices):
    NONE = "none", _("None")
    UNDERTAKING = "undertaking", _("Written undertaking not to leave")
    PERSONAL_SURETY = "personal_surety", _("Personal surety")
    BAIL = "bail", _("Bail")
    HOUSE_ARREST = "house_arrest", _("House arrest")
    DETENTION = "detention", _("Detention in custody")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    AWAITING_REGISTRATION = "awaiting_registration", _("Awaiting registration")
    REGISTERED = "registered", _("Registered")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    WANTED = "wanted", _("Wanted")
    COMPLETED = "completed", _("Completed")
    REVOKED = "revoked", _("Revoked")
    TRANSFERRED = "transferred", _("Transferred out")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    CaseStatus.AWAITING_REGISTRATION,
    CaseStatus.REGISTERED,
    CaseStatus.ACTIVE,
    CaseStatus.SUSPENDED,
    CaseStatus.WANTED,
)


class Case(TimeStampedModel):
    """A probation case of one of the four types, with its legal basis and status."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person"))
    case_type = models.CharField(_("type"), max_length=20, choices=CaseType.choices)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="cases", verbose_name=_("office"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocated_cases",
        verbose_name=_("officer"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.AWAITING_REGISTRATION
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    received_on = models.DateField(_("court order received on"))
    # Legal basis
    court = models.CharField(_("court or body"), max_length=300, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    effective_date = models.DateField(_("date of legal effect"), null=True, blank=True)
    cc_articles = models.CharField(_("Criminal Code articles"), max_length=300, blank=True)
    sentence_kind = models.CharField(_("sentence kind"), max_length=32, choices=SentenceKind.choices, blank=True)
    replaces_punishment = models.BooleanField(
        _("imposed to replace another punishment"),
        default=False,
        help_text=_("A restriction of liberty that replaces another punishment may be shorter than six months."),
    )
    offence_date = models.DateField(
        _("date of the offence"),
        null=True,
        blank=True,
        help_text=_("Decides whether the person was a minor when the offence was committed."),
    )
    term_months = models.PositiveIntegerField(_("imposed term, months"), null=True, blank=True)
    term_days = models.PositiveIntegerField(_("imposed term, days"), default=0)
    term_hours = models.PositiveIntegerField(_("imposed term, hours"), null=True, blank=True)
    control_months = models.PositiveIntegerField(
        _("probation-control period set by the court, months"),
        null=True,
        blank=True,
        help_text=_("Only where the court sets it separately (for example a minor's conditional sentence)."),
    )
    # The current control period: derived from the original decision and the later court
    # decisions in force (``cases.terms``), stored for sorting and the work queues.
    control_start = models.DateField(_("probation control from"), null=True, blank=True)
    control_end = models.DateField(_("probation control until"), null=True, blank=True)
    # The period as the original decision set it; later decisions never change these two.
    ordered_control_start = models.DateField(_("probation control ordered from"), null=True, blank=True)
    ordered_control_end = models.DateField(_("probation control ordered until"), null=True, blank=True)
    control_rule_key = models.CharField(max_length=100, blank=True, editable=False)
    control_rule_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Pre-trial
    restraint_measure = models.CharField(
        _("restraint measure"), max_length=24, choices=RestraintMeasure.choices, blank=True
    )
    consent_given = models.BooleanField(_("consent recorded"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    eligibility = models.JSONField(_("eligibility decision"), default=dict, blank=True)
    # Release-related dates
    institution = models.CharField(_("institution"), max_length=300, blank=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    appeared_on = models.DateField(_("appeared at the office on"), null=True, blank=True)
    # Registration
    registration_due = models.DateField(_("register by"), null=True, blank=True)
    registration_rule_key = models.CharField(max_length=100, blank=True, editable=False)
    registration_rule_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["office", "status", "received_on"], name="case_office_status_idx"),
            models.Index(fields=["officer", "status", "received_on"], name="case_officer_status_idx"),
            models.Index(
                fields=["registration_due"],
                name="case_registration_due_idx",
                condition=Q(status="awaiting_registration"),
            ),
            models.Index(fields=["person", "received_on"], name="case_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(control_end__isnull=True)
                | Q(control_start__isnull=True)
                | Q(control_end__gte=models.F("control_start")),
                name="case_control_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseNumberSequence(models.Model):
    office = models.ForeignKey(Office, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="case_number_seq_unique")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"


class CaseStatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(_("from"), max_length=24, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=CaseStatus.choices)
    reason = models.TextField(_("reason"))
    effective_on = models.DateField(_("effective on"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_status_hist_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class CaseAllocation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    previous_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_alloc_hist_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: → {self.officer_id}"


class CaseTransfer(models.Model):
    """A move of the case to another office. Both offices keep seeing the case's history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="transfers_out")
    to_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="transfers_in")
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["from_office", "case"], name="case_transfer_from_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_office_id} → {self.to_office_id}"


class DecisionKind(models.TextChoices):
    EXTENSION = "extension", _("Probation control extended")
    SHORTENED = "shortened", _("Probation control shortened or ended early")
    DUTIES_CHANGED = "duties_changed", _("Duties added or removed")
    SENTENCE_REPLACED = "sentence_replaced", _("Sentence replaced")
    CONDITIONAL_CANCELLED = "conditional_cancelled", _("Conditional sentence cancelled")


class CourtDecision(models.Model):
    """A court decision made after the case was opened, with its effect. The case's current terms
    are derived from the original legal basis and the decisions in force (``cases.terms``); a
    decision is never edited — a wrong one is corrected by another decision or withdrawn."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind of decision"), max_length=24, choices=DecisionKind.choices)
    court = models.CharField(_("court"), max_length=300)
    number = models.CharField(_("decision number"), max_length=64)
    decision_date = models.DateField(_("decision date"))
    effective_date = models.DateField(_("in force from"))
    # Effects, by kind
    extension_months = models.PositiveIntegerField(_("extended by, months"), null=True, blank=True)
    new_control_end = models.DateField(_("probation control now ends on"), null=True, blank=True)
    new_sentence_kind = models.CharField(_("new punishment"), max_length=32, choices=SentenceKind.choices, blank=True)
    new_term_months = models.PositiveIntegerField(_("new term, months"), null=True, blank=True)
    duties_added = models.JSONField(_("duties added"), default=list, blank=True)
    duties_removed = models.JSONField(_("duties removed"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("court decision")
        verbose_name_plural = _("court decisions")
        indexes = [models.Index(fields=["case", "effective_date"], name="case_decision_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_date__gte=models.F("decision_date")), name="case_decision_effect_after_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.number}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# What a task asks for, by its title code: the title is translated when it is shown, so a task
# created by a nightly job reads in the language of whoever opens it. Apps above ``cases`` add
# their own codes with ``register_task_title`` from ``AppConfig.ready``.
TASK_TITLES: dict[str, Any] = {
    "search_measures": _("Take initial search measures"),
    "materials_to_court": _("Send the materials to court"),
    "prepare_submission": _("Prepare a submission to court"),
}


def register_task_title(code: str, title: Any) -> None:
    """Registering the same code again replaces the title (reloads stay idempotent)."""
    TASK_TITLES[code] = title


class CaseTask(TimeStampedModel):
    """A piece of work on a case with a due date (search measures, materials to court, …), shown
    in the assignee's work queue until it is done or cancelled."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=48)
    title_code = models.CharField(_("title"), max_length=64)
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_tasks",
        verbose_name=_("assignee"),
    )
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    note = models.TextField(_("note"), blank=True)
    source_ref = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["status", "due_on"], name="case_task_status_due_idx"),
            models.Index(fields=["case", "status"], name="case_task_case_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "source_ref"], condition=~Q(source_ref=""), name="case_task_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.due_on}"

    @property
    def title(self) -> str:
        return str(TASK_TITLES.get(self.title_code, self.title_code))
