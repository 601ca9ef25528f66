"""The case page composes the sections every app registers, each from its own template and
context: what an app puts in its section reaches the page (not an empty frame)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openprobation.core.timeutil import local_today
from openprobation.enforcement.services import violation_record
from openprobation.notifications.services import message_enqueue
from openprobation.supervision.tests.helpers import case_of, past_appointment
from openprobation.testing.clients import web_client


@pytest.mark.django_db
def test_the_case_page_shows_what_each_app_put_in_its_section(personas):
    case = case_of(personas)
    due = past_appointment(case)
    violation_record(
        actor=personas["officer"],
        case=case,
        kind="missed_report",
        source="officer",
        occurred_on=local_today() - dt.timedelta(days=3),
        description="Did not come to the office.",
    )
    message_enqueue(
        channel="sms", to="+7 701 000 11 22", body="Reminder", language="kk", dedupe_key="composition-1", case=case
    )
    page = web_client(personas["officer"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    # Supervision: the appointment waiting for its outcome, with the link to record it.
    assert reverse("supervision:outcome", args=[case.pk, due.pk]) in page
    # Enforcement: the violation in the section.
    assert 'id="case-enforcement"' in page
    assert reverse("enforcement:violations", args=[case.pk]) in page
    # Notifications: the message table, not the empty-state sentence.
    assert 'id="case-messages-table"' in page
    assert "No messages have been sent about this case." not in page
