"""The registry of partner organisations: reads scoped to the user's region (national staff: all),
writes by the head of office and the regional administrator of the organisation's region, and the
tie of a partner-staff user to their organisation.

Organisations hold no personal data of the people on probation, so reading them is not audited;
every change is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, Region, Role, User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import Level, Scope, level_of, scope_of
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.people.models import Language
from openprobation.programmes.catalogue import MEASURES, CapacityPeriod, OrganisationKind
from openprobation.programmes.models import PartnerOrganisation, PartnerStaff

MAX_CAPACITY = 100_000
LANGUAGES = tuple(Language.values)  # the languages the people on probation speak
# Who keeps the registry of their region.
REGISTRY_KEEPERS = (Role.HEAD_OF_OFFICE, Role.REGIONAL_ADMIN)


def user_region_id(user: Any) -> int | None:
    """The region of an office- or region-level member of staff (None for national staff)."""
    level = level_of(user)
    if level is Level.OFFICE:
        office = user.office
        return office.region_id if office is not None else None
    if level is Level.REGION:
        return int(user.region_id)
    return None


def organisation_qs_for_user(user: Any) -> QuerySet[PartnerOrganisation]:
    """Organisations the user may see: those of their region (national staff: all); none for
    anyone who works with no cases."""
    if not has_cap(user, Cap.CASE_VIEW) or scope_of(user) is not Scope.JURISDICTION:
        return PartnerOrganisation.objects.none()
    base = PartnerOrganisation.objects.select_related("region")
    level = level_of(user)
    if level is Level.NATIONAL:
        return base
    region_id = user_region_id(user)
    if region_id is None:
        return PartnerOrganisation.objects.none()
    return base.filter(region_id=region_id)


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""
    kind: str = ""
    district: int | None = None
    measure: str = ""
    active: str = "yes"  # yes / no / all


def organisation_list(*, user: Any, filters: OrganisationFilters) -> QuerySet[PartnerOrganisation]:
    qs = organisation_qs_for_user(user)
    if filters.q.strip():
        term = filters.q.strip()[:100]
        qs = qs.filter(Q(name__icontains=term) | Q(name_kk__icontains=term) | Q(bin=term))
    if filters.kind in OrganisationKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.district:
        qs = qs.filter(districts__pk=filters.district)
    if filters.measure in MEASURES:
        # JSON containment is not on SQLite: match the quoted code in the stored list.
        qs = qs.filter(services__icontains=f'"{filters.measure}"')
    if filters.active == "yes":
        qs = qs.filter(active=True)
    elif filters.active == "no":
        qs = qs.filter(active=False)
    return qs.prefetch_related("districts").distinct()


def organisation_detail(*, user: Any, pk: int) -> PartnerOrganisation:
    """Raises PartnerOrganisation.DoesNotExist (a 404) outside the user's region."""
    return organisation_qs_for_user(user).prefetch_related("districts", "staff__user").get(pk=pk)


def may_keep(user: Any, region_id: int | None) -> bool:
    """May ``user`` create or change organisations of this region?"""
    if getattr(user, "role", "") not in REGISTRY_KEEPERS or not has_cap(user, Cap.CASE_VIEW):
        return False
    return region_id is not None and user_region_id(user) == region_id


@dataclass
class OrganisationInput:
    name: str
    kind: str
    region: Region | None = None
    name_kk: str = ""
    bin: str = ""
    districts: list[Office] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    capacity: int | None = None
    capacity_period: str = CapacityPeriod.MONTH
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    languages: list[str] = field(default_factory=list)
    active: bool = True


