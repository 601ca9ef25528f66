import datetime as dt
import json

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.conditions.catalogue import catalogue_load
from openprobation.conditions.models import ConditionDefinition
from openprobation.conditions.services import case_condition_add
from openprobation.testing.clients import web_client
from openprobation.testing.factories import a_case

pytestmark = pytest.mark.django_db
ADD = "/admin/conditions/conditiondefinition/add/"


def _form(**changes):
    data = {
        "code": "report_to_office",
        "version": "2",
        "category": "reporting",
        "name_en": "Report",
        "name_kk": "Келу",
        "name_ru": "Являться",
        "text_en": "to report {reports} times per {period}",
        "text_kk": "{period} {reports} рет келу",
        "text_ru": "являться {reports} раз в {period}",
        "params_schema": json.dumps({"reports": "positive_int", "period": "period"}),
        "source": "CC art. 44(2)",
        "source_kk": "",
        "source_ru": "",
        "effective_from": "2027-01-01",
        "effective_to": "",
        "status": "X",
        "notes": "",
    }
    data.update(changes)
    return data


def test_the_administrator_adds_a_new_version(personas):
    response = web_client(personas["sysadmin"]).post(ADD, _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ConditionDefinition.objects.filter(code="report_to_office", version=2).exists()
    assert AuditEvent.objects.filter(action="condition_definition.create").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text_ru": "являться {reports} раз"}, "text_ru"),
        ({"text_kk": "{period} {reports} {zone} рет келу"}, "text_kk"),
        ({"params_schema": json.dumps({"reports": "money", "period": "period"})}, "params_schema"),
        ({"params_schema": json.dumps([1, {"a": [2]}])}, "params_schema"),
        ({"params_schema": "{not json"}, "params_schema"),
        ({"version": "1"}, None),
    ],
)
def test_the_admin_refuses_a_mismatch_naming_the_field(personas, changes, field):
    response = web_client(personas["sysadmin"]).post(ADD, _form(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    if field:
        assert f"errors field-{field}" in html
    assert not ConditionDefinition.objects.filter(code="report_to_office", version=2).exists()


def test_a_version_in_use_is_frozen_and_copied(personas):
    definition = ConditionDefinition.objects.get(code="no_leave_locality", version=1)
    client = web_client(personas["sysadmin"])
    change = f"/admin/conditions/conditiondefinition/{definition.pk}/change/"
    assert b'name="text_ru"' in client.get(change).content
    case = a_case(person__registered_office=personas["office_a"], officer=personas["officer"])
    case_condition_add(
        actor=personas["officer"],
        case=case,
        code="no_leave_locality",
        params={"zone": "X"},
        in_force_from=dt.date(2026, 2, 1),
    )
    page = client.get(change).content.decode()
    assert 'name="text_ru"' not in page and 'name="effective_to"' in page
    copy = client.get(f"{ADD}?copy={definition.pk}").content.decode()
    assert 'name="version" value="2"' in copy and "административно-территориальной" in copy
    assert client.get(f"{ADD}?copy=１").status_code == 200


@pytest.mark.parametrize("who", ["officer", "head", "regional_admin", "auditor"])
def test_only_the_administrator(personas, who):
    response = web_client(personas[who]).get(ADD)
    assert response.status_code in (302, 403, 404)


def test_loading_twice_changes_nothing():
    assert catalogue_load() == (0, 10)
    assert ConditionDefinition.objects.count() == 10
