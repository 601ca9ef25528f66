"""Who sees monitoring: jurisdiction staff by the case's office, operators by the regions they
monitor (through the registered relationship), everyone else nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openprobation.monitoring import selectors
from openprobation.monitoring.models import Alert, Assignment
from openprobation.monitoring.tests.matrix import active_case, fitted, resolved, stock_device

pytestmark = pytest.mark.django_db


def test_an_operator_sees_only_the_regions_they_monitor(personas):
    north = fitted(personas["senior"], active_case(personas))
    south_case = active_case(personas, "office_c", "other_region")
    south = Assignment.objects.create(
        device=stock_device(personas["office_c"]),
        case=south_case,
        installed_at=timezone.now(),
        time_zone="Asia/Almaty",
        created_by=personas["other_region"],
        resolution=resolved(south_case),
    )
    operator = personas["monitoring"]
    assert list(selectors.assignment_qs_for_user(operator)) == [north]
    assert set(selectors.device_qs_for_user(operator)) >= {north.device}
    assert south.device not in set(selectors.device_qs_for_user(operator))
    operator.monitored_regions.clear()
    assert not selectors.assignment_qs_for_user(operator).exists()


def test_an_operator_loses_an_assignment_a_month_after_its_removal(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    Alert.objects.create(
        assignment=assignment,
        device=assignment.device,
        case=assignment.case,
        rule="strap",
        severity="critical",
        opened_at=timezone.now(),
    )
    operator = personas["monitoring"]
    assert selectors.alert_qs_for_user(operator).count() == 1
    Assignment.objects.filter(pk=assignment.pk).update(
        installed_at=timezone.now() - dt.timedelta(days=60), removed_at=timezone.now() - dt.timedelta(days=31)
    )
    assert selectors.alert_qs_for_user(operator).count() == 0
    assert selectors.alert_qs_for_user(personas["senior"]).count() == 1


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", True),
        ("regional_admin", True),
        ("other_district", False),
        ("other_region", False),
        ("court_liaison", False),
        ("analyst", False),
        ("auditor", False),
        ("partner", False),
        ("sysadmin", False),
    ],
)
def test_staff_see_the_assignments_of_their_jurisdiction(personas, who, sees):
    fitted(personas["senior"], active_case(personas))
    assert selectors.assignment_qs_for_user(personas[who]).exists() is sees
