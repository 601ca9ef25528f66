from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from openprobation.core.models import TimeStampedModel


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


class User(AbstractUser):
    """A member of staff. Placement decides jurisdiction: an office, a region, or national level."""

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

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=True) | Q(region__isnull=True),
                name="user_office_or_region_not_both",
            )
        ]

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
