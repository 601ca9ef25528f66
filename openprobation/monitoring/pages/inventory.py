"""Monitoring pages: the device inventory (stock per office, the device list, a device's page and the
actions of who keeps the stock) and device health (see ``monitoring.urls``).

Thin: reads through ``monitoring.selectors`` (a device outside the user's scope is a 404), writes
through ``monitoring.services`` (permission, invariants, history and audit there); a refusal comes
back on its form. Fitting a device to a case is done on the case page (its monitoring section)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openprobation.accounts.models import Office
from openprobation.accounts.permissions import staff_user
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.forms import ReasonField, UswdsForm, apply_domain_error
from openprobation.monitoring import selectors, services
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus, Strap
from openprobation.monitoring.models import Device
from openprobation.monitoring.services.devices import TRANSFERABLE
from openprobation.monitoring.services.lifecycle import BY_ASSIGNMENT_ONLY, MOVES

PAGE_SIZE = 50
# How many silent or low-battery devices the health page lists above the full table.
WATCH_LIMIT = 50
# The health page reloads its lists this often while it is open (unless the reader stops it).
HEALTH_REFRESH_SECONDS = 60

ANY = ("", gettext_lazy("Any"))
CHOOSE = ("", gettext_lazy("— choose —"))


def _choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    cast(forms.ChoiceField, field).choices = choices


def _office_choices(offices: list[Office]) -> list[tuple[int, str]]:
    return [(o.pk, f"{o.code} — {o.name}") for o in offices]


# --- Forms (they only shape the input; the services check the rules) -----------------------------------


class DeviceFilterForm(UswdsForm):
    q = forms.CharField(label=gettext_lazy("Serial number"), max_length=64, required=False)
    office = forms.TypedChoiceField(label=gettext_lazy("Office"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[ANY, *DeviceKind.choices], required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[ANY, *DeviceStatus.choices], required=False)

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["office"], [ANY, *_office_choices(offices)])


class DeviceForm(UswdsForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[CHOOSE, *DeviceKind.choices])
    serial = forms.CharField(label=gettext_lazy("Serial number"), max_length=64)
    supplier = forms.CharField(label=gettext_lazy("Supplier or lessor"), max_length=200, required=False)
    leased = forms.BooleanField(label=gettext_lazy("Leased"), required=False)
    firmware = forms.CharField(label=gettext_lazy("Firmware"), max_length=64, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RegisterForm(DeviceForm):
    office = forms.TypedChoiceField(label=gettext_lazy("Office whose stock it joins"), coerce=int)
    field_order = ["office", "kind", "serial"]

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["office"], [CHOOSE, *_office_choices(offices)])


class TransferForm(UswdsForm):
    office = forms.TypedChoiceField(label=gettext_lazy("Move to the stock of"), coerce=int)
    reason = ReasonField(required=False)

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["office"], [CHOOSE, *_office_choices(offices)])


class StatusForm(UswdsForm):
    to_status = forms.ChoiceField(label=gettext_lazy("New status"), widget=forms.RadioSelect)
    reason = ReasonField()

    def __init__(self, *args: Any, moves: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["to_status"], moves)


class HealthForm(forms.Form):
    sort = forms.ChoiceField(choices=[(k, k) for k in selectors.HEALTH_SORTS], required=False)
    live = forms.ChoiceField(choices=[("0", "0"), ("1", "1")], required=False)


# --- Shared by the views ----------------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> None:
    if not selectors.may_read(request.user):
        raise PermissionDenied


def _visible(request: HttpRequest, record: int) -> Device:
    try:
        return selectors.device_detail(user=request.user, pk=record)
    except Device.DoesNotExist:
        raise Http404 from None


def _managed(request: HttpRequest, record: int) -> Device:
    """The device a form works on: 404 outside the user's scope, 403 when they may not keep it."""
    device = _visible(request, record)
    if not selectors.may_manage_device(request.user, device):
        raise PermissionDenied
    return device


def _status_moves(device: Device) -> list[tuple[str, Any]]:
    """The status moves a keeper may make by hand from the device's status (fitting and taking off
    are the assignment's)."""
    labels = dict(DeviceStatus.choices)
    allowed = MOVES.get(device.status, frozenset())
    return [
        (to, labels[to])
        for to in DeviceStatus.values
        if to in allowed and (device.status, to) not in BY_ASSIGNMENT_ONLY
    ]


def _form_page(
    request: HttpRequest, form: forms.Form, *, title: str, submit: str, device: Device | None = None
) -> HttpResponse:
    context = {"form": form, "title": title, "submit": submit, "action": request.get_full_path(), "device": device}
    return render(request, "monitoring/inventory/form.html", context)


def _save(request: HttpRequest, form: forms.Form, write: Any, success: str) -> Any:
    """Run the service write; a refusal on the form (None), else the message and the result."""
    try:
        result = write()
    except PermissionDeniedError:
        raise PermissionDenied from None
    except DomainError as err:
        apply_domain_error(form, err)
        return None
    messages.success(request, success)
    return result


