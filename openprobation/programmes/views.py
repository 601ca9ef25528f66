"""Programme pages of a case. Thin: reads through ``programmes.selectors`` (out of jurisdiction →
404), writes through ``programmes.services`` and ``programmes.participants``; a refused entry comes
back on its form, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openprobation.accounts.permissions import staff_user
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change, case_shown
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import UswdsForm, apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.programmes import participants, selectors, services
from openprobation.programmes.capacity import capacity_report, may_see_capacity
from openprobation.programmes.content import described
from openprobation.programmes.forms import (
    AgreementForm,
    CloseForm,
    GoalChangeForm,
    GoalForm,
    MeasureForm,
    OpenForm,
    ParticipantForm,
    ProgressForm,
    ReviewForm,
)
from openprobation.programmes.models import Programme, ProgrammeStatus
from openprobation.programmes.pagedata import programme_page_context


def _visible(request: HttpRequest, pk: int) -> Case:
    try:
        return selectors.programme_case(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def may_change(user: Any, case: Case) -> bool:
    return may(user, CaseAction.EDIT, case) and case.status not in TERMINAL


def _editable(request: HttpRequest, pk: int) -> Case:
    """404 outside the jurisdiction, 403 when the user may not change the case. A GET shows the
    form (a read of the case, recorded); a POST is recorded by the service."""
    if request.method == "POST":
        try:
            case = case_for_change(user=request.user, pk=pk)
        except Case.DoesNotExist:
            raise Http404 from None
    else:
        case = _visible(request, pk)
    if not may_change(request.user, case):
        raise PermissionDenied
    return case


def _done(case: Case, request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("programmes:programme", pk=case.pk)


@login_required
@require_GET
def programme_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Goals, measures with their referrals, participants, the person's answer, versions."""
    case = _visible(request, pk)
    context = programme_page_context(user=request.user, case=case, today=local_today())
    context["may_change"] = may_change(request.user, case)
    return render(request, "programmes/programme.html", context)


Handler = Callable[[Any, dict[str, Any]], Any]


def _form_view(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[UswdsForm],
    handler: Callable[[Any, Case, Programme | None, dict[str, Any]], Any],
    title: str,
    submit: str,
    done: str,
    initial: Callable[[Case, Programme | None], dict[str, Any]] | None = None,
    form_kwargs: Callable[[Case, Programme | None], dict[str, Any]] | None = None,
    needs_programme: bool = True,
    record: Callable[[Programme], Any] | None = None,
    extra: Callable[[Case], dict[str, Any]] | None = None,
) -> HttpResponse:
    case = _editable(request, pk)
    programme = selectors.case_programme(case)
    if needs_programme and (programme is None or programme.status == ProgrammeStatus.CLOSED):
        messages.info(request, _("Open the programme first."))
        return redirect("programmes:programme", pk=case.pk)
    if not needs_programme and programme is not None and programme.status != ProgrammeStatus.CLOSED:
        return redirect("programmes:programme", pk=case.pk)
    item = None
    if record is not None and programme is not None:
        item = record(programme)
        if item is None:
            raise Http404
    kwargs = form_kwargs(case, programme) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                handler(staff_user(request), case, programme, form.cleaned_data)
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(case, request, done)
        case_shown(user=request.user, case=case, part="programme")
    else:
        form = form_class(initial=initial(case, programme) if initial else {}, **kwargs)
    context = {
        "case": case,
        "programme": programme,
        "item": item,
        "form": form,
        "title": title,
        "submit": submit,
        "action": request.path,
        **(extra(case) if extra else {}),
    }
    return render(request, "programmes/form.html", context)


def _open_initial(case: Case, _p: Programme | None) -> dict[str, Any]:
    proposal = selectors.needs_proposal(case)
    due, _i = selectors.next_review(case.person, start=local_today())
    return {
        "domains": [g.domain for g in proposal.goals],
        "measures": sorted({m for g in proposal.goals for m in g.measures}),
        "due_on": due,
    }


