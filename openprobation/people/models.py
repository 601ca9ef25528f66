from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Office
from openprobation.core.models import TimeStampedModel
from openprobation.core.timeutil import age_on, local_today
from openprobation.people.translit import search_fold

# ISO 3166 alpha-3 code of Kazakhstan, the default citizenship.
KAZAKHSTAN = "KAZ"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")
    UZBEK = "uz", _("Uzbek")
    UYGHUR = "ug", _("Uyghur")
    KYRGYZ = "ky", _("Kyrgyz")
    TAJIK = "tg", _("Tajik")
    OTHER = "other", _("Other")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("In education")
    PENSIONER = "pensioner", _("Pensioner")
    UNABLE = "unable", _("Unable to work")
    UNKNOWN = "unknown", _("Not known")


class Education(models.TextChoices):
    NONE = "none", _("No formal education")
    PRIMARY = "primary", _("Primary")
    BASIC_SECONDARY = "basic_secondary", _("Basic secondary")
    SECONDARY = "secondary", _("General secondary")
    VOCATIONAL = "vocational", _("Technical and vocational")
    HIGHER = "higher", _("Higher")
    UNKNOWN = "unknown", _("Not known")


class Disability(models.IntegerChoices):
    NONE = 0, _("None")
    GROUP_1 = 1, _("Group I")
    GROUP_2 = 2, _("Group II")
    GROUP_3 = 3, _("Group III")


class Person(TimeStampedModel):
    """A person under (or being considered for) probation."""

    iin = models.CharField(_("IIN"), max_length=12, null=True, blank=True)
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    surname_latin = models.CharField(_("surname (Latin)"), max_length=100, blank=True)
    first_name_latin = models.CharField(_("first name (Latin)"), max_length=100, blank=True)
    patronymic_latin = models.CharField(_("patronymic (Latin)"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    citizenship = models.CharField(
        _("citizenship"),
        max_length=3,
        default=KAZAKHSTAN,
        help_text=_("ISO 3166 code; empty for a stateless person."),
        blank=True,
    )
    native_language = models.CharField(
        _("native language"), max_length=8, choices=Language.choices, default=Language.KAZAKH
    )
    languages = models.JSONField(_("languages understood"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    disability_group = models.PositiveSmallIntegerField(
        _("disability group"), choices=Disability.choices, default=Disability.NONE
    )
    pregnant = models.BooleanField(_("pregnant"), default=False)
    raises_children_alone = models.BooleanField(_("raises children alone"), default=False)
    employment_status = models.CharField(
        _("employment"), max_length=16, choices=Employment.choices, default=Employment.UNKNOWN
    )
    education_level = models.CharField(
        _("education"), max_length=16, choices=Education.choices, default=Education.UNKNOWN
    )
    in_education = models.BooleanField(_("currently in education"), default=False)
    registered_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="registered_people", verbose_name=_("registered by office")
    )
    name_key = models.CharField(max_length=220, editable=False, db_index=True)
    # Names (Cyrillic and Latin) folded for search (``fold``): SQLite's case-insensitive LIKE only
    # folds ASCII, so searching "жұмабаев" compares folded text with folded text. On PostgreSQL a
    # trigram index serves the contains search (migration 0003).
    search_text = models.CharField(max_length=620, editable=False, default="")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["surname", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["iin"], condition=Q(iin__isnull=False), name="person_iin_unique"),
            models.CheckConstraint(condition=Q(disability_group__lte=3), name="person_disability_group_valid"),
        ]
        indexes = [
            models.Index(fields=["birth_date", "name_key"], name="person_dup_idx"),
            models.Index(fields=["registered_office"], name="person_office_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.surname, self.first_name, self.patronymic] if p)

    @property
    def full_name_latin(self) -> str:
        return " ".join(p for p in [self.surname_latin, self.first_name_latin, self.patronymic_latin] if p)

    def age_on(self, on: dt.date) -> int:
        return age_on(self.birth_date, on)

    def children_under(self, years: int, *, on: dt.date) -> list[FamilyMember]:
        return [
            m
            for m in self.family.all()
            if m.relation == Relation.CHILD and m.birth_date is not None and age_on(m.birth_date, on) < years
        ]


def fold(text: str) -> str:
    """Names as people type them, for search and near-duplicates: ``translit.search_fold`` (lower
    case, Kazakh letters read as their Russian-keyboard counterparts, ё as е, Latin letters without
    accents). The index (``search_text``, ``name_key``), the query and the duplicate check all use it."""
    return search_fold(text)


def make_search_text(*names: str) -> str:
    return " ".join(fold(n) for n in names if n)


def make_name_key(surname: str, first_name: str) -> str:
    """The surname and first name as near-duplicates are matched: folded like search, so SMITH and
    Smith, or Müller and Muller, are the same name. Cyrillic and Latin names stay apart."""
    return f"{fold(surname)}|{fold(first_name)}"


class AddressKind(models.TextChoices):
    REGISTERED = "registered", _("Registered address")
    ACTUAL = "actual", _("Actual address")


class Address(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices)
    region = models.CharField(_("region"), max_length=120, blank=True)
    locality = models.CharField(_("city or village"), max_length=120)
    street = models.CharField(_("street"), max_length=200, blank=True)
    building = models.CharField(_("building"), max_length=20, blank=True)
    apartment = models.CharField(_("apartment"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="address_one_per_kind")]

    def __str__(self) -> str:
        parts = [self.region, self.locality, self.street, self.building]
        text = ", ".join(p for p in parts if p)
        return f"{text}, {self.apartment}" if self.apartment else text


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    STATELESS = "stateless", _("Stateless person's certificate")
    OTHER = "other", _("Other document")


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    LOST = "lost", _("Lost")
    MISSING = "missing", _("Missing (never issued or not in hand)")


class IdentityDocument(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=40, blank=True)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.VALID)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()

    def expired_on(self, on: dt.date) -> bool:
        """Recorded as expired, or past its validity date (valid until the end of that day)."""
        return self.status == DocumentStatus.EXPIRED or (self.valid_until is not None and self.valid_until < on)

    @property
    def expired(self) -> bool:
        return self.expired_on(local_today())


class Relation(models.TextChoices):
    CHILD = "child", _("Child")
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GUARDIAN = "guardian", _("Guardian")
    OTHER = "other", _("Other relative")


class FamilyMember(TimeStampedModel):
    """A relative; for a minor, parents and guardians are marked as legal representatives."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    full_name = models.CharField(_("full name"), max_length=300)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    dependant = models.BooleanField(_("dependant"), default=False)
    legal_representative = models.BooleanField(_("legal representative of a minor"), default=False)
    lives_with = models.BooleanField(_("lives with the person"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["relation", "birth_date"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relation_display()})"
