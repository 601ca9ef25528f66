"""What the referrals side registers when the app starts: the partner staff's relationship scope
and the work-queue source of overdue referrals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.core.casepage import CaseFact
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope


def referral_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    """On the case's overview: its referrals to partners still in work, and how many are overdue."""
    from openprobation.programmes.models import OPEN_REFERRAL, Referral  # noqa: PLC0415
    from openprobation.programmes.referral_services import overdue_q  # noqa: PLC0415

    counts = Referral.objects.filter(case=case).aggregate(
        n=Count("id"), open=Count("id", filter=Q(status__in=OPEN_REFERRAL)), late=Count("id", filter=overdue_q(today))
    )
    if not counts["n"]:
        return []
    value = _("%(open)s in work") % {"open": counts["open"]}
    if counts["late"]:
        value += " · " + _("%(late)s overdue") % {"late": counts["late"]}
    return [
        CaseFact(
            key="referrals",
            order=62,
            label=_("Referrals to partners"),
            value=value,
            tone="warning" if counts["late"] else "",
            url=reverse("programmes:case_referrals", args=[case.pk]),
            data={"open": counts["open"], "overdue": counts["late"]},
        )
    ]


def overdue_referrals(scope: WorkScope) -> WorkBatch:
    """Referrals of the scope's cases past a deadline (not answered, or not completed, in time):
    for the officer of the case and the head of the office. One count query, one limited list."""
    from openprobation.programmes.models import Referral, ReferralStatus  # noqa: PLC0415
    from openprobation.programmes.referral_services import overdue_q  # noqa: PLC0415

    base = Referral.objects.filter(overdue_q(scope.today), case__in=scope.cases)
    counts = base.aggregate(n=Count("id"), escalated=Count("id", filter=Q(escalated_at__isnull=False)))
    rows = base.select_related("case__person", "case__officer", "organisation").order_by(
        "answer_due", "complete_due", "pk"
    )[: scope.limit]
    items = []
    for referral in rows:
        waiting = referral.status == ReferralStatus.SENT
        due = (referral.answer_due if waiting else referral.complete_due) or scope.today  # set once sent
        items.append(
            WorkItem(
                kind="referral",
                key=f"referral:{referral.pk}",
                due=due,
                overdue=True,
                case_id=referral.case_id,
                case_number=referral.case.number,
                person_name=referral.case.person.full_name,
                title=(
                    _("No answer from %(org)s (referral %(number)s)")
                    if waiting
                    else _("Not completed by %(org)s (referral %(number)s)")
                )
                % {"org": referral.organisation.name, "number": referral.number},
                url=reverse("programmes:referral_detail", args=[referral.case_id, referral.pk]),
                action_label=_("Open"),
                officer_name=referral.case.officer.display_name if referral.case.officer else "",
                detail=_("Escalated to the head of office") if referral.escalated_at else "",
            )
        )
    return WorkBatch(kind="referral", count=counts["n"], overdue=counts["n"], items=items)


def register() -> None:
    """Called from ``ProgrammesConfig.ready``."""
    from openprobation.accounts.models import Role  # noqa: PLC0415
    from openprobation.accounts.scoping import register_relationship  # noqa: PLC0415
    from openprobation.core.casepage import register_case_facts  # noqa: PLC0415
    from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
    from openprobation.programmes.relationship import PARTNER_RELATIONSHIP  # noqa: PLC0415

    register_relationship(Role.PARTNER_STAFF, PARTNER_RELATIONSHIP)
    register_work_source("overdue_referrals", overdue_referrals)
    register_case_facts("referrals", referral_facts)
