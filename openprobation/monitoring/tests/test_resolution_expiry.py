"""An EM resolution reaching its end (Order 511 para. 140; the notice is ``monitoring.resolution.ending``,
practice S): announced on the work queue and the case page while a device is fitted, ended by itself
once its period is over, a fitted device carried over to the next resolution, or the resolution kept
in force, overdue, until the device is removed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import local_today
from openprobation.monitoring import services
from openprobation.monitoring.models import Assignment, EmResolution, EmResolutionStatusChange, ResolutionStatus
from openprobation.monitoring.pages.resolutions_casepage import case_section
from openprobation.monitoring.resolution_terms import ending_notice_days
from openprobation.monitoring.tests.matrix import active_case, resolved, stock_device
from openprobation.monitoring.workqueue import resolutions_ending
from openprobation.rules.rulebook import rule
from openprobation.testing.clients import web_client
from openprobation.workqueue.selectors import work_queue

pytestmark = pytest.mark.django_db


def ending_in(personas, days: int, *, fit: bool = True) -> tuple[EmResolution, Assignment | None]:
    """A case under a resolution whose last day is ``days`` from today (negative: already past),
    with a device fitted 20 days ago under it."""
    case = active_case(personas)
    today = local_today()
    resolution = resolved(case, days_back=60, ends_on=today + dt.timedelta(days=days))
    assignment = None
    if fit:
        assignment = services.assignment_create(
            actor=personas["senior"],
            case=case,
            device=stock_device(case.office),
            installed_at=timezone.now() - dt.timedelta(days=20),
        )
    return resolution, assignment


def queue_keys(user) -> dict[str, bool]:
    return {i.key: i.overdue for i in work_queue(user=user, today=local_today(), audit=False).items}


def test_the_notice_comes_from_the_rulebook():
    version = rule("monitoring.resolution.ending", on=local_today())
    assert version.status == "S" and "140" in version.source
    assert ending_notice_days(on=local_today()) == version["notice_days"] == 14


def test_an_ending_resolution_is_announced_to_the_officer_and_the_head_until_an_extension_is_decided(personas):
    resolution, _ = ending_in(personas, 10)
    far, _ = ending_in(personas, 20)  # beyond the notice: not yet
    key = f"em-resolution:{resolution.pk}"
    assert queue_keys(personas["officer"]) == {key: False}
    assert key in queue_keys(personas["head"])
    assert key not in queue_keys(personas["other_district"])  # another office's queue
    assert f"em-resolution:{far.pk}" not in queue_keys(personas["head"])
    section = case_section(user=personas["officer"], case=resolution.case, today=local_today())
    assert section is not None and section.context["ending"] == resolution and section.context["ending_days"] == 10
    page = web_client(personas["head"]).get(reverse("cases:detail", args=[resolution.case_id]))
    assert 'id="em-ending"' in page.text and 'id="em-extend-link"' in page.text

    # The head opens the form from there: the next resolution starts the day after this one ends.
    form = web_client(personas["head"]).get(reverse("monitoring:resolution_decide", args=[resolution.case_id]))
    assert form.context["form"].initial["starts_on"] == resolution.ends_on + dt.timedelta(days=1)
    services.resolution_decide(
        actor=personas["head"],
        case=resolution.case,
        data=services.ResolutionInput(
            number="ЭК-8",
            decided_on=local_today(),
            grounds="other_court",
            grounds_text="Сот шектеуі ұзартылды",
            starts_on=resolution.ends_on + dt.timedelta(days=1),
            ends_on=resolution.ends_on + dt.timedelta(days=90),
        ),
    )
    assert key not in queue_keys(personas["officer"])
    section = case_section(user=personas["officer"], case=resolution.case, today=local_today())
    assert section is not None and section.context["ending"] is None


def test_without_a_device_an_ending_resolution_asks_for_nothing(personas):
    resolution, _ = ending_in(personas, 3, fit=False)
    assert f"em-resolution:{resolution.pk}" not in queue_keys(personas["officer"])
    section = case_section(user=personas["officer"], case=resolution.case, today=local_today())
    assert section is not None and section.context["ending"] is None and section.context["lapsed"] is None


def test_a_resolution_past_its_end_without_a_device_ends_by_itself_once(personas):
    resolution, _ = ending_in(personas, -1, fit=False)
    still, _ = ending_in(personas, 0, fit=False)  # its last day is today: still in force
    result = services.resolution_expiry_scan()
    assert (result.ended, result.carried_over, result.still_fitted) == (1, 0, 0)
    resolution.refresh_from_db()
    still.refresh_from_db()
    assert resolution.status == ResolutionStatus.ENDED and still.status == ResolutionStatus.IN_FORCE
    change = EmResolutionStatusChange.objects.get(resolution=resolution)
    assert change.changed_by is None and change.effective_on == local_today()
    assert resolution.ends_on.strftime("%d.%m.%Y") in change.reason == resolution.status_reason
    event = AuditEvent.objects.get(action="monitoring.resolution.transition", subject_id=str(resolution.pk))
    assert event.actor is None and event.details["automatic"] is True
    again = services.resolution_expiry_scan()
    assert (again.ended, again.carried_over, again.still_fitted) == (0, 0, 0)
    assert EmResolutionStatusChange.objects.count() == 1


def test_a_fitted_device_moves_to_the_next_resolution_decided_in_time(personas):
    resolution, assignment = ending_in(personas, -1)
    assert assignment is not None
    following = resolved(resolution.case, days_back=0, ends_on=local_today() + dt.timedelta(days=180))
    result = services.resolution_expiry_scan()
    assert (result.ended, result.carried_over, result.still_fitted) == (1, 1, 0)
    assignment.refresh_from_db()
    resolution.refresh_from_db()
    assert assignment.resolution == following and assignment.removed_at is None
    assert resolution.status == ResolutionStatus.ENDED
    carried = AuditEvent.objects.get(action="monitoring.assignment.resolution_carried_over")
    assert carried.changes == {"resolution": [resolution.pk, following.pk]}


def test_with_a_device_and_no_next_resolution_it_waits_overdue_for_the_removal(personas):
    resolution, assignment = ending_in(personas, -2)
    assert assignment is not None
    result = services.resolution_expiry_scan()
    assert (result.ended, result.still_fitted) == (0, 1)
    resolution.refresh_from_db()
    assert resolution.status == ResolutionStatus.IN_FORCE  # monitoring is not switched off behind anyone's back
    assert queue_keys(personas["officer"]) == {f"em-resolution:{resolution.pk}": True}
    section = case_section(user=personas["head"], case=resolution.case, today=local_today())
    assert section is not None and section.context["lapsed"] == resolution
    page = web_client(personas["officer"]).get(reverse("cases:detail", args=[resolution.case_id]))
    assert 'id="em-lapsed"' in page.text and 'id="em-extend-link"' not in page.text  # the officer does not decide

    services.assignment_end(actor=personas["senior"], assignment=assignment, reason="Мерзімі аяқталды")
    assert services.resolution_expiry_scan().ended == 1
    resolution.refresh_from_db()
    assert resolution.status == ResolutionStatus.ENDED
    assert queue_keys(personas["officer"]) == {}


def test_the_work_queue_source_reads_a_fixed_number_of_queries(personas, django_assert_num_queries):
    from openprobation.core.workqueue import WorkScope
    from openprobation.workqueue.selectors import queue_cases

    ending_in(personas, 5)
    scope = WorkScope(user=personas["head"], cases=queue_cases(user=personas["head"]), today=local_today())
    # notice from the rulebook (cached after the first read), the counts, the list
    resolutions_ending(scope)
    with django_assert_num_queries(2):
        first = resolutions_ending(scope)
    for _ in range(3):
        ending_in(personas, 4)
    with django_assert_num_queries(2):
        more = resolutions_ending(scope)
    assert (first.count, more.count) == (1, 4)
