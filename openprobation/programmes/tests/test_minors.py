"""Minors: the parents or guardians, the guardianship body and a child-rights organisation are
involved (rule ``programmes.minors``), a warning while one is missing, and a copy of the notice
queued for each participant copied on notices when the programme is agreed or handed over."""

from __future__ import annotations

from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.notifications.models import Message
from openprobation.people.models import FamilyMember
from openprobation.programmes import participants, services
from openprobation.programmes.models import Programme
from openprobation.programmes.services import GoalInput, MeasureInput
from openprobation.programmes.tests.conftest import active_case, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def minor_programme(personas: dict[str, Any]) -> Programme:
    case = active_case(personas, birth_date=local_today() - relativedelta(years=15), native_language="ru")
    return services.programme_open(
        actor=personas["officer"],
        case=case,
        study="Оқуды тастап кетті.",
        goals=[GoalInput(domain="education_employment")],
        measures=[MeasureInput(measure="secondary_education", due_on=local_today())],
    )


def _family(programme: Programme, **fields: Any) -> FamilyMember:
    return FamilyMember.objects.create(
        person=programme.person, full_name=fields.pop("full_name", "Серікова Айгүл"), **fields
    )


def test_a_minor_lacking_participants_is_warned_until_all_are_involved(personas, minor_programme):
    p, officer, today = minor_programme, personas["officer"], local_today()
    assert participants.missing_participants(p, on=today) == ["representative", "guardianship", "child_rights"]
    mother = _family(p, relation="parent", phone="+77011112233")
    participants.participant_add(
        actor=officer, programme=p, kind="representative", family_member_id=mother.pk, invited_on=today
    )
    body = organisation(personas, services=[], kind="guardianship", name="Қорғаншылық органы", email="opeka@example.kz")
    rights = organisation(personas, services=[], kind="child_rights", name="Бала құқықтары")
    participants.participant_add(actor=officer, programme=p, kind="guardianship", organisation_id=body.pk)
    participants.participant_add(
        actor=officer, programme=p, kind="child_rights", organisation_id=rights.pk, copy_notices=False
    )
    assert participants.missing_participants(p, on=today) == []
    names = {x.kind: (x.name, x.phone, x.email) for x in p.participants.all()}
    assert names["representative"] == ("Серікова Айгүл", "+77011112233", "")
    assert names["guardianship"] == ("Қорғаншылық органы", "", "opeka@example.kz")


def test_an_adult_needs_no_participants(personas):
    case = active_case(personas)
    p = services.programme_open(actor=personas["officer"], case=case, study="Жұмыссыз.")
    assert participants.missing_participants(p, on=local_today()) == []


def test_only_a_parent_guardian_or_representative_of_the_person_may_be_chosen(personas, minor_programme):
    p = minor_programme
    sibling = _family(p, relation="sibling", full_name="Серіков Ерлан")
    stranger = FamilyMember.objects.create(person=active_case(personas).person, relation="parent", full_name="Басқа")
    for member in (sibling, stranger):
        with pytest.raises(DomainError) as err:
            participants.participant_add(
                actor=personas["officer"], programme=p, kind="representative", family_member_id=member.pk
            )
        assert err.value.field == "family_member"
    aunt = _family(p, relation="other", full_name="Апасы", legal_representative=True)
    participants.participant_add(
        actor=personas["officer"], programme=p, kind="representative", family_member_id=aunt.pk
    )
    with pytest.raises(DomainError):  # not twice
        participants.participant_add(
            actor=personas["officer"], programme=p, kind="representative", family_member_id=aunt.pk
        )
    assert p.participants.count() == 1


def test_an_organisation_of_another_kind_or_district_is_refused(personas, minor_programme):
    p = minor_programme
    ngo = organisation(personas, services=[], kind="ngo")
    far = organisation(personas, services=[], kind="guardianship", office="office_c", name="Оңтүстік")
    for org in (ngo, far):
        with pytest.raises(DomainError) as err:
            participants.participant_add(
                actor=personas["officer"], programme=p, kind="guardianship", organisation_id=org.pk
            )
        assert err.value.field == "organisation"
    assert not p.participants.exists()


