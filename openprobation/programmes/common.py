"""What the programme's writes share: the case and programme locked for a change, and a checked
text field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.cases.models import Case
from openprobation.cases.services import case_locked_for_change
from openprobation.core.exceptions import DomainError
from openprobation.programmes.models import Programme, ProgrammeStatus

MAX_TEXT = 2000


def _text(value: Any, *, field: str, required: bool = False, limit: int = MAX_TEXT, message: str = "") -> str:
    value = str(value or "").strip()
    if required and not value:
        raise DomainError(message or _("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=field)
    return value


def _locked(actor: User, programme: Programme) -> tuple[Case, Programme]:
    """The case (locked, judged again) and the programme (locked) for a change; a closed programme
    is finished."""
    case = case_locked_for_change(actor, programme.case)
    locked = Programme.objects.select_for_update(of=("self",)).select_related("person").get(pk=programme.pk)
    if locked.case_id != case.pk:
        raise DomainError(_("The programme is run under another case now."), code="moved")
    if locked.status == ProgrammeStatus.CLOSED:
        raise DomainError(_("A closed programme cannot be changed."), code="programme_closed")
    if locked.office_id != case.office_id:
        locked.office_id = case.office_id  # the case was transferred: the programme follows it
        locked.save(update_fields=["office", "updated_at"])
    return case, locked
