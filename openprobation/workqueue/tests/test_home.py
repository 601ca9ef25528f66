"""The overview page: an officer's leads with their Today; a head's with unallocated and overdue
cases and the queue of each officer; other roles keep what they had."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus
from openprobation.core import workqueue as registry
from openprobation.core.timeutil import local_today
from openprobation.testing.clients import web_client
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db

TODAY = local_today()


@pytest.fixture(autouse=True)
def only_registration(monkeypatch):
    monkeypatch.setattr(registry, "_sources", {"registration": registry._sources["registration"]})


def test_a_heads_home_leads_with_unallocated_and_overdue_cases(personas):
    a = personas["office_a"]
    unallocated = a_case(person=a_person(registered_office=a), officer=None, number="T-H-0001")
    overdue = a_case(
        person=a_person(registered_office=a),
        officer=personas["officer"],
        status=CaseStatus.AWAITING_REGISTRATION,
        registration_due=TODAY - dt.timedelta(days=3),
        number="T-H-0002",
    )
    a_case(person=a_person(registered_office=personas["office_b"]), officer=None, number="T-H-0003")
    html = web_client(personas["head"]).get(reverse("home")).content.decode()
    assert html.index('id="home-unallocated"') < html.index('id="home-overdue"') < html.index('id="dashboard-summary"')
    unallocated_part = html[html.index('id="home-unallocated"') : html.index('id="home-overdue"')]
    assert unallocated.number in unallocated_part
    assert "T-H-0003" not in html
    overdue_part = html[html.index('id="home-overdue"') : html.index('id="home-officer-queues"')]
    assert overdue.number in overdue_part
    queues = html[html.index('id="officer-queues-table"') :]
    assert f"{reverse('workqueue:today')}?officer={personas['officer'].pk}" in queues
    assert AuditEvent.objects.filter(action="workqueue.view").count() == 1


def test_an_officers_home_leads_with_their_today(personas):
    a = personas["office_a"]
    mine = a_case(
        person=a_person(registered_office=a),
        officer=personas["officer"],
        status=CaseStatus.AWAITING_REGISTRATION,
        registration_due=TODAY + dt.timedelta(days=1),
    )
    html = web_client(personas["officer"]).get(reverse("home")).content.decode()
    assert html.index('id="home-today"') < html.index('id="dashboard-summary"')
    assert 'id="today-card-deadline"' in html
    assert mine.number in html
    assert 'id="open-today"' in html
    assert 'id="home-unallocated"' not in html


def test_the_court_liaisons_home_is_unchanged(personas):
    html = web_client(personas["court_liaison"]).get(reverse("home")).content.decode()
    assert 'id="dashboard-summary"' in html
    assert 'id="home-today"' not in html and 'id="home-unallocated"' not in html
    assert reverse("workqueue:today") not in html  # no "Today" in the navigation either


def test_today_is_in_the_navigation_of_staff_who_carry_or_manage_cases(personas):
    for name in ("officer", "senior", "head", "regional_admin"):
        assert (
            f'href="{reverse("workqueue:today")}"' in web_client(personas[name]).get(reverse("home")).content.decode()
        )
    for name in ("analyst", "auditor", "sysadmin"):
        assert reverse("workqueue:today") not in web_client(personas[name]).get(reverse("home")).content.decode()


def test_a_regional_administrators_home_leads_with_the_regions_unallocated_cases(personas):
    in_b = a_case(person=a_person(registered_office=personas["office_b"]), officer=None, number="T-R-0001")
    a_case(person=a_person(registered_office=personas["office_c"]), officer=None, number="T-R-0002")
    html = web_client(personas["regional_admin"]).get(reverse("home")).content.decode()
    assert in_b.number in html[html.index('id="home-unallocated"') : html.index('id="home-overdue"')]
    assert "T-R-0002" not in html
    # No per-officer table for a whole region (its cost grows with the officers counted).
    assert 'id="home-officer-queues"' not in html
