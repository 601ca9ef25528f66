"""What employment adds to the case and person timelines: referrals, placements and refusals,
limited to the cases the user may see."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.cases.selectors import case_qs_for_user
from openprobation.core.timeline import TimelineEntry
from openprobation.employment.models import EmploymentReferral, JobRefusal, Placement


def employment_timeline(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    if case is not None:
        cases = {case.pk: case.number}
    else:
        cases = dict(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    if not cases:
        return []
    ids = list(cases)
    entries: list[TimelineEntry] = []

    def entry(row: Any, kind: str, title: str, *, detail: str, by: Any, on: Any) -> TimelineEntry:
        return TimelineEntry(
            at=row.created_at,
            kind=kind,
            title=title,
            detail=detail,
            by=by.get_username() if by else "",
            ref=f"{kind}:{row.pk}",
            case_id=row.case_id,
            case_number=cases.get(row.case_id, ""),
            effective_on=on,
            url=reverse("employment:case", args=[row.case_id]),
        )

    referrals = EmploymentReferral.objects.filter(case_id__in=ids).select_related("employer", "centre", "issued_by")
    for r in referrals.order_by("-created_at", "-id")[:limit]:
        title = _("Employment centre referral: %(employer)s") % {"employer": r.employer}
        entries.append(
            entry(r, "employment_referral", title, detail=r.get_status_display(), by=r.issued_by, on=r.issued_on)
        )
    placements = Placement.objects.filter(case_id__in=ids).select_related("employer", "recorded_by")
    for p in placements.order_by("-created_at", "-id")[:limit]:
        detail = (
            _("Ended %(date)s: %(reason)s") % {"date": f"{p.ended_on:%d.%m.%Y}", "reason": p.get_end_reason_display()}
            if p.ended_on
            else ""
        )
        title = _("Started work: %(position)s, %(employer)s") % {"position": p.position, "employer": p.employer}
        entries.append(entry(p, "placement", title, detail=detail, by=p.recorded_by, on=p.started_on))
    refusals = JobRefusal.objects.filter(case_id__in=ids).select_related("employer", "judged_by")
    for f in refusals.order_by("-created_at", "-id")[:limit]:
        title = (
            _("Refused work with a good reason: %(employer)s")
            if f.good_reason
            else _("Refused work without a good reason: %(employer)s")
        ) % {"employer": f.employer}
        entries.append(entry(f, "job_refusal", title, detail=f.reason, by=f.judged_by, on=f.refused_on))
    return entries