def _open(actor: Any, case: Case, _p: Programme | None, d: dict[str, Any]) -> Any:
    proposal = {g.domain: g.points for g in selectors.needs_proposal(case).goals}
    goals = [services.GoalInput(domain=x, assessed_points=proposal.get(x)) for x in d["domains"]]
    measures = [services.MeasureInput(measure=m, due_on=d["due_on"]) for m in d["measures"]]
    return services.programme_open(actor=actor, case=case, study=d["study"], goals=goals, measures=measures)


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_view(
        request,
        pk,
        form_class=OpenForm,
        handler=_open,
        title=_("New individual programme"),
        submit=_("Open the programme"),
        done=_("The programme is opened as a draft. Agree it with the person."),
        initial=_open_initial,
        needs_programme=False,
        extra=lambda case: {"proposal": selectors.needs_proposal(case)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, pk: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.goal_add(actor=actor, programme=p, data=services.GoalInput(domain=d["domain"], text=d["text"]))

    return _form_view(
        request,
        pk,
        form_class=GoalForm,
        handler=handle,
        title=_("Add a goal"),
        submit=_("Add the goal"),
        done=_("The goal is added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.goal_change(
            actor=actor, programme=p, goal_id=record, text=d["text"], achieved=d["achieved"], remove=d["remove"]
        )

    def initial(case: Case, p: Any) -> dict[str, Any]:
        goal = p.goals.filter(pk=record).first()
        return {"text": goal.text, "achieved": goal.achieved} if goal else {}

    return _form_view(
        request,
        pk,
        form_class=GoalChangeForm,
        handler=handle,
        title=_("Change a goal"),
        submit=_("Save"),
        done=_("The goal is changed."),
        initial=initial,
        record=lambda p: p.goals.filter(pk=record, removed=False).first(),
    )


def _measure_kwargs(measure: str | None = None) -> Callable[[Case, Programme | None], dict[str, Any]]:
    def make(case: Case, p: Programme | None) -> dict[str, Any]:
        goals = list(p.goals.filter(removed=False)) if p else []
        return {"goals": goals, "organisations": list(selectors.organisations_for(case.office))}

    return make


def _measure_input(d: dict[str, Any]) -> services.MeasureInput:
    return services.MeasureInput(
        measure=d["measure"],
        due_on=d["due_on"],
        description=d["description"],
        organisation_id=d["organisation"],
        goal_id=d["goal"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, pk: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.measure_add(actor=actor, programme=p, data=_measure_input(d))

    def initial(case: Case, p: Any) -> dict[str, Any]:
        return {"due_on": selectors.next_review(case.person, start=local_today())[0], "goal": request.GET.get("goal")}

    return _form_view(
        request,
        pk,
        form_class=MeasureForm,
        handler=handle,
        title=_("Add a measure"),
        submit=_("Add the measure"),
        done=_("The measure is added."),
        initial=initial,
        form_kwargs=_measure_kwargs(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.measure_change(actor=actor, programme=p, measure_id=record, data=_measure_input(d))

    def initial(case: Case, p: Any) -> dict[str, Any]:
        m = p.measures.filter(pk=record).first()
        if m is None:
            return {}
        return {
            "measure": m.measure,
            "goal": m.goal_id,
            "description": m.description,
            "organisation": m.organisation_id,
            "due_on": m.due_on,
        }

    return _form_view(
        request,
        pk,
        form_class=MeasureForm,
        handler=handle,
        title=_("Change a measure"),
        submit=_("Save"),
        done=_("The measure is changed."),
        initial=initial,
        form_kwargs=_measure_kwargs(),
        record=lambda p: p.measures.filter(pk=record).first(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_progress(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.measure_progress(
            actor=actor,
            programme=p,
            measure_id=record,
            status=d["status"],
            outcome=d["outcome"],
            outcome_on=d["outcome_on"],
        )

    def initial(case: Case, p: Any) -> dict[str, Any]:
        m = p.measures.filter(pk=record).first()
        return {"status": m.status, "outcome": m.outcome, "outcome_on": m.outcome_on or local_today()} if m else {}

    return _form_view(
        request,
        pk,
        form_class=ProgressForm,
        handler=handle,
        title=_("Record progress of a measure"),
        submit=_("Record"),
        done=_("The measure is updated."),
        initial=initial,
        record=lambda p: p.measures.filter(pk=record).first(),
    )


@login_required
@require_POST
def measure_remove(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    programme = selectors.case_programme(case)
    if programme is None:
        raise Http404
    try:
        services.measure_remove(actor=staff_user(request), programme=programme, measure_id=record)
    except DomainError as err:
        messages.error(request, str(err.message))
        return redirect("programmes:programme", pk=case.pk)
    return _done(case, request, _("The measure is removed."))


@login_required
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.programme_record_agreement(
            actor=actor, programme=p, agreed=d["agreed"], on=d["on"], note=d["note"], representative=d["representative"]
        )

    return _form_view(
        request,
        pk,
        form_class=AgreementForm,
        handler=handle,
        title=_("Record the person's answer"),
        submit=_("Record the answer"),
        done=_("The person's answer is recorded."),
        initial=lambda c, p: {"on": local_today()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.programme_review_record(actor=actor, programme=p, on=d["on"], note=d["note"])

    return _form_view(
        request,
        pk,
        form_class=ReviewForm,
        handler=handle,
        title=_("Record a review of the programme"),
        submit=_("Record the review"),
        done=_("The review is recorded; the next one is set."),
        initial=lambda c, p: {"on": local_today()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return services.programme_close(actor=actor, programme=p, on=d["on"], reason=d["reason"])

    return _form_view(
        request,
        pk,
        form_class=CloseForm,
        handler=handle,
        title=_("Close the programme"),
        submit=_("Close the programme"),
        done=_("The programme is closed."),
        initial=lambda c, p: {"on": local_today()},
    )


def _participant_kwargs(case: Case, p: Programme | None) -> dict[str, Any]:
    return {
        "family": selectors.representatives(case.person),
        "organisations": list(selectors.minors_organisations(case.office)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def participant_new(request: HttpRequest, pk: int) -> HttpResponse:
    def handle(actor: Any, case: Case, p: Any, d: dict[str, Any]) -> Any:
        return participants.participant_add(
            actor=actor,
            programme=p,
            kind=d["kind"],
            family_member_id=d["family_member"],
            organisation_id=d["organisation"],
            name=d["name"],
            phone=d["phone"],
            email=d["email"],
            invited_on=d["invited_on"],
            copy_notices=d["copy_notices"],
        )

    return _form_view(
        request,
        pk,
        form_class=ParticipantForm,
        handler=handle,
        title=_("Involve a participant"),
        submit=_("Add the participant"),
        done=_("The participant is added."),
        initial=lambda c, p: {"invited_on": local_today(), "copy_notices": True, "kind": request.GET.get("kind", "")},
        form_kwargs=_participant_kwargs,
    )


@login_required
@require_POST
def participant_remove(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    programme = selectors.case_programme(case)
    if programme is None:
        raise Http404
    try:
        participants.participant_remove(actor=staff_user(request), programme=programme, participant_id=record)
    except DomainError as err:
        messages.error(request, str(err.message))
        return redirect("programmes:programme", pk=case.pk)
    return _done(case, request, _("The participant is removed."))


@login_required
@require_GET
def version_page(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    """One version as it was frozen, and what changed since the previous one."""
    case = _visible(request, pk)
    programme = selectors.case_programme(case)
    version = programme.versions.filter(pk=record).first() if programme else None
    if version is None:
        raise Http404
    context = {"case": case, "programme": programme, "version": version, "changes": described(version.changes)}
    return render(request, "programmes/version.html", context)


@login_required
@require_GET
def print_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme to hand to the person, in their native language."""
    case = _visible(request, pk)
    with translation.override(case.person.native_language):
        context = programme_page_context(user=request.user, case=case, today=local_today())
        context["may_change"] = may_change(request.user, case)
        response = render(request, "programmes/print.html", context)
        response["Content-Language"] = case.person.native_language
    return response


@login_required
@require_POST
def send_copies(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    programme = selectors.case_programme(case)
    if programme is None:
        raise Http404
    try:
        queued = participants.programme_send_copies(actor=staff_user(request), programme=programme)
    except DomainError as err:
        messages.error(request, str(err.message))
        return redirect("programmes:programme", pk=case.pk)
    return _done(case, request, _("Copies queued for the participants: %(n)s.") % {"n": queued})


@login_required
@require_GET
def capacity_page(request: HttpRequest) -> HttpResponse:
    if not may_see_capacity(request.user):
        raise PermissionDenied
    report = capacity_report(user=request.user)
    return render(request, "programmes/capacity.html", {"report": report})