def age(since: dt.datetime | None, now: dt.datetime) -> str:
    """How long ago, shortly: "4 min", "2 h 05 min", "3 d 4 h"; "—" when never."""
    if since is None:
        return "—"
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": f"{minutes:02d}"}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours}


# --- Inventory ---------------------------------------------------------------------------------------


@login_required
@require_GET
def devices_view(request: HttpRequest) -> HttpResponse:
    _reader(request)
    offices = list(selectors.inventory_offices(request.user))
    form = DeviceFilterForm(request.GET or None, offices=offices)
    filters = selectors.DeviceFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = selectors.DeviceFilters(kind=d["kind"], status=d["status"], office=d["office"], q=d["q"].strip())
    rows = selectors.device_list(user=request.user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "stock": selectors.device_stock(user=request.user),
        "statuses": DeviceStatus.choices,
        "kinds": dict(DeviceKind.choices),
        "may_manage": selectors.may_manage_devices(request.user),
    }
    return render(request, "monitoring/inventory/devices.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def device_register_view(request: HttpRequest) -> HttpResponse:
    if not selectors.may_manage_devices(request.user):
        raise PermissionDenied
    offices = list(selectors.inventory_offices(request.user))
    if request.method == "POST":
        form = RegisterForm(request.POST, offices=offices)
        if form.is_valid():
            d = form.cleaned_data
            office = next(o for o in offices if o.pk == d["office"])
            data = services.DeviceInput(
                kind=d["kind"],
                serial=d["serial"],
                office=office,
                supplier=d["supplier"],
                leased=d["leased"],
                firmware=d["firmware"],
                notes=d["notes"],
            )
            done = _save(
                request,
                form,
                lambda: services.device_register(actor=staff_user(request), data=data),
                _("The device is registered."),
            )
            if done is not None:
                device, secret = done
                return _credential_page(request, device, secret)
    else:
        initial = {"office": offices[0].pk} if len(offices) == 1 else {}
        form = RegisterForm(initial=initial, offices=offices)
    return _form_page(request, form, title=_("Register a device"), submit=_("Register"))


@login_required
@require_GET
def device_view(request: HttpRequest, record: int) -> HttpResponse:
    device = _visible(request, record)
    may_manage = selectors.may_manage_device(request.user, device)
    context = {
        "device": device,
        "history": selectors.device_history(device=device),
        "assignments": selectors.device_assignments(user=request.user, device=device),
        "may_manage": may_manage,
        "moves": _status_moves(device) if may_manage else [],
        "may_transfer": may_manage and device.status in TRANSFERABLE,
        "may_rotate": may_manage and device.status != DeviceStatus.RETIRED,
    }
    return render(request, "monitoring/inventory/device.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def device_edit_view(request: HttpRequest, record: int) -> HttpResponse:
    device = _managed(request, record)
    if request.method == "POST":
        form = DeviceForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            data = services.DeviceInput(
                kind=d["kind"],
                serial=d["serial"],
                office=device.office,
                supplier=d["supplier"],
                leased=d["leased"],
                firmware=d["firmware"],
                notes=d["notes"],
            )
            write = lambda: services.device_update(actor=staff_user(request), device=device, data=data)  # noqa: E731
            if _save(request, form, write, _("The device's details are saved.")) is not None:
                return redirect("monitoring:device", record=device.pk)
    else:
        fields = ("kind", "serial", "supplier", "leased", "firmware", "notes")
        form = DeviceForm(initial={name: getattr(device, name) for name in fields})
    return _form_page(request, form, title=_("Edit the device"), submit=_("Save"), device=device)


@login_required
@require_http_methods(["GET", "POST"])
def device_transfer_view(request: HttpRequest, record: int) -> HttpResponse:
    device = _managed(request, record)
    offices = list(
        Office.objects.filter(region_id=device.office.region_id).exclude(pk=device.office_id).order_by("code")
    )
    if request.method == "POST":
        form = TransferForm(request.POST, offices=offices)
        if form.is_valid():
            office = next(o for o in offices if o.pk == form.cleaned_data["office"])
            reason = form.cleaned_data["reason"]
            write = lambda: services.device_transfer(  # noqa: E731
                actor=staff_user(request), device=device, office=office, reason=reason
            )
            if _save(request, form, write, _("The device is moved to the other office's stock.")) is not None:
                return redirect("monitoring:device", record=device.pk)
    else:
        form = TransferForm(offices=offices)
    return _form_page(request, form, title=_("Move the device to another office"), submit=_("Move"), device=device)


@login_required
@require_http_methods(["GET", "POST"])
def device_status_view(request: HttpRequest, record: int) -> HttpResponse:
    device = _managed(request, record)
    moves = _status_moves(device)
    if request.method == "POST":
        form = StatusForm(request.POST, moves=moves)
        if form.is_valid():
            d = form.cleaned_data
            write = lambda: services.device_set_status(  # noqa: E731
                actor=staff_user(request), device=device, to_status=d["to_status"], reason=d["reason"]
            )
            if _save(request, form, write, _("The device's status is changed.")) is not None:
                return redirect("monitoring:device", record=device.pk)
    else:
        wanted = request.GET.get("to", "")
        form = StatusForm(initial={"to_status": wanted} if wanted in dict(moves) else {}, moves=moves)
    return _form_page(request, form, title=_("Change the device's status"), submit=_("Change"), device=device)


def _credential_page(request: HttpRequest, device: Device, secret: str) -> HttpResponse:
    """The secret, once: answered to the POST that made it (never stored, never redirected to)."""
    response = render(request, "monitoring/inventory/credential.html", {"device": device, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def device_credential_view(request: HttpRequest, record: int) -> HttpResponse:
    device = _managed(request, record)
    if request.method == "POST":
        try:
            rotated, secret = services.device_rotate_credential(actor=staff_user(request), device=device)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as err:
            messages.error(request, str(err.message))
            return redirect("monitoring:device", record=device.pk)
        messages.success(request, _("The device has a new credential; the old one no longer works."))
        return _credential_page(request, rotated, secret)
    return render(request, "monitoring/inventory/rotate.html", {"device": device})


# --- Health ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def health_view(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = HealthForm(request.GET)
    valid = form.is_valid()
    sort = form.cleaned_data["sort"] if valid and form.cleaned_data["sort"] else "message"
    live = not (valid and form.cleaned_data["live"] == "0")
    now = timezone.now()
    user = request.user

    def rows(only: str, order: str) -> Any:
        return selectors.device_health(user=user, filters=selectors.HealthFilters(sort=order, only=only), now=now)

    page = Paginator(rows("", sort), PAGE_SIZE).get_page(request.GET.get("page"))
    # The watch lists first: the longest silent, the emptiest battery.
    silent = list(rows("silent", "message")[: WATCH_LIMIT + 1])
    low = list(rows("low_battery", "battery")[: WATCH_LIMIT + 1])
    limits = selectors.health_thresholds(now.date())
    every = [*page.object_list, *silent, *low]
    visible = selectors.cases_visible(user, {a.case_id for d in every for a in getattr(d, "current", [])})

    def shown(devices: Any) -> list[dict[str, Any]]:
        return [_shown(selectors.device_health_row(d, now=now, limits=limits), now, visible) for d in devices]

    context = {
        "page_obj": page,
        "rows": shown(page.object_list),
        "silent": shown(silent[:WATCH_LIMIT]),
        "silent_more": len(silent) > WATCH_LIMIT,
        "low": shown(low[:WATCH_LIMIT]),
        "low_more": len(low) > WATCH_LIMIT,
        "limits": limits,
        "lost_minutes": int(limits.lost_after.total_seconds() // 60),
        "sort": sort,
        "sorts": _sort_links(),
        "now": now,
        "live": live,
        "refresh_seconds": HEALTH_REFRESH_SECONDS,
        "live_url": _health_url(request, live=True),
        "still_url": _health_url(request, live=False),
    }
    return render(request, "monitoring/inventory/health.html", context)


def _health_url(request: HttpRequest, *, live: bool) -> str:
    """This page (sort and page kept) updating itself or not."""
    query = request.GET.copy()
    query.pop("live", None)
    if not live:
        query["live"] = "0"
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def _shown(row: selectors.DeviceHealth, now: dt.datetime, visible: set[int]) -> dict[str, Any]:
    return {
        "row": row,
        "case_visible": row.case is not None and row.case.pk in visible,
        "message_age": age(row.last_message_at, now),
        "fix_age": age(row.last_valid_fix_at, now),
        "strap": Strap(row.strap).label if row.strap in Strap.values else "—",
        "strap_bad": bool(row.strap),
    }


def _sort_links() -> list[tuple[str, Any]]:
    return [
        ("serial", gettext_lazy("Serial number")),
        ("battery", gettext_lazy("Battery")),
        ("message", gettext_lazy("Last message")),
        ("fix", gettext_lazy("Last valid fix")),
        ("strap", gettext_lazy("Strap")),
        ("firmware", gettext_lazy("Firmware")),
        ("connected", gettext_lazy("Connected")),
    ]


urlpatterns: list[URLPattern] = [
    path("monitoring/devices/", devices_view, name="devices"),
    path("monitoring/devices/new/", device_register_view, name="device_register"),
    path("monitoring/devices/<int:record>/", device_view, name="device"),
    path("monitoring/devices/<int:record>/edit/", device_edit_view, name="device_edit"),
    path("monitoring/devices/<int:record>/transfer/", device_transfer_view, name="device_transfer"),
    path("monitoring/devices/<int:record>/status/", device_status_view, name="device_status"),
    path("monitoring/devices/<int:record>/credential/", device_credential_view, name="device_credential"),
    path("monitoring/health/", health_view, name="health"),
]