def _clean(data: OrganisationInput, region: Region) -> dict[str, Any]:
    name = (data.name or "").strip()
    if not name:
        raise DomainError(_("Enter the organisation's name."), field="name")
    if len(name) > 300 or len(data.name_kk or "") > 300:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": 300}, field="name")
    if data.kind not in OrganisationKind.values:
        raise DomainError(_("Choose a kind of organisation."), field="kind")
    bin_ = (data.bin or "").strip()
    if bin_ and not (len(bin_) == 12 and bin_.isascii() and bin_.isdigit()):
        raise DomainError(_("A BIN is 12 digits."), field="bin")
    services = list(dict.fromkeys(data.services or []))
    unknown = [code for code in services if not isinstance(code, str) or code not in MEASURES]
    if unknown:
        raise DomainError(_("Unknown measure: %(code)s.") % {"code": str(unknown[0])[:40]}, field="services")
    outside = [office for office in data.districts if office.region_id != region.pk]
    if outside:
        raise DomainError(
            _("%(office)s is not an office of the organisation's region.") % {"office": outside[0]}, field="districts"
        )
    capacity = data.capacity
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
        raise DomainError(_("Enter a whole number."), field="capacity")
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        raise DomainError(_("Enter a number of places from 0 to %(n)s.") % {"n": MAX_CAPACITY}, field="capacity")
    if data.capacity_period not in CapacityPeriod.values:
        raise DomainError(_("Choose a period."), field="capacity_period")
    languages = list(dict.fromkeys(data.languages or []))
    if any(code not in LANGUAGES for code in languages):
        raise DomainError(_("Choose languages from the list."), field="languages")
    texts = {"contact_person": 200, "phone": 40, "email": 254, "address": 300}
    cleaned: dict[str, Any] = {}
    for name_, limit in texts.items():
        value = getattr(data, name_)
        value = value.strip() if isinstance(value, str) else ""
        if len(value) > limit:
            raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=name_)
        cleaned[name_] = value
    return {
        "name": name,
        "name_kk": (data.name_kk or "").strip(),
        "kind": data.kind,
        "bin": bin_,
        "services": services,
        "capacity": capacity,
        "capacity_period": data.capacity_period,
        "languages": languages,
        "active": bool(data.active),
        **cleaned,
    }


def _fields(org: PartnerOrganisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "kind": org.kind,
        "services": list(org.services or []),
        "capacity": org.capacity,
        "capacity_period": org.capacity_period,
        "active": org.active,
        "districts": sorted(org.districts.values_list("pk", flat=True)),
    }


def organisation_create(*, actor: User, data: OrganisationInput) -> PartnerOrganisation:
    """Register an organisation in the actor's region (the head of office: their office's region)."""
    region = data.region
    if region is None:
        region_id = user_region_id(actor)
        region = Region.objects.filter(pk=region_id).first() if region_id else None
    if region is None or not may_keep(actor, region.pk):
        raise PermissionDeniedError(_("You may not register organisations of this region."))
    cleaned = _clean(data, region)
    with transaction.atomic():
        org = PartnerOrganisation.objects.create(region=region, created_by=actor, **cleaned)
        org.districts.set(data.districts)
        audit_record(
            actor=actor,
            action="partner_organisation.create",
            subject=org,
            changes={k: [None, v] for k, v in _fields(org).items()},
        )
    return org


def organisation_update(
    *, actor: User, organisation: PartnerOrganisation, data: OrganisationInput
) -> PartnerOrganisation:
    """Change an organisation (deactivating it is ``active=False``: organisations are never deleted)."""
    with transaction.atomic():
        locked = (
            PartnerOrganisation.objects.select_for_update(of=("self",)).select_related("region").get(pk=organisation.pk)
        )
        if not may_keep(actor, locked.region_id):
            raise PermissionDeniedError(_("You may not change organisations of this region."))
        cleaned = _clean(data, locked.region)
        before = _fields(locked)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save()
        locked.districts.set(data.districts)
        after = _fields(locked)
        audit_record(
            actor=actor,
            action="partner_organisation.update",
            subject=locked,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return locked


def partner_staff_link(*, actor: User, organisation: PartnerOrganisation, user: User) -> PartnerStaff:
    """Tie a partner-staff user to the organisation they work for (moving them from another)."""
    with transaction.atomic():
        locked = PartnerOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if not may_keep(actor, locked.region_id):
            raise PermissionDeniedError(_("You may not change organisations of this region."))
        if user.role != Role.PARTNER_STAFF or not user.is_active:
            raise DomainError(_("Choose an active user of the partner-staff role."), field="user")
        staff = PartnerStaff.objects.select_for_update().filter(user=user).first()
        before = staff.organisation_id if staff else None
        if staff is None:
            staff = PartnerStaff.objects.create(user=user, organisation=locked)
        elif staff.organisation_id != locked.pk:
            staff.organisation = locked
            staff.save(update_fields=["organisation", "updated_at"])
        else:
            raise DomainError(_("This user already works for this organisation."), field="user")
        audit_record(
            actor=actor,
            action="partner_staff.link",
            subject=locked,
            changes={"organisation": [before, locked.pk]},
            details={"user_id": user.pk},
        )
    return staff


def unlinked_partner_users() -> QuerySet[User]:
    """Active partner-staff users, for the link form (those of another organisation included)."""
    return User.objects.filter(role=Role.PARTNER_STAFF, is_active=True).order_by("username")