def test_agreement_queues_one_copy_per_participant_once_per_version(personas, minor_programme):
    p, officer, today = minor_programme, personas["officer"], local_today()
    mother = _family(p, relation="parent", phone="+77011112233")
    participants.participant_add(actor=officer, programme=p, kind="representative", family_member_id=mother.pk)
    participants.participant_add(actor=officer, programme=p, kind="other", name="Психолог", email="psy@example.kz")
    participants.participant_add(
        actor=officer, programme=p, kind="other", name="Көрші", phone="+77019999999", copy_notices=False
    )
    services.programme_record_agreement(
        actor=officer, programme=p, agreed=True, on=today, representative="Серікова Айгүл"
    )
    messages = list(Message.objects.filter(purpose="programme_copy").order_by("id"))
    assert [(m.channel, m.to) for m in messages] == [("sms", "+77011112233"), ("email", "psy@example.kz")]
    assert all(m.language == "ru" for m in messages)
    # Handing over the printed programme queues another notice, once however often it is pressed.
    assert participants.programme_send_copies(actor=officer, programme=p) == 2
    participants.programme_send_copies(actor=officer, programme=p)
    assert Message.objects.filter(purpose="programme_copy").count() == 4


def test_participants_are_refused_to_read_only_roles(personas, minor_programme):
    for who in ("court_liaison", "analyst", "other_district", "partner"):
        with pytest.raises(PermissionDeniedError):
            participants.participant_add(actor=personas[who], programme=minor_programme, kind="other", name="Біреу")
    assert not minor_programme.participants.exists()


def test_participants_and_copies_over_the_api(personas, minor_programme):
    from django.test import Client  # noqa: PLC0415

    p = minor_programme
    mother = _family(p, relation="guardian", phone="+77011112233")
    client = Client()
    client.force_login(personas["officer"])
    base = f"/api/v1/cases/{p.case_id}/programme/"
    added = client.post(
        base + "participants/", {"kind": "representative", "family_member": mother.pk}, content_type="application/json"
    )
    assert added.status_code == 201 and added.json()["name"] == "Серікова Айгүл"
    assert client.get(base).json()["programme"]["missing_participants"] == ["guardianship", "child_rights"]
    assert client.post(base + "copies/").json() == {"queued": 1}
    assert Message.objects.get(purpose="programme_copy").to == "+77011112233"
    assert client.delete(base + f"participants/{added.json()['id']}/").status_code == 204
    assert not p.participants.exists()
    refused = Client()
    refused.force_login(personas["court_liaison"])
    assert refused.post(base + "copies/").status_code == 403


def test_whether_a_representative_is_copied_follows_the_rule_unless_the_officer_says(personas, minor_programme):
    from openprobation.rules.models import Rule, RuleStatus
    from openprobation.rules.rulebook import invalidate

    p, officer, today = minor_programme, personas["officer"], local_today()
    mother = _family(p, relation="parent", phone="+77011112233")
    father = _family(p, relation="parent", full_name="Сериков Болат", phone="+77011112244")
    current = Rule.objects.get(key="programmes.minors", version=1)
    Rule.objects.create(
        key="programmes.minors",
        version=2,
        title="Minors: representatives not copied",
        effective_from=today,
        params={**current.params, "copy_notices_to_representatives": False},
        source="Test order",
        status=RuleStatus.UNCONFIRMED,
    )
    Rule.objects.filter(pk=current.pk).update(effective_to=today - relativedelta(days=1))
    invalidate()
    try:
        by_rule = participants.participant_add(
            actor=officer, programme=p, kind="representative", family_member_id=mother.pk
        )
        said = participants.participant_add(
            actor=officer, programme=p, kind="representative", family_member_id=father.pk, copy_notices=True
        )
        other = participants.participant_add(actor=officer, programme=p, kind="other", name="Психолог")
    finally:
        invalidate()
    assert (by_rule.copy_notices, said.copy_notices, other.copy_notices) == (False, True, True)
