"""Monitoring pages: EM resolutions and the device's life on a case (see ``monitoring.urls``).

Thin: the case through ``cases.selectors`` (404 outside the jurisdiction), the resolution and the
assignment through the monitoring selectors, writes through the monitoring services; a refusal is
shown on the form. The "Electronic monitoring" section of the case page is ``resolutions_casepage``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openprobation.accounts.models import Role, User
from openprobation.accounts.permissions import staff_user
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change, case_shown
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import ReasonField, UswdsForm, apply_domain_error, date_field
from openprobation.core.timeutil import local_today
from openprobation.monitoring import selectors, services
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus
from openprobation.monitoring.models import Assignment, Device, EmResolution, ResolutionGrounds, ResolutionStatus
from openprobation.monitoring.services.assignments import END_STATUSES

CHOOSE = ("", gettext_lazy("— choose —"))


# --- Forms -----------------------------------------------------------------------------------------------


class DecideForm(UswdsForm):
    number = forms.CharField(label=gettext_lazy("Resolution number"), max_length=64)
    decided_on = date_field(gettext_lazy("Decided on"), required=True)
    grounds = forms.ChoiceField(label=gettext_lazy("Grounds"), choices=[CHOOSE, *ResolutionGrounds.choices])
    grounds_text = forms.CharField(
        label=gettext_lazy("Grounds in detail"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required for another restriction set by a court."),
    )
    starts_on = date_field(gettext_lazy("Monitoring from"), help_text=gettext_lazy("Empty: from the decision date."))
    ends_on = date_field(
        gettext_lazy("Monitoring until"),
        help_text=gettext_lazy(
            "Only for another restriction set by a court; otherwise the end follows from the rulebook."
        ),
    )
    acting_head = forms.BooleanField(
        label=gettext_lazy("I decide as acting head of office"),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role != Role.SENIOR_OFFICER:
            del self.fields["acting_head"]

    def data_input(self) -> services.ResolutionInput:
        d = self.cleaned_data
        return services.ResolutionInput(
            number=d["number"],
            decided_on=d["decided_on"],
            grounds=d["grounds"],
            grounds_text=d["grounds_text"],
            starts_on=d.get("starts_on"),
            ends_on=d.get("ends_on"),
            acting_head=bool(d.get("acting_head")),
        )


class MemoForm(UswdsForm):
    signed_on = date_field(gettext_lazy("Signed on"), required=True)


class CoResidentsForm(UswdsForm):
    informed_on = date_field(gettext_lazy("Informed on"), required=True)
    note = forms.CharField(
        label=gettext_lazy("Who was informed"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The people living with the person, or that the person lives alone."),
    )


class CloseForm(UswdsForm):
    to_status = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            CHOOSE,
            (ResolutionStatus.ENDED, gettext_lazy("End the monitoring")),
            (ResolutionStatus.REVOKED, gettext_lazy("Revoke the resolution")),
        ],
    )
    reason = ReasonField()
    acting_head = forms.BooleanField(label=gettext_lazy("I decide as acting head of office"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role != Role.SENIOR_OFFICER:
            del self.fields["acting_head"]


class MomentInput(forms.DateTimeInput):
    """A moment typed as dd.mm.yyyy hh:mm in every language (local time), like the date fields."""

    input_type = "text"

    def __init__(self) -> None:
        attrs = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "16", "class": "usa-input--md"}
        super().__init__(attrs=attrs, format="%d.%m.%Y %H:%M")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", str(gettext_lazy("dd.mm.yyyy hh:mm")))
        return context


def _moment_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=MomentInput(),
        input_formats=["%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
        help_text=gettext_lazy("Empty: now."),
    )


class DeviceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Device) -> str:
        return f"{obj.serial} · {obj.get_kind_display()} · {obj.office.name}"


def _stock(user: User, case: Case) -> Any:
    """Wearable devices in stock that the user sees, held in the case's region."""
    return (
        selectors.device_qs_for_user(user)
        .filter(status=DeviceStatus.IN_STOCK, office__region_id=case.office.region_id)
        .exclude(kind=DeviceKind.VICTIM_DEVICE)
        .order_by("office_id", "serial")
    )


