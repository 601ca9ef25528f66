"""How a referral's answer and outcome flow back into the programme measure it was made for.

One function, called inside the referral's own transaction (the referral services hold the lock):
the measure follows the referral — accepted or in progress: the measure is in progress; completed
with the goal achieved: done, with the partner's outcome and the date; completed without it: not
done; declined: back to planned, with a note, so the officer refers the person elsewhere; cancelled
by the office: back to planned (the officer chooses another way).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from openprobation.programmes.models import MeasureStatus, ProgrammeMeasure, Referral, ReferralStatus

# Measure states a referral may still move: a measure finished on its own stays as it is.
_MOVABLE = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


def _note(measure: ProgrammeMeasure, text: str) -> str:
    previous = (measure.outcome or "").strip()
    return f"{previous}\n{text}".strip() if previous else text


def measure_follow_referral(*, referral: Referral, on: dt.date) -> ProgrammeMeasure | None:
    """Write the referral's state into its measure (locked by the caller's transaction). Returns
    the measure when it changed, None otherwise."""
    measure = ProgrammeMeasure.objects.select_for_update().get(pk=referral.measure_id)
    status = referral.status
    changed: list[str] = []
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        if measure.status == MeasureStatus.PLANNED:
            measure.status = MeasureStatus.IN_PROGRESS
            changed.append("status")
        if measure.organisation_id != referral.organisation_id:
            measure.organisation_id = referral.organisation_id
            changed.append("organisation")
    elif status == ReferralStatus.COMPLETED:
        if measure.status not in _MOVABLE:
            return None
        measure.status = MeasureStatus.DONE if referral.outcome_achieved else MeasureStatus.NOT_DONE
        measure.outcome = referral.outcome
        measure.outcome_on = on
        measure.organisation_id = referral.organisation_id
        changed += ["status", "outcome", "outcome_on", "organisation"]
    elif status == ReferralStatus.DECLINED:
        if measure.status not in _MOVABLE:
            return None
        measure.status = MeasureStatus.PLANNED
        measure.outcome = _note(
            measure,
            _("%(org)s declined referral %(number)s: %(reason)s. Refer the person elsewhere.")
            % {"org": referral.organisation.name, "number": referral.number, "reason": referral.decline_reason},
        )
        changed += ["status", "outcome"]
    elif status == ReferralStatus.CANCELLED:
        if measure.status != MeasureStatus.IN_PROGRESS:
            return None
        measure.status = MeasureStatus.PLANNED
        changed.append("status")
    if not changed:
        return None
    measure.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return measure
