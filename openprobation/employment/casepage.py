"""What employment adds to the case page (a fact, a section, actions), registered from
``EmploymentConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.core.casepage import CaseActionLink, CaseFact, CaseSection
from openprobation.employment import selectors
from openprobation.employment.models import EmploymentReferral, Placement, ReferralStatus
from openprobation.employment.views import may_change


def employment_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    url = reverse("employment:case", args=[case.pk])
    working = Placement.objects.filter(case=case, ended_on__isnull=True).select_related("employer").first()
    if working is not None:
        return [
            CaseFact(
                key="placement",
                order=36,
                label=_("Works at"),
                value=f"{working.position}, {working.employer}",
                tone="success",
                url=url,
                data={"placement": working.pk, "since": working.started_on.isoformat()},
            )
        ]
    waiting = EmploymentReferral.objects.filter(case=case, status=ReferralStatus.ISSUED).count()
    if waiting:
        return [
            CaseFact(
                key="employment_referrals",
                order=36,
                label=_("Employment referrals open"),
                value=str(waiting),
                tone="info",
                url=url,
                data=waiting,
            )
        ]
    return []


def employment_section(*, user: Any, case: Any, today: dt.date) -> CaseSection | None:
    data = selectors.case_employment(case=case)
    if not (data.history or data.referrals or data.placements or data.refusals) and not may_change(user, case):
        return None
    return CaseSection(
        key="employment",
        order=62,
        template="employment/_section.html",
        context={"case": case, "data": data, "may_change": may_change(user, case), "in_case_page": True},
    )


def employment_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if not may_change(user, case):
        return []
    return [
        CaseActionLink(
            "employment_referral", 43, _("Employment centre referral"), reverse("employment:referral", args=[case.pk])
        ),
        CaseActionLink("placement", 44, _("Record a placement"), reverse("employment:placement", args=[case.pk])),
    ]