class FitForm(UswdsForm):
    device = DeviceChoiceField(label=gettext_lazy("Device"), queryset=Device.objects.none(), empty_label=CHOOSE[1])
    installed_at = _moment_field(gettext_lazy("Installed at"))

    def __init__(self, *args: Any, stock: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["device"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = stock


class ReplaceForm(FitForm):
    reason = ReasonField()
    device_status = forms.ChoiceField(
        label=gettext_lazy("The removed device goes"),
        choices=[(s.value, s.label) for s in END_STATUSES],
        initial=DeviceStatus.IN_REPAIR,
    )

    def __init__(self, *args: Any, stock: Any, **kwargs: Any) -> None:
        super().__init__(*args, stock=stock, **kwargs)
        self.fields["installed_at"].label = gettext_lazy("Replaced at")


class RemoveForm(UswdsForm):
    reason = ReasonField()
    removed_at = _moment_field(gettext_lazy("Removed at"))
    device_status = forms.ChoiceField(
        label=gettext_lazy("The device goes"),
        choices=[(s.value, s.label) for s in END_STATUSES],
        initial=DeviceStatus.IN_STOCK,
    )


# --- Plumbing --------------------------------------------------------------------------------------------


def _case(request: HttpRequest, pk: int, allowed: Callable[[User, Case], bool]) -> Case:
    """The case a form is for: 404 outside the jurisdiction, 403 unless ``allowed`` and the case is
    open. A GET (and a POST answered with the form again) is recorded as a read of the case."""
    user = staff_user(request)
    try:
        case = case_for_change(user=user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if case.status in TERMINAL or not allowed(user, case):
        raise PermissionDenied
    return case


def _resolution(case: Case, user: User, record: int) -> EmResolution:
    try:
        return selectors.case_resolutions(user=user, case_id=case.pk).get(pk=record)
    except EmResolution.DoesNotExist:
        raise Http404 from None


def _assignment(case: Case, user: User, record: int) -> Assignment:
    try:
        return selectors.case_assignments(user=user, case_id=case.pk).get(pk=record, removed_at__isnull=True)
    except Assignment.DoesNotExist:
        raise Http404 from None


def _may_decide(user: User, case: Case) -> bool:
    # Whether the user could decide at all (a senior officer only when acting as head, said on the form).
    return selectors.may_decide_resolution(user, case, acting_head=True)


def _form_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    *,
    title: Any,
    intro: Any = "",
    button: Any,
    form_id: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    case_shown(user=request.user, case=case, part="monitoring")
    context = {
        "case": case,
        "form": form,
        "title": title,
        "intro": intro,
        "button": button,
        "form_id": form_id,
        **(extra or {}),
    }
    return render(request, "monitoring/resolutions/form.html", context)


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{case_url(case)}#case-monitoring")


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _run(form: forms.Form, action: Callable[[], Any]) -> bool:
    try:
        action()
    except DomainError as err:
        apply_domain_error(form, err)
        return False
    return True


# --- Views -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, _may_decide)
    user = staff_user(request)
    today = local_today()
    initial: dict[str, Any] = {"decided_on": today}
    current = selectors.resolution_in_force(case, today)
    if current is not None:  # an extension: the next resolution starts the day after this one ends
        initial["starts_on"] = current.ends_on + dt.timedelta(days=1)
    form = DecideForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.data_input()
        if _run(form, lambda: services.resolution_decide(actor=user, case=case, data=data)):
            return _done(request, case, _("The resolution is recorded."))
    return _form_page(
        request,
        case,
        form,
        title=_("Decide on electronic monitoring"),
        intro=_(
            "Electronic monitoring is applied by resolution of the head of office: for one year after a "
            "written warning (restriction of liberty), for the extension period after a court extends "
            "probation control (conditional sentence)."
        ),
        button=_("Record the resolution"),
        form_id="resolution-decide-form",
    )


@login_required
@require_http_methods(["GET", "POST"])
def memo_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, selectors.may_record_resolution_facts)
    user = staff_user(request)
    resolution = _resolution(case, user, record)
    form = MemoForm(request.POST or None, initial={"signed_on": local_today()})
    if request.method == "POST" and form.is_valid():
        signed_on = form.cleaned_data["signed_on"]
        if _run(
            form, lambda: services.resolution_acknowledge_memo(actor=user, resolution=resolution, signed_on=signed_on)
        ):
            return _done(request, case, _("The signed memo is recorded."))
    return _form_page(
        request,
        case,
        form,
        title=_("The person signed the usage memo"),
        intro=_("The memo on using the device, with liability for damage to it, signed by the person."),
        button=_("Record"),
        form_id="resolution-memo-form",
        extra={"resolution": resolution},
    )


@login_required
@require_http_methods(["GET", "POST"])
def co_residents_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, selectors.may_record_resolution_facts)
    user = staff_user(request)
    resolution = _resolution(case, user, record)
    form = CoResidentsForm(request.POST or None, initial={"informed_on": local_today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(
            form,
            lambda: services.resolution_inform_co_residents(
                actor=user, resolution=resolution, informed_on=d["informed_on"], note=d["note"]
            ),
        ):
            return _done(request, case, _("Informing the co-residents is recorded."))
    return _form_page(
        request,
        case,
        form,
        title=_("Co-residents informed"),
        button=_("Record"),
        form_id="resolution-co-residents-form",
        extra={"resolution": resolution},
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, _may_decide)
    user = staff_user(request)
    resolution = _resolution(case, user, record)
    form = CloseForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(
            form,
            lambda: services.resolution_close(
                actor=user,
                resolution=resolution,
                to_status=d["to_status"],
                reason=d["reason"],
                acting_head=bool(d.get("acting_head")),
            ),
        ):
            return _done(request, case, _("The resolution is no longer in force."))
    return _form_page(
        request,
        case,
        form,
        title=_("End or revoke the resolution"),
        intro=_("Remove the device first: a resolution ends only when no device is fitted under it."),
        button=_("Record the decision"),
        form_id="resolution-close-form",
        extra={"resolution": resolution},
    )


def _no_resolution_note(case: Case) -> str:
    if selectors.resolution_in_force(case, local_today()) is None:
        return _("There is no resolution in force: a device cannot be fitted until the head of office decides.")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def fit_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, selectors.may_assign)
    user = staff_user(request)
    form = FitForm(request.POST or None, stock=_stock(user, case))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(
            form,
            lambda: services.assignment_create(
                actor=user, case=case, device=d["device"], installed_at=_aware(d.get("installed_at"))
            ),
        ):
            return _done(request, case, _("The device is fitted."))
    return _form_page(
        request,
        case,
        form,
        title=_("Fit a monitoring device"),
        intro=_no_resolution_note(case),
        button=_("Fit the device"),
        form_id="assignment-fit-form",
    )


@login_required
@require_http_methods(["GET", "POST"])
def replace_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, selectors.may_assign)
    user = staff_user(request)
    assignment = _assignment(case, user, record)
    form = ReplaceForm(request.POST or None, stock=_stock(user, case))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(
            form,
            lambda: services.assignment_replace(
                actor=user,
                assignment=assignment,
                device=d["device"],
                reason=d["reason"],
                replaced_at=_aware(d.get("installed_at")),
                device_status=d["device_status"],
            ),
        ):
            return _done(request, case, _("The device is replaced; the zones are carried over."))
    return _form_page(
        request,
        case,
        form,
        title=_("Replace the device"),
        intro=_("The zones, curfews and permissions carry over to the new device."),
        button=_("Replace the device"),
        form_id="assignment-replace-form",
        extra={"assignment": assignment},
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, selectors.may_assign)
    user = staff_user(request)
    assignment = _assignment(case, user, record)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(
            form,
            lambda: services.assignment_end(
                actor=user,
                assignment=assignment,
                reason=d["reason"],
                removed_at=_aware(d.get("removed_at")),
                device_status=d["device_status"],
            ),
        ):
            return _done(request, case, _("The device is removed."))
    return _form_page(
        request,
        case,
        form,
        title=_("Remove the device"),
        button=_("Remove the device"),
        form_id="assignment-remove-form",
        extra={"assignment": assignment},
    )


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A moment typed on a form (the user's local time) with its time zone."""
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/monitoring/resolution/new/", decide_view, name="resolution_decide"),
    path("cases/<int:pk>/monitoring/resolutions/<int:record>/memo/", memo_view, name="resolution_memo"),
    path(
        "cases/<int:pk>/monitoring/resolutions/<int:record>/co-residents/",
        co_residents_view,
        name="resolution_co_residents",
    ),
    path("cases/<int:pk>/monitoring/resolutions/<int:record>/close/", close_view, name="resolution_close"),
    path("cases/<int:pk>/monitoring/fit/", fit_view, name="assignment_fit"),
    path("cases/<int:pk>/monitoring/assignments/<int:record>/replace/", replace_view, name="assignment_replace"),
    path("cases/<int:pk>/monitoring/assignments/<int:record>/remove/", remove_view, name="assignment_remove"),
]
