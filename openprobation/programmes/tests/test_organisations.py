"""The registry of partner organisations: scoped reads, who keeps it, what it accepts, deactivation
instead of deletion, tying partner staff to an organisation."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from django.urls import reverse

from openprobation.accounts.models import Role, User
from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.programmes import organisations as registry
from openprobation.programmes.models import PartnerOrganisation, PartnerStaff
from openprobation.programmes.tests.referral_world import make_org
from openprobation.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _input(**fields: Any) -> registry.OrganisationInput:
    values: dict[str, Any] = {"name": "«Қамқор» қоры", "kind": "ngo", "services": ["counselling"], "capacity": 12}
    values.update(fields)
    return registry.OrganisationInput(**values)


def test_staff_see_the_organisations_of_their_region(personas):
    north = make_org(personas["office_a"], name="Солтүстік")
    south = make_org(personas["office_c"], name="Оңтүстік")
    for who, expected in (
        ("officer", {north.pk}),
        ("other_district", {north.pk}),
        ("regional_admin", {north.pk}),
        ("other_region", {south.pk}),
        ("auditor", set()),
        ("analyst", set()),
        ("partner", set()),
        ("sysadmin", set()),
    ):
        seen = set(registry.organisation_qs_for_user(personas[who]).values_list("pk", flat=True))
        assert seen == expected, who


def test_filters_and_search(personas):
    centre = make_org(personas["office_a"], name="Жұмыспен қамту орталығы")
    clinic = make_org(personas["office_b"], name="Емхана №3", kind="health", services=["health_care"])
    make_org(personas["office_a"], name="Жабық ұйым", active=False)
    user = personas["officer"]

    def names(**f):
        return {o.name for o in registry.organisation_list(user=user, filters=registry.OrganisationFilters(**f))}

    assert names() == {centre.name, clinic.name}
    assert names(kind="health") == {clinic.name}
    assert names(measure="health_care") == {clinic.name}
    assert names(district=personas["office_a"].pk) == {centre.name}
    assert names(q="Емхана") == {clinic.name}
    assert names(active="no") == {"Жабық ұйым"}


def test_the_head_registers_in_their_region_and_it_is_audited(personas):
    org = registry.organisation_create(
        actor=personas["head"],
        data=_input(districts=[personas["office_a"], personas["office_b"]], languages=["kk", "ru"]),
    )
    assert org.region_id == personas["office_a"].region_id
    assert set(org.districts.all()) == {personas["office_a"], personas["office_b"]}
    assert AuditEvent.objects.filter(action="partner_organisation.create", subject_id=str(org.pk)).exists()


@pytest.mark.parametrize("who", ["officer", "senior", "court_liaison", "auditor", "analyst", "sysadmin", "partner"])
def test_others_may_not_register(personas, who):
    with pytest.raises(PermissionDeniedError):
        registry.organisation_create(actor=personas[who], data=_input())
    assert not PartnerOrganisation.objects.exists()


def test_only_the_keepers_of_its_region_change_it(personas):
    org = make_org(personas["office_a"])
    registry.organisation_update(actor=personas["regional_admin"], organisation=org, data=_input(active=False))
    org.refresh_from_db()
    assert org.active is False and PartnerOrganisation.objects.filter(pk=org.pk).exists()
    south = make_org(personas["office_c"], name="Оңтүстік")
    for who in ("head", "regional_admin", "officer"):
        with pytest.raises(PermissionDeniedError):
            registry.organisation_update(actor=personas[who], organisation=south, data=_input(name="Өзгерді"))
    south.refresh_from_db()
    assert south.name == "Оңтүстік"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"services": ["teleportation"]}, "services"),
        ({"kind": "circus"}, "kind"),
        ({"name": "   "}, "name"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 10**9}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"bin": "١٢٣٤٥٦٧٨٩٠١٢"}, "bin"),
        ({"languages": ["fr"]}, "languages"),
        ({"capacity_period": "decade"}, "capacity_period"),
    ],
)
def test_odd_values_are_refused(personas, fields, field):
    with pytest.raises(DomainError) as err:
        registry.organisation_create(actor=personas["head"], data=_input(**fields))
    assert err.value.field == field
    assert not PartnerOrganisation.objects.exists()


def test_districts_must_be_offices_of_the_region(personas):
    with pytest.raises(DomainError) as err:
        registry.organisation_create(actor=personas["head"], data=_input(districts=[personas["office_c"]]))
    assert err.value.field == "districts"


def test_tying_partner_staff(personas):
    org = make_org(personas["office_a"])
    user = cast(User, UserFactory(username="new_partner", role=Role.PARTNER_STAFF))
    registry.partner_staff_link(actor=personas["head"], organisation=org, user=user)
    assert PartnerStaff.objects.get(user=user).organisation == org
    with pytest.raises(DomainError):
        registry.partner_staff_link(actor=personas["head"], organisation=org, user=personas["officer"])
    with pytest.raises(PermissionDeniedError):
        registry.partner_staff_link(actor=personas["officer"], organisation=org, user=user)


def test_the_pages(client, personas):
    org = make_org(personas["office_a"])
    client.force_login(personas["head"])
    assert org.name in client.get(reverse("programmes:organisation_list")).content.decode()
    assert (
        "Employment assistance" in client.get(reverse("programmes:organisation_detail", args=[org.pk])).content.decode()
    )
    response = client.post(
        reverse("programmes:organisation_new"),
        {
            "name": "Заң көмегі",
            "kind": "legal_aid",
            "services": ["legal_advice"],
            "capacity_period": "month",
            "capacity": "-3",
        },
    )
    assert response.status_code == 400 and "usa-error-message" in response.content.decode()
    response = client.post(
        reverse("programmes:organisation_new"),
        {
            "name": "Заң көмегі",
            "kind": "legal_aid",
            "services": ["legal_advice"],
            "districts": [personas["office_a"].pk],
            "capacity_period": "month",
            "active": "on",
        },
    )
    assert response.status_code == 302
    created = PartnerOrganisation.objects.get(name="Заң көмегі")
    assert created.services == ["legal_advice"] and created.active
    response = client.post(
        reverse("programmes:organisation_edit", args=[created.pk]),
        {"name": "Заң көмегі", "kind": "legal_aid", "capacity_period": "month"},
    )
    created.refresh_from_db()
    assert response.status_code == 302 and created.active is False


def test_the_api(client, personas):
    client.force_login(personas["regional_admin"])
    response = client.post(
        reverse("api-partner-organisations"),
        json.dumps(
            {
                "name": "Колледж",
                "kind": "education",
                "services": ["vocational_training"],
                "districts": [personas["office_b"].pk],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    bad = client.post(
        reverse("api-partner-organisations"),
        json.dumps({"name": "X", "kind": "ngo", "services": ["nonsense"]}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "services" in bad.json()["errors"]
    outside = client.patch(
        reverse("api-partner-organisation", args=[pk]),
        json.dumps({"districts": [personas["office_c"].pk]}),
        content_type="application/json",
    )
    assert outside.status_code == 400
    patched = client.patch(
        reverse("api-partner-organisation", args=[pk]), json.dumps({"active": False}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert client.get(reverse("api-partner-organisations") + "?active=all").json()[0]["id"] == pk
    assert client.get(reverse("api-partner-organisations") + "?district=abc").status_code == 400
