"""The audit log page: auditors only, filters, chain verification, read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.audit.services import audit_record

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_auditor_reads_the_log_and_filters_by_user_and_action(personas):
    audit_record(actor=personas["officer"], action="case.view", details={"n": 1})
    audit_record(actor=personas["head"], action="person.view")
    client = signed_in(personas["auditor"])
    response = client.get(reverse("audit:log"))
    assert response.status_code == 200
    assert 'id="audit-table"' in response.content.decode()
    assert response.context["page_obj"].paginator.count == 2
    filtered = client.get(reverse("audit:log"), {"user": "officer", "action": "case."})
    assert [e.action for e in filtered.context["page_obj"]] == ["case.view"]
    assert AuditEvent.objects.filter(action="audit.search", actor=personas["auditor"]).exists()


def test_date_range_in_the_wrong_order_is_explained(personas):
    response = signed_in(personas["auditor"]).get(
        reverse("audit:log"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert 'id="id_date_to_error"' in response.content.decode()


def test_verify_reports_an_intact_chain(personas):
    audit_record(actor=personas["officer"], action="case.view")
    response = signed_in(personas["auditor"]).post(reverse("audit:verify"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="verify-result"' in html
    assert "The chain is intact" in html
    assert "0 signed checkpoints kept outside the database agree with it." in html
    assert AuditEvent.objects.filter(action="audit.verify").exists()


def test_the_log_offers_no_way_to_change_events(personas):
    audit_record(actor=personas["officer"], action="case.view")
    html = signed_in(personas["auditor"]).get(reverse("audit:log")).content.decode()
    assert "/delete" not in html.lower()
    assert "/change" not in html.lower()
    assert html.count('method="post"') == 3  # language switcher, sign-out and "verify the chain" only
