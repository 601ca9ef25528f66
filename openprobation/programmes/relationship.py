"""The partner portal's relationship scope (``accounts.scoping``): a partner-staff user is tied to
the cases and people of the referrals addressed to their organisation (never the office's drafts).

The tie feeds the portal's own selectors; the case and person pages stay closed to partner staff,
who hold no ``Cap.CASE_VIEW`` (the case and person selectors refuse relationship-scoped users
without it)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openprobation.programmes.models import PARTNER_VISIBLE, Referral


def _referrals(user: Any) -> QuerySet[Referral]:
    if not getattr(user, "pk", None):
        return Referral.objects.none()
    return Referral.objects.filter(organisation__staff__user_id=user.pk, status__in=PARTNER_VISIBLE).order_by()


class PartnerReferrals:
    """``accounts.scoping.Relationship`` of ``Role.PARTNER_STAFF``."""

    def case_ids(self, user: Any) -> QuerySet[Any]:
        return _referrals(user).values("case_id")

    def person_ids(self, user: Any) -> QuerySet[Any]:
        return _referrals(user).values("case__person_id")


PARTNER_RELATIONSHIP = PartnerReferrals()
