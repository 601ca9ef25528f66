"""Monitoring pages: the console and an alert's page (see ``monitoring.urls``).

The console is the live queue of unresolved alerts of the user's scope, oldest waiting first, with
each alert's timer against the response times of the rulebook; new and changed alerts reach the
open page through a server-sent events stream (``console_events``), which the page's script
(``static/monitoring/console.js``) swaps into the table. The stream is a plain generator under
the embedded server (WSGI, threaded) and an asynchronous one under ASGI, picked by the request.

Thin: reads through ``alert_selectors`` / ``selectors`` (scoped, sensitive reads audited there),
writes through ``services`` (permission, lifecycle and audit)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openprobation.accounts.models import User
from openprobation.accounts.permissions import staff_user
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import CaseAction, may
from openprobation.conditions.selectors import conditions_in_force
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.forms import apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.monitoring import alert_selectors, selectors, services
from openprobation.monitoring.alerting import AlertStatus
from openprobation.monitoring.catalogue import Rule, Severity
from openprobation.monitoring.mapdata import map_view
from openprobation.monitoring.models import Alert
from openprobation.monitoring.pages.alert_forms import (
    AcknowledgeForm,
    CallForm,
    EscalateForm,
    QueueFilterForm,
    ResolveForm,
)
from openprobation.monitoring.pages.maps import map_config
from openprobation.monitoring.sla import ResponseTimes, Timer, alert_timer, response_times
from openprobation.people.iin import masked_iin

# The live stream: how often it looks for changes, how often it says it is alive, how long one
# connection lasts (the browser reconnects with the last event's id).
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 600.0
RETRY_MS = 2000


# --- Helpers ---------------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> User:
    user = staff_user(request)
    if not selectors.may_read(user):
        raise PermissionDenied
    return user


def can_act(user: Any, alert: Alert) -> bool:
    """May the user act on this row of the queue (no query: the row's case and office are loaded)?
    The services judge again under the lock."""
    if alert.status == AlertStatus.RESOLVED:
        return False
    if alert_selectors.is_operator(user):
        return alert.status != AlertStatus.ESCALATED  # the rows are of their regions already
    return has_cap(user, Cap.EM_ZONES) and may(user, CaseAction.EDIT, alert.case)


def _filter_form(data: Any, user: Any) -> QueueFilterForm:
    regions = [(r.pk, str(r)) for r in alert_selectors.queue_regions(user)]
    return QueueFilterForm(data or None, regions=regions)


def _filters(form: QueueFilterForm) -> alert_selectors.QueueFilters | None:
    if not form.is_bound:
        return alert_selectors.QueueFilters()
    if not form.is_valid():
        return None
    d = form.cleaned_data
    return alert_selectors.QueueFilters(severity=d["severity"] or "", region=d["region"], rule=d["rule"] or "")


_PK = 987654321  # stands for an alert's id in the URL patterns below


@dataclass(frozen=True)
class RowText:
    """What every row of the queue says alike — the column names, the choices' labels, the shape of
    its links — translated and reversed once per page or poll, not once per row (at a hundred rows
    that was half of the console's time)."""

    columns: dict[str, str]
    rules: dict[str, str]
    severities: dict[str, str]
    statuses: dict[str, str]
    alert_url: str
    ack_url: str


def row_text() -> RowText:
    def pattern(name: str) -> str:
        return reverse(name, kwargs={"record": _PK}).replace(str(_PK), "{}")

    return RowText(
        columns={
            "severity": _("Severity"),
            "alert": _("Alert"),
            "person": _("Person and case"),
            "waiting": _("Waiting (h:mm)"),
            "status": _("Status"),
            "action": _("Action"),
        },
        rules={k: str(v) for k, v in Rule.choices},
        severities={k: str(v) for k, v in Severity.choices},
        statuses={k: str(v) for k, v in AlertStatus.choices},
        alert_url=pattern("monitoring:alert"),
        ack_url=pattern("monitoring:alert_acknowledge"),
    )


def _row(user: Any, alert: Alert, timer: Timer | None, text: RowText) -> dict[str, Any]:
    """One row of the queue: the alert, its timer, whether the user may act on it, and its words."""
    return {
        "alert": alert,
        "timer": timer,
        "can_act": can_act(user, alert),
        "text": text,
        "rule": text.rules.get(alert.rule, alert.rule),
        "severity": text.severities.get(alert.severity, alert.severity),
        "status": text.statuses.get(alert.status, alert.status),
        "person": alert.case.person.full_name,
        "url": text.alert_url.format(alert.pk),
        "ack_url": text.ack_url.format(alert.pk),
    }


def _row_context(user: Any, alert: Alert, *, now: dt.datetime, times: ResponseTimes, text: RowText) -> dict[str, Any]:
    return {"row": _row(user, alert, alert_timer(alert, now=now, times=times), text)}


# --- The console -----------------------------------------------------------------------------------------


@login_required
@require_GET
def console_view(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = _filter_form(request.GET, user)
    filters = _filters(form)
    status = 200
    if filters is None:
        filters, status = alert_selectors.QueueFilters(), 400
    queue = alert_selectors.alert_queue(user=user, filters=filters)
    text = row_text()
    rows = [_row(user, r.alert, r.timer, text) for r in queue.rows]
    context = {
        "form": form,
        "queue": queue,
        "rows": rows,
        "cursor": queue.now.isoformat(),
        "events_url": reverse("monitoring:console_events") + (f"?{request.GET.urlencode()}" if request.GET else ""),
        "escalated_to_me": alert_selectors.escalated_to_me(user).count()
        if not alert_selectors.is_operator(user)
        else 0,
    }
    template = (
        "monitoring/console/_queue.html" if request.headers.get("HX-Request") else "monitoring/console/console.html"
    )
    return render(request, template, context, status=status)


class ConsoleStream:
    """Server-sent events of the console: one ``alert`` event per alert of the user's scope raised
    or changed since the cursor, carrying the row to show (or that it left the queue)."""

    def __init__(self, *, request: HttpRequest, user: Any, filters: alert_selectors.QueueFilters, since: dt.datetime):
        self.request = request
        self.user = user
        self.filters = filters
        self.cursor = since
        self.language = translation.get_language()
        self.seen: dict[int, dt.datetime] = {}

    def poll(self) -> list[str]:
        """The events of the changes past the cursor (one query, plus one per rendered row's
        template lookups only), advancing the cursor."""
        changed = alert_selectors.changed_since(user=self.user, since=self.cursor)
        out: list[str] = []
        if not changed:
            return out
        now = timezone.now()
        times = response_times(on=local_today())
        with translation.override(self.language):
            text = row_text()
            for alert in changed:
                if self.seen.get(alert.pk) == alert.changed_at:
                    continue
                self.seen[alert.pk] = alert.changed_at
                self.cursor = max(self.cursor, alert.changed_at)
                show = alert_selectors.matches(alert, self.filters)
                html = (
                    render_to_string(
                        "monitoring/console/_row.html",
                        _row_context(self.user, alert, now=now, times=times, text=text),
                        request=self.request,
                    )
                    if show
                    else ""
                )
                data = json.dumps(
                    {"id": alert.pk, "status": alert.status, "severity": alert.severity, "show": show, "html": html}
                )
                out.append(f"id: {self.cursor.isoformat()}\nevent: alert\ndata: {data}\n\n")
        horizon = self.cursor - alert_selectors.STREAM_OVERLAP
        self.seen = {k: v for k, v in self.seen.items() if v >= horizon}
        return out

    def events(self, *, seconds: float | None = None, poll_seconds: float = POLL_SECONDS) -> Iterator[str]:
        """For the embedded server (WSGI, a thread per connection)."""
        seconds = STREAM_SECONDS if seconds is None else seconds
        yield f"retry: {RETRY_MS}\n\n"
        # The connection is given back when the response closes (Django's request_finished).
        start = last_beat = time.monotonic()
        while time.monotonic() - start < seconds:
            yield from self.poll()
            if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                last_beat = time.monotonic()
                yield ": alive\n\n"
            time.sleep(poll_seconds)

    async def async_events(
        self, *, seconds: float | None = None, poll_seconds: float = POLL_SECONDS
    ) -> AsyncIterator[str]:
        """For an ASGI server: the database is read in a worker thread, the wait is a coroutine."""
        seconds = STREAM_SECONDS if seconds is None else seconds
        yield f"retry: {RETRY_MS}\n\n"
        start = last_beat = time.monotonic()
        poll = sync_to_async(self.poll)
        while time.monotonic() - start < seconds:
            for event in await poll():
                yield event
            if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                last_beat = time.monotonic()
                yield ": alive\n\n"
            await asyncio.sleep(poll_seconds)


def _since(request: HttpRequest) -> dt.datetime:
    """The client's cursor (the last event's id, or ``since``); now when absent or not a moment."""
    now = timezone.now()
    raw = request.headers.get("Last-Event-ID") or request.GET.get("since") or ""
    try:
        parsed = parse_datetime(raw[:64]) if raw else None
    except ValueError:
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        return now
    # Not ahead of now, not further back than the queue shows anyway.
    return min(max(parsed, now - dt.timedelta(hours=1)), now)


@login_required
@require_GET
def console_events_view(request: HttpRequest) -> HttpResponseBase:
    user = _reader(request)
    params = request.GET.copy()
    params.pop("since", None)
    form = _filter_form(params, user)
    filters = _filters(form)
    if filters is None:
        return HttpResponse(_("Check the filters."), status=400, content_type="text/plain; charset=utf-8")
    stream = ConsoleStream(request=request, user=user, filters=filters, since=_since(request))
    content: Any = stream.async_events() if isinstance(request, ASGIRequest) else stream.events()
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


# --- An alert's page -------------------------------------------------------------------------------------


def _alert_detail(request: HttpRequest, user: User, record: int) -> selectors.AlertDetail:
    try:
        return selectors.alert_detail(user=user, pk=record)
    except Alert.DoesNotExist:
        raise Http404 from None


def _alert_page(request: HttpRequest, user: User, record: int, *, status: int = 200, **bound: Any) -> HttpResponse:
    detail = _alert_detail(request, user, record)
    alert = detail.alert
    case = alert.case
    person = case.person
    past = alert_selectors.past_alerts(alert)
    focus = (alert.lat, alert.lon) if alert.lat is not None and alert.lon is not None else None
    the_map = map_view(
        id="alert-map",
        label=_("Zones in force and fixes around the alert"),
        zones=alert_selectors.zones_in_force(alert),
        fixes=detail.fixes,
        alerts=[(alert, "")]
        + [(a, reverse("monitoring:alert", kwargs={"record": a.pk})) for a in past if a.lat is not None],
        focus=focus,
    )
    acting = can_act(user, alert) and alert_selectors.may_handle_alert(
        user, alert, moving_on_escalated=alert.status == AlertStatus.ESCALATED
    )
    calling = alert.status != AlertStatus.RESOLVED and alert_selectors.may_handle_alert(user, alert)
    times = response_times(on=local_today())
    language = (translation.get_language() or "en")[:2]
    context: dict[str, Any] = {
        "alert": alert,
        "case": case,
        "person": person,
        "iin_masked": masked_iin(person.iin),
        "co_residents": [m for m in person.family.all() if m.lives_with],
        "duties": [c.definition.name_in(language) for c in conditions_in_force(case=case, on=local_today())],
        "state": selectors.device_state(user=user, device=alert.device),
        "device": alert.device,
        "assignment": detail.assignment,
        "zone_version": detail.zone_version,
        "fixes_count": len(detail.fixes),
        "map": the_map,
        "map_config": map_config(detail.assignment),
        "past": past,
        "history": alert_selectors.alert_history(alert),
        "calls": alert_selectors.alert_calls(alert),
        "timer": alert_timer(alert, now=timezone.now(), times=times),
        "may_see_case": may(user, CaseAction.VIEW, case),
    }
    if acting and alert.status in (AlertStatus.NEW, AlertStatus.ESCALATED):
        context["ack_form"] = bound.get("ack_form") or AcknowledgeForm(auto_id="ack_%s")
    if acting and alert.status in (AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED):
        context["resolve_form"] = bound.get("resolve_form") or ResolveForm(auto_id="resolve_%s")
    if acting and alert.status == AlertStatus.ACKNOWLEDGED:
        context["escalate_form"] = bound.get("escalate_form") or EscalateForm(auto_id="escalate_%s")
    if calling:
        context["call_form"] = bound.get("call_form") or CallForm(initial={"party": "person", "number": person.phone})
    return render(request, "monitoring/console/alert.html", context, status=status)


@login_required
@require_GET
def alert_view(request: HttpRequest, record: int) -> HttpResponse:
    return _alert_page(request, _reader(request), record)


def _scoped_alert(user: User, record: int) -> Alert:
    try:
        alert = selectors.alert_qs_for_user(user).get(pk=record)
    except Alert.DoesNotExist:
        raise Http404 from None
    if not alert_selectors.may_handle_alert(user, alert):
        raise PermissionDenied
    return alert


@login_required
@require_POST
def alert_acknowledge_view(request: HttpRequest, record: int) -> HttpResponse:
    user = _reader(request)
    alert = _scoped_alert(user, record)
    form = AcknowledgeForm(request.POST, auto_id="ack_%s")
    htmx = bool(request.headers.get("HX-Request"))
    error = ""
    if form.is_valid():
        try:
            alert = services.alert_acknowledge(actor=user, alert=alert, note=form.cleaned_data["note"])
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as err:
            error = str(err.message)
            apply_domain_error(form, err)
    else:
        error = _("Check the note.")
    if htmx:
        fresh = (
            selectors.alert_qs_for_user(user).select_related("case__person", "case__office__region").get(pk=alert.pk)
        )
        context = _row_context(user, fresh, now=timezone.now(), times=response_times(on=local_today()), text=row_text())
        context["error"] = error
        return render(request, "monitoring/console/_row.html", context, status=400 if error else 200)
    if error:
        return _alert_page(request, user, record, status=400, ack_form=form)
    messages.success(request, _("The alert is acknowledged."))
    return redirect("monitoring:alert", record=alert.pk)


@login_required
@require_POST
def alert_resolve_view(request: HttpRequest, record: int) -> HttpResponse:
    user = _reader(request)
    alert = _scoped_alert(user, record)
    form = ResolveForm(request.POST, auto_id="resolve_%s")
    if form.is_valid():
        try:
            resolved = services.alert_resolve(
                actor=user, alert=alert, resolution=form.cleaned_data["resolution"], note=form.cleaned_data["note"]
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            if resolved.violation_id:
                messages.success(request, _("The alert is resolved; a violation candidate is on the case."))
            else:
                messages.success(request, _("The alert is resolved."))
            return redirect("monitoring:alert", record=alert.pk)
    return _alert_page(request, user, record, status=400, resolve_form=form)


@login_required
@require_POST
def alert_escalate_view(request: HttpRequest, record: int) -> HttpResponse:
    user = _reader(request)
    alert = _scoped_alert(user, record)
    form = EscalateForm(request.POST, auto_id="escalate_%s")
    if form.is_valid():
        try:
            services.alert_escalate(actor=user, alert=alert, reason=form.cleaned_data["reason"])
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The alert is escalated to the case's officer."))
            return redirect("monitoring:alert", record=alert.pk)
    return _alert_page(request, user, record, status=400, escalate_form=form)


@login_required
@require_POST
def alert_call_view(request: HttpRequest, record: int) -> HttpResponse:
    user = _reader(request)
    alert = _scoped_alert(user, record)
    form = CallForm(request.POST, auto_id="call_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.alert_call_record(
                actor=user,
                alert=alert,
                party=d["party"],
                number=d["number"],
                name=d["name"],
                outcome=d["outcome"],
                note=d["note"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The call is recorded."))
            return redirect("monitoring:alert", record=alert.pk)
    return _alert_page(request, user, record, status=400, call_form=form)


urlpatterns: list[URLPattern] = [
    path("monitoring/console/", console_view, name="console"),
    path("monitoring/console/events/", console_events_view, name="console_events"),
    path("monitoring/alerts/<int:record>/", alert_view, name="alert"),
    path("monitoring/alerts/<int:record>/acknowledge/", alert_acknowledge_view, name="alert_acknowledge"),
    path("monitoring/alerts/<int:record>/resolve/", alert_resolve_view, name="alert_resolve"),
    path("monitoring/alerts/<int:record>/escalate/", alert_escalate_view, name="alert_escalate"),
    path("monitoring/alerts/<int:record>/calls/", alert_call_view, name="alert_call"),
]
