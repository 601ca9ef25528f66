"""The statutory measures of social and legal assistance (LoP art. 6, Rules 1131) and the kinds of
partner organisation that deliver them.

The catalogue is declared in code, not as editable data: the measures are the Law's list, and every
programme, organisation's services and referral names them by code. Each measure belongs to one of
the Law's four groups and answers one or more need domains of the needs instrument (the domain codes
of ``assessments/fixtures/instruments.json``), so a programme built from a needs assessment can
propose measures for the person's priority needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureGroup(models.IntegerChoices):
    """The four groups of LoP art. 6 (as summarised in the domain notes, section 7)."""

    SERVICES = 1, _("Health, education, work and benefits")
    NETWORK = 2, _("Restoring a supportive network")
    ADAPTATION = 3, _("Social and domestic adaptation")
    ADVICE = 4, _("Advice and documents")


class Measure(models.TextChoices):
    HEALTH_CARE = "health_care", _("Health care")
    SECONDARY_EDUCATION = "secondary_education", _("Secondary education")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training or retraining")
    EMPLOYMENT = "employment", _("Employment assistance")
    PSYCHOLOGICAL_SUPPORT = "psychological_support", _("Psychological support")
    BENEFITS = "benefits", _("Benefits and social payments")
    COUNSELLING = "counselling", _("Social and psychological counselling")
    SOCIAL_PATRONAGE = "social_patronage", _("Social patronage")
    FAMILY_TIES = "family_ties", _("Restoring family ties (with mutual consent)")
    HOUSING = "housing", _("A place to stay")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    CULTURAL = "cultural", _("Cultural activities")
    LEGAL_ADVICE = "legal_advice", _("Social and legal advice")
    IDENTITY_DOCUMENTS = "identity_documents", _("Restoring identity documents")


@dataclass(frozen=True)
class MeasureInfo:
    code: str
    group: int
    domains: tuple[str, ...]  # need domains of the needs instrument this measure answers


MEASURES: dict[str, MeasureInfo] = {
    info.code: info
    for info in (
        MeasureInfo(Measure.HEALTH_CARE, MeasureGroup.SERVICES, ("substance_use", "mental_health")),
        MeasureInfo(Measure.SECONDARY_EDUCATION, MeasureGroup.SERVICES, ("education_employment",)),
        MeasureInfo(Measure.VOCATIONAL_TRAINING, MeasureGroup.SERVICES, ("education_employment",)),
        MeasureInfo(Measure.EMPLOYMENT, MeasureGroup.SERVICES, ("education_employment", "finances")),
        MeasureInfo(Measure.PSYCHOLOGICAL_SUPPORT, MeasureGroup.SERVICES, ("mental_health", "attitudes")),
        MeasureInfo(Measure.BENEFITS, MeasureGroup.SERVICES, ("finances",)),
        MeasureInfo(Measure.COUNSELLING, MeasureGroup.NETWORK, ("relationships", "associates", "attitudes")),
        MeasureInfo(Measure.SOCIAL_PATRONAGE, MeasureGroup.NETWORK, ("associates", "relationships")),
        MeasureInfo(Measure.FAMILY_TIES, MeasureGroup.NETWORK, ("relationships",)),
        MeasureInfo(Measure.HOUSING, MeasureGroup.ADAPTATION, ("accommodation",)),
        MeasureInfo(Measure.REHABILITATION, MeasureGroup.ADAPTATION, ("substance_use", "mental_health")),
        MeasureInfo(Measure.CULTURAL, MeasureGroup.ADAPTATION, ("associates",)),
        MeasureInfo(Measure.LEGAL_ADVICE, MeasureGroup.ADVICE, ("finances", "documents")),
        MeasureInfo(Measure.IDENTITY_DOCUMENTS, MeasureGroup.ADVICE, ("documents",)),
    )
}


def measures_for_domain(domain: str) -> list[str]:
    """The measures that answer a need domain, in catalogue order."""
    return [code for code, info in MEASURES.items() if domain in info.domains]


class NeedDomain(models.TextChoices):
    """The need domains of a programme's goals: those of the needs instrument (v1), so goals and
    assessed needs line up; ``other`` for a need the officer's study found outside them."""

    EDUCATION_EMPLOYMENT = "education_employment", _("Education, training and employment")
    ACCOMMODATION = "accommodation", _("Accommodation")
    FINANCES = "finances", _("Finances and benefits")
    RELATIONSHIPS = "relationships", _("Family and relationships")
    ASSOCIATES = "associates", _("Associates and leisure")
    SUBSTANCE_USE = "substance_use", _("Alcohol and drugs")
    ATTITUDES = "attitudes", _("Attitudes and thinking")
    MENTAL_HEALTH = "mental_health", _("Health and emotional well-being")
    DOCUMENTS = "documents", _("Identity documents and legal status")
    OTHER = "other", _("Other")


class OrganisationKind(models.TextChoices):
    AKIMAT = "akimat", _("Akimat department")
    EMPLOYMENT_CENTRE = "employment_centre", _("Employment centre")
    HEALTH = "health", _("Health organisation")
    EDUCATION = "education", _("Education organisation")
    SOCIAL_PROTECTION = "social_protection", _("Social protection")
    NGO = "ngo", _("Non-governmental organisation")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EMPLOYER = "employer", _("Employer")
    CONTRACTOR = "contractor", _("Contractor")
    GUARDIANSHIP = "guardianship", _("Guardianship and custody body")
    CHILD_RIGHTS = "child_rights", _("Child-rights organisation")


class CapacityPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


def measure_label(code: str) -> Any:
    try:
        return Measure(code).label
    except ValueError:
        return code
