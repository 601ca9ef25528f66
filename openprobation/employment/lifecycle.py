"""The lifecycles of vacancies and employment-centre referrals, declared once (``core.lifecycle``
locks the row, refuses illegal moves, writes the history row and the audit event).

vacancy: open → filled | closed; filled → closed.
referral: issued → placed | refused | expired (all final).
"""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, status_history
from openprobation.employment.models import (
    EmploymentReferral,
    ReferralStatus,
    ReferralStatusChange,
    Vacancy,
    VacancyStatus,
    VacancyStatusChange,
)

VACANCY_MOVES: dict[str, frozenset[str]] = {
    VacancyStatus.OPEN: frozenset({VacancyStatus.FILLED, VacancyStatus.CLOSED}),
    VacancyStatus.FILLED: frozenset({VacancyStatus.CLOSED}),
    VacancyStatus.CLOSED: frozenset(),
}

REFERRAL_MOVES: dict[str, frozenset[str]] = {
    ReferralStatus.ISSUED: frozenset({ReferralStatus.PLACED, ReferralStatus.REFUSED, ReferralStatus.EXPIRED}),
    ReferralStatus.PLACED: frozenset(),
    ReferralStatus.REFUSED: frozenset(),
    ReferralStatus.EXPIRED: frozenset(),
}


VACANCY_LIFECYCLE: Lifecycle[Vacancy] = Lifecycle(
    name="employment.vacancy",
    model=Vacancy,
    moves=VACANCY_MOVES,
    labels=dict(VacancyStatus.choices),
    write_history=status_history(VacancyStatusChange, "vacancy"),
    audit=audit_record,
    audited_fields=("status", "closed_on"),
)

REFERRAL_LIFECYCLE: Lifecycle[EmploymentReferral] = Lifecycle(
    name="employment.referral",
    model=EmploymentReferral,
    moves=REFERRAL_MOVES,
    labels=dict(ReferralStatus.choices),
    write_history=status_history(ReferralStatusChange, "referral"),
    audit=audit_record,
    audited_fields=("status", "status_on"),
)
