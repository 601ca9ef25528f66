from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from openprobation.core.models import TimeStampedModel
from openprobation.core.timeutil import validate_time_zone


class LocalizedName:
    """``name`` in the active language (kk, ru, en), falling back to English."""

    name_en: str

    @property
    def name(self) -> str:
        lang = (get_language() or "en")[:2]
        return str(getattr(self, f"name_{lang}", None) or self.name_en)


class Region(LocalizedName, TimeStampedModel):
    """An oblast or city of republican significance; its department runs the district offices."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Office(LocalizedName, TimeStampedModel):
    """A district (city) probation office."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="offices", verbose_name=_("region"))
    code = models.CharField(_("code"), max_length=16, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    officer_capacity = models.PositiveIntegerField(
        _("cases per officer (capacity)"),
        default=40,
        help_text=_("Caseload an officer of this office is expected to carry; used on the head's caseload view."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Almaty",
        validators=[validate_time_zone],
        help_text=_("IANA time zone of the office: curfews and other local times are read in it."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("probation office")
        verbose_name_plural = _("probation offices")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", _("Probation officer")
    SENIOR_OFFICER = "senior_officer", _("Senior probation officer")
    HEAD_OF_OFFICE = "head_of_office", _("Head of office")
    REGIONAL_ADMIN = "regional_admin", _("Regional administrator")
    MONITORING_OPERATOR = "monitoring_operator", _("Monitoring operator")
    PARTNER_STAFF = "partner_staff", _("Partner-agency staff")
    COURT_LIAISON = "court_liaison", _("Court liaison")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class Placement(StrEnum):
    """The level a member of staff works at: where they are placed decides their jurisdiction."""

    OFFICE = "office"  # an office, no region
    REGION = "region"  # a region, no office
    NATIONAL = "national"  # neither


# The level each role works at (with ``roles.ROLE_CAPS`` and ``scoping.ROLE_SCOPE``, the third table
# a role is declared by). It lives here, beside ``Role``, because the database constraint on
# ``User`` is built from it. A user whose placement does not match their role is refused by
# ``User.clean``, by the database (while active) and by ``scoping.level_of`` (sees nothing).
ROLE_PLACEMENT: dict[str, frozenset[Placement]] = {
    Role.OFFICER: frozenset({Placement.OFFICE}),
    Role.SENIOR_OFFICER: frozenset({Placement.OFFICE}),
    Role.HEAD_OF_OFFICE: frozenset({Placement.OFFICE}),
    Role.COURT_LIAISON: frozenset({Placement.OFFICE}),  # works with the courts of one district
    Role.REGIONAL_ADMIN: frozenset({Placement.REGION}),
    # Scoped by relationship (partner staff, monitoring operators) or not by geography at all:
    # an office or region would mean nothing for them, so they have none.
    Role.MONITORING_OPERATOR: frozenset({Placement.NATIONAL}),
    Role.PARTNER_STAFF: frozenset({Placement.NATIONAL}),
    Role.AUDITOR: frozenset({Placement.NATIONAL}),
    Role.SYSTEM_ADMIN: frozenset({Placement.NATIONAL}),
    # The jurisdiction of their statistics.
    Role.ANALYST: frozenset({Placement.OFFICE, Placement.REGION, Placement.NATIONAL}),
}

PLACEMENT_Q: dict[Placement, Q] = {
    Placement.OFFICE: Q(office__isnull=False, region__isnull=True),
    Placement.REGION: Q(office__isnull=True, region__isnull=False),
    Placement.NATIONAL: Q(office__isnull=True, region__isnull=True),
}

ROLE_PLACEMENT_CODE = "role_placement"


def placement_of(*, office_id: int | None, region_id: int | None) -> Placement | None:
    """The level an office/region pair places someone at (None for both at once: no level)."""
    if office_id and region_id:
        return None
    if office_id:
        return Placement.OFFICE
    if region_id:
        return Placement.REGION
    return Placement.NATIONAL


def placement_matches(*, role: str, office_id: int | None, region_id: int | None) -> bool:
    level = placement_of(office_id=office_id, region_id=region_id)
    return level is not None and level in ROLE_PLACEMENT.get(role, frozenset())


def placement_error(*, role: str, office_id: int | None, region_id: int | None) -> str | None:
    """What is wrong with placing a ``role`` at this office/region, translated; None when it fits."""
    if placement_matches(role=role, office_id=office_id, region_id=region_id):
        return None
    levels = ROLE_PLACEMENT.get(role, frozenset())
    label = str(Role(role).label) if role in Role.values else role
    if office_id and region_id:
        return str(_("Choose an office or a region, not both."))
    if levels == {Placement.OFFICE}:
        return str(
            _("A member of staff with the role “%(role)s” works in an office: choose the office (and no region).")
            % {"role": label}
        )
    if levels == {Placement.REGION}:
        return str(
            _("A member of staff with the role “%(role)s” works for a region: choose the region (and no office).")
            % {"role": label}
        )
    if levels == {Placement.NATIONAL}:
        return str(
            _("A member of staff with the role “%(role)s” works nationally: leave the office and the region empty.")
            % {"role": label}
        )
    return str(_("This role cannot be given to a member of staff."))


def role_placement_q() -> Q:
    """Rows whose placement matches their role (built from ``ROLE_PLACEMENT``, for the constraint)."""
    condition: Q | None = None
    for level in Placement:
        roles = sorted(str(role) for role, levels in ROLE_PLACEMENT.items() if level in levels)
        part = Q(role__in=roles) & PLACEMENT_Q[level]
        condition = part if condition is None else condition | part
    assert condition is not None  # noqa: S101 - Placement is not empty
    return condition


class StaffManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        # A superuser administers the system; any other role would need a placement.
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A member of staff. Placement decides jurisdiction: an office, a region, or national level,
    as the role requires (``ROLE_PLACEMENT``)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.OFFICER)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("office")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("region")
    )
    monitored_regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="monitoring_staff",
        verbose_name=_("regions monitored"),
        help_text=_("Monitoring operators: the regions whose electronically monitored people they watch."),
    )
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
        default="ru",
    )

    objects: ClassVar[StaffManager] = StaffManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=True) | Q(region__isnull=True),
                name="user_office_or_region_not_both",
            ),
            # Inactive rows are exempt only so that accounts placed wrongly before this rule could be
            # deactivated rather than lost (migration 0003); they cannot be reactivated unchanged.
            models.CheckConstraint(
                condition=Q(is_active=False) | role_placement_q(),
                name="user_placement_matches_role",
                violation_error_code=ROLE_PLACEMENT_CODE,
            ),
        ]

    def clean(self) -> None:
        super().clean()
        error = placement_error(role=self.role, office_id=self.office_id, region_id=self.region_id)
        if error:
            raise ValidationError({"office": ValidationError(error, code=ROLE_PLACEMENT_CODE)})

    def validate_constraints(self, exclude: Any = None) -> None:
        # ``clean`` reports a mismatched placement with a message that says what the role needs;
        # the constraint's own generic message would only repeat it.
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            kept = {
                field: [e for e in errors if getattr(e, "code", None) != ROLE_PLACEMENT_CODE]
                for field, errors in error.error_dict.items()
            }
            kept = {field: errors for field, errors in kept.items() if errors}
            if kept:
                raise ValidationError(kept) from error

    def __str__(self) -> str:
        full = " ".join(p for p in [self.last_name, self.first_name] if p)
        return full or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class ApiToken(TimeStampedModel):
    """An API token. Only a SHA-256 digest of the secret is stored (the secret is shown once, at
    issue) with a short prefix to tell tokens apart. It ends at ``expires_at``, after the idle
    timeout, when revoked, or when the user's password changes: ``password_state`` is the user's
    session auth hash at issue (derived from the password hash), compared on every use, so any
    path that changes the password ends every token."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("staff member"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    password_state = models.CharField(max_length=128)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.label}".strip()
