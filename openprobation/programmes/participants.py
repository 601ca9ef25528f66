"""Who else takes part in a programme (LoP arts. 18-19, rule ``programmes.minors``): for a minor the
parents or guardians, the guardianship body and a child-rights organisation, invited to the
programme and copied on its notices (through the outbox port, idempotent per version and person)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.core.exceptions import DomainError
from openprobation.core.outbox import enqueue_message
from openprobation.core.timeutil import local_today
from openprobation.programmes import selectors
from openprobation.programmes.catalogue import OrganisationKind
from openprobation.programmes.common import _locked, _text
from openprobation.programmes.models import ParticipantKind, Programme, ProgrammeParticipant

ORGANISATION_KINDS = {
    ParticipantKind.GUARDIANSHIP: OrganisationKind.GUARDIANSHIP,
    ParticipantKind.CHILD_RIGHTS: OrganisationKind.CHILD_RIGHTS,
}


def participant_add(
    *,
    actor: User,
    programme: Programme,
    kind: str,
    family_member_id: int | None = None,
    organisation_id: int | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    invited_on: dt.date | None = None,
    copy_notices: bool | None = None,
) -> ProgrammeParticipant:
    """Involve a parent or guardian (one of the person's family marked so), the guardianship body
    or a child-rights organisation (an active one serving the district), or someone else by name.
    Copied on notices as ``copy_notices`` says; when it is not given, a parent or guardian is copied
    as the rule ``programmes.minors`` (``copy_notices_to_representatives``) says, anyone else is."""
    today = local_today()
    if copy_notices is None:
        copy_notices = (
            bool(selectors.minors_rule(on=today)["copy_notices_to_representatives"])
            if kind == ParticipantKind.REPRESENTATIVE
            else True
        )
    if kind not in ParticipantKind.values:
        raise DomainError(_("Choose who takes part."), field="kind")
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        name, phone = _text(name, field="name", limit=300), _text(phone, field="phone", limit=40)
        email = _text(email, field="email", limit=254)
        if email and ("@" not in email or " " in email):
            raise DomainError(_("Enter a valid e-mail address."), field="email")
        if invited_on is not None and (invited_on > today or invited_on < locked.opened_on):
            raise DomainError(_("The date cannot be in the future or before the programme opened."), field="invited_on")
        member = organisation = None
        if kind == ParticipantKind.REPRESENTATIVE:
            member = next((m for m in selectors.representatives(locked.person) if m.pk == family_member_id), None)
            if member is None:
                raise DomainError(
                    _("Choose a parent, guardian or legal representative from the person's family."),
                    field="family_member",
                )
            name, phone = name or member.full_name, phone or member.phone
            if locked.participants.filter(family_member=member).exists():
                raise DomainError(_("This person already takes part."), field="family_member")
        elif kind in ORGANISATION_KINDS:
            organisation = (
                selectors.minors_organisations(locked.office)
                .filter(pk=organisation_id or 0, kind=ORGANISATION_KINDS[ParticipantKind(kind)])
                .first()
            )
            if organisation is None:
                raise DomainError(
                    _("Choose an active organisation of this kind that serves the district."), field="organisation"
                )
            name = name or organisation.name
            phone, email = phone or organisation.phone, email or organisation.email
            if locked.participants.filter(organisation=organisation).exists():
                raise DomainError(_("This organisation already takes part."), field="organisation")
        elif not name:
            raise DomainError(_("Enter the name."), field="name")
        participant = ProgrammeParticipant.objects.create(
            programme=locked,
            kind=kind,
            family_member=member,
            organisation=organisation,
            name=name,
            phone=phone,
            email=email,
            invited_on=invited_on,
            copy_notices=copy_notices,
        )
        audit_record(
            actor=actor,
            action="programme.participant_add",
            subject=case,
            changes={"participant": [None, f"{kind}: {name}"]},
            details={"programme_id": locked.pk, "participant_id": participant.pk, "copy_notices": copy_notices},
        )
    return participant


def participant_remove(*, actor: User, programme: Programme, participant_id: int) -> None:
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        found = locked.participants.filter(pk=participant_id).first()
        if found is None:
            raise DomainError(_("There is no such participant in this programme."), field="participant")
        label = f"{found.kind}: {found.name}"
        found.delete()
        audit_record(
            actor=actor,
            action="programme.participant_remove",
            subject=case,
            changes={"participant": [label, None]},
            details={"programme_id": locked.pk, "participant_id": participant_id},
        )


def missing_participants(programme: Programme, *, on: dt.date) -> list[str]:
    """For a minor: the kinds of participant the rule ``programmes.minors`` involves that the
    programme lacks (a warning, never a block). Empty for an adult."""
    if not selectors.is_minor(programme.person, on=on):
        return []
    involve = selectors.minors_rule(on=on)["involve"]
    present = set(programme.participants.values_list("kind", flat=True))
    return [kind for kind in involve if kind not in present]


def _body(programme: Programme, occasion: str) -> str:
    with translation.override(programme.person.native_language):
        values = {"name": programme.person.full_name, "version": programme.version}
        if occasion == "agreed":
            return (
                _(
                    "The individual programme of %(name)s (version %(version)s) is agreed. Ask the probation officer for a copy."
                )
                % values
            )
        return (
            _(
                "The individual programme of %(name)s (version %(version)s) was handed to them. Ask the probation officer for a copy."
            )
            % values
        )


def queue_copies(*, programme: Programme, case: Case, occasion: str) -> int:
    """Queue a copy of the notice to each participant copied on notices, by SMS (phone) or
    e-mail, once per version and occasion. Returns how many were queued."""
    queued = 0
    for p in programme.participants.filter(copy_notices=True).order_by("id"):
        channel, to = ("sms", p.phone) if p.phone else ("email", p.email)
        if not to:
            continue
        message = enqueue_message(
            channel=channel,
            to=to,
            body=_body(programme, occasion),
            subject=_("Individual programme") if channel == "email" else "",
            language=programme.person.native_language,
            dedupe_key=f"programme:{programme.pk}:v{programme.version}:{occasion}:participant:{p.pk}",
            case=case,
            person=programme.person,
            purpose="programme_copy",
        )
        queued += message is not None
    return queued


def programme_send_copies(*, actor: User, programme: Programme) -> int:
    """The programme was printed and handed to the person: the participants get their copy notice."""
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        queued = queue_copies(programme=locked, case=case, occasion="printed")
        audit_record(
            actor=actor,
            action="programme.copies",
            subject=case,
            details={"programme_id": locked.pk, "version": locked.version, "queued": queued},
        )
    return queued
