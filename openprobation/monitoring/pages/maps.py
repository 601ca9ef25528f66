"""Monitoring pages: the zone editor and track playback on a map (see ``monitoring.urls``).

Thin: the assignment, zones and permissions are read through ``monitoring.selectors`` (a 404
outside the user's scope), every change goes through the zone services the API calls (so the
checks — a self-intersecting polygon, a zone too large, a bad schedule — are the same), and a
refusal of bad input is shown beside the map. Without JavaScript the page still lists the zones,
their curfews and history, and the shape can be typed as GeoJSON text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.forms import UswdsForm, apply_domain_error
from openprobation.monitoring import selectors, services
from openprobation.monitoring.catalogue import ZoneKind
from openprobation.monitoring.mapdata import map_view, zone_feature
from openprobation.monitoring.models import Alert, Assignment, ScheduleException, Zone, ZoneVersion

DAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
NIGHT = "22:00–06:00"
FIXES_SHOWN = 200  # rows of the track's table of fixes
DEFAULT_TRACK = dt.timedelta(hours=24)
MAX_GEOJSON = 200_000  # characters of a typed shape
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$", re.ASCII)
_LOCAL = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M")


# --- Forms -------------------------------------------------------------------------------------------------


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class AsciiMixin:
    """Digits 0–9 only: Python reads other scripts' digits as numbers, the API does not."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and not value.isascii():
            raise forms.ValidationError(_("Use the digits 0–9."), code="invalid")
        return super().to_python(value)  # type: ignore[misc]


class NumberField(AsciiMixin, forms.FloatField):
    pass


class MomentField(AsciiMixin, forms.DateTimeField):
    pass


def _moment(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateTimeField:
    return MomentField(
        label=label, required=required, help_text=help_text, input_formats=list(_LOCAL), widget=LocalDateTimeInput()
    )


class ShapeFields(UswdsForm):
    geometry = forms.CharField(
        label=gettext_lazy("Shape (GeoJSON)"),
        max_length=MAX_GEOJSON,
        help_text=gettext_lazy(
            "Drawn on the map, or typed: a Polygon, or a Point with a radius (longitude before latitude)."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "class": "em-geometry", "spellcheck": "false"}),
    )
    radius_m = NumberField(
        label=gettext_lazy("Radius (m)"),
        required=False,
        help_text=gettext_lazy("A circle only."),
        widget=forms.NumberInput(attrs={"class": "em-radius", "step": "any"}),
    )
    buffer_m = NumberField(
        label=gettext_lazy("Buffer (m)"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("Widens the edge so that GPS error alone does not raise an alert."),
    )
    valid_from = _moment(gettext_lazy("In force from"), help_text=gettext_lazy("Empty: now."))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_geometry(self) -> Any:
        raw = self.cleaned_data["geometry"]
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise forms.ValidationError(_("The shape is not valid GeoJSON.")) from None


class ZoneForm(ShapeFields):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of zone"), choices=ZoneKind.choices)
    name = forms.CharField(label=gettext_lazy("Name of the zone"), max_length=200)
    field_order = ["kind", "name", "geometry", "radius_m", "buffer_m", "valid_from", "reason"]


class ZoneChangeForm(ShapeFields):
    name = forms.CharField(label=gettext_lazy("Name of the zone"), max_length=200)
    field_order = ["name", "geometry", "radius_m", "buffer_m", "valid_from", "reason"]


class RetireForm(UswdsForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CurfewForm(UswdsForm):
    """A week of windows: per day, windows "HH:MM–HH:MM" separated by commas (an end not after the
    start crosses midnight)."""

    valid_from = _moment(gettext_lazy("In force from"), help_text=gettext_lazy("Empty: now."))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in enumerate(DAYS):
            self.fields[f"day{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"class": "usa-input em-day", "placeholder": NIGHT}),
            )
        self.order_fields([f"day{d}" for d in range(7)] + ["valid_from", "reason"])

    @staticmethod
    def initial_for(windows: list[dict[str, Any]]) -> dict[str, str]:
        by_day: dict[str, list[str]] = {f"day{d}": [] for d in range(7)}
        for w in windows:
            by_day[f"day{w['day']}"].append(f"{w['start']}–{w['end']}")
        return {k: ", ".join(v) for k, v in by_day.items()}

    def windows(self) -> list[dict[str, Any]]:
        result = []
        for day in range(7):
            for part in filter(None, (p.strip() for p in self.cleaned_data[f"day{day}"].split(","))):
                match = _WINDOW.match(part)
                if match is None:
                    raise DomainError(
                        _("Write each window as HH:MM–HH:MM, several separated by commas."), field=f"day{day}"
                    )
                h1, m1, h2, m2 = match.groups()
                result.append({"day": day, "start": f"{int(h1):02d}:{m1}", "end": f"{int(h2):02d}:{m2}"})
        return result


class PermissionForm(UswdsForm):
    starts_at = _moment(gettext_lazy("From"), required=True)
    ends_at = _moment(gettext_lazy("Until"), required=True)
    zone = forms.TypedChoiceField(label=gettext_lazy("Zone"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, zones: list[Zone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("Every curfew (all home zones)"))]
        choices += [(z.pk, z.name) for z in zones if z.retired_at is None]
        self.fields["zone"].choices = choices  # type: ignore[attr-defined]


class CancelForm(UswdsForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=2000)


class TrackForm(UswdsForm):
    start = _moment(gettext_lazy("From"))
    end = _moment(gettext_lazy("To"))


# --- Reads -------------------------------------------------------------------------------------------------


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    try:
        return selectors.assignment_detail(user=request.user, pk=pk)
    except Assignment.DoesNotExist:
        raise Http404 from None


def _zone(request: HttpRequest, pk: int) -> Zone:
    try:
        return selectors.zone_detail(user=request.user, pk=pk)
    except Zone.DoesNotExist:
        raise Http404 from None


def _editable(request: HttpRequest, assignment: Assignment) -> None:
    if not selectors.may_set_zones(request.user, assignment.case):
        raise PermissionDenied


def _tz(assignment: Assignment) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(assignment.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _valid(form: forms.Form, assignment: Assignment) -> bool:
    """Times typed on the page are the assignment's local time."""
    with timezone.override(_tz(assignment)):
        return form.is_valid()


def _zones_of(assignment: Assignment) -> list[Zone]:
    """The zones of an assignment already read through the scoped selector, with every version and
    who made it (two queries, whatever the number of zones)."""
    versions = Prefetch("versions", queryset=ZoneVersion.objects.select_related("changed_by").order_by("number"))
    return list(Zone.objects.filter(assignment=assignment).prefetch_related(versions).order_by("kind", "id"))


def _latest(zone: Zone) -> ZoneVersion | None:
    versions = sorted(zone.versions.all(), key=lambda v: v.number)
    return versions[-1] if versions else None


def _alert_url(alert: Alert) -> str:
    try:
        return reverse("monitoring:alert", kwargs={"record": alert.pk})
    except NoReverseMatch:
        return ""


def _zone_row(zone: Zone, forms_for: dict[str, Any], can_edit: bool) -> dict[str, Any]:
    latest = _latest(zone)
    versions = sorted(zone.versions.all(), key=lambda v: -v.number)
    row: dict[str, Any] = {"zone": zone, "latest": latest, "versions": versions}
    if can_edit and zone.retired_at is None and latest is not None:
        row["change"] = forms_for.get(f"change{zone.pk}") or ZoneChangeForm(
            auto_id=f"id_z{zone.pk}_%s",
            initial={
                "name": zone.name,
                "geometry": json.dumps(latest.geometry),
                "radius_m": latest.radius_m,
                "buffer_m": latest.buffer_m,
            },
        )
        row["retire"] = forms_for.get(f"retire{zone.pk}") or RetireForm(auto_id=f"id_r{zone.pk}_%s")
        if zone.kind == ZoneKind.HOME:
            row["curfew"] = forms_for.get(f"curfew{zone.pk}") or CurfewForm(
                auto_id=f"id_c{zone.pk}_%s", initial=CurfewForm.initial_for(latest.windows or [])
            )
    if latest is not None:
        row["days"] = [
            (DAYS[d], [f"{w['start']}–{w['end']}" for w in (latest.windows or []) if w["day"] == d]) for d in range(7)
        ]
    return row


def _zones_page(request: HttpRequest, assignment: Assignment, bound: dict[str, Any] | None = None) -> HttpResponse:
    bound = bound or {}
    can_edit = selectors.may_set_zones(request.user, assignment.case) and assignment.removed_at is None
    zones = _zones_of(assignment)
    rows = [_zone_row(z, bound, can_edit) for z in zones]
    current = [r["latest"] for r in rows if r["latest"] is not None and r["zone"].retired_at is None]
    shown: list[ZoneVersion] = []
    raw_shown = request.GET.get("version", "")
    if raw_shown.isascii() and raw_shown.isdigit() and len(raw_shown) < 12:
        shown = [v for r in rows for v in r["versions"] if v.pk == int(raw_shown)]
    the_map = map_view(id="em-zone-map", label=_("The zones of the assignment"), zones=current)
    # An older version asked for is drawn too, marked as history (an extension of the map's data).
    the_map.data["zones"] += [{**zone_feature(v), "historic": True} for v in shown]
    exceptions = list(assignment.exceptions.select_related("zone").order_by("-starts_at")[:50])
    context = {
        "assignment": assignment,
        "case": assignment.case,
        "rows": rows,
        "map": the_map,
        "shown": shown,
        "can_edit": can_edit,
        "zone_form": bound.get("zone_form") or (ZoneForm(prefix="new") if can_edit else None),
        "permission_form": bound.get("permission_form")
        or (PermissionForm(prefix="p", zones=zones) if can_edit else None),
        "exceptions": exceptions,
        "cancel_errors": bound.get("cancel_errors", {}),
        "night": NIGHT,
        "map_config": map_config(assignment),
        "tz": assignment.time_zone,
    }
    return render(request, "monitoring/maps/zones.html", context)


def map_config(assignment: Assignment) -> dict[str, Any]:
    """The tile server (none by default: a plain background), the assignment's time zone (times on
    the map are local) and the texts the map script shows."""
    return {
        "timeZone": assignment.time_zone,
        "tiles": settings.EM_MAP_TILES_URL,
        "attribution": settings.EM_MAP_TILES_ATTRIBUTION,
        "kinds": {str(k): str(label) for k, label in ZoneKind.choices},
        "text": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "historic": _("earlier version"),
            "buffer": _("buffer"),
            "openAlert": _("Open the alert"),
            "invalidFix": _("no valid position"),
            "play": _("Play"),
            "pause": _("Pause"),
            "drawn": _("The shape has been put into the form."),
            "edited": _("The changed shape has been put into the zone's change form."),
            "removed": _("To remove a zone, retire it with a reason in its form."),
            "drawPolygon": _("Draw a polygon"),
            "drawCircle": _("Draw a circle"),
            "editShapes": _("Edit the shapes"),
            "removeShape": _("Remove a shape"),
            "firstVertex": _("Click to place the first corner"),
            "continueLine": _("Click to add a corner"),
            "finishPoly": _("Click the first corner to finish"),
            "startCircle": _("Click to place the centre"),
            "finishCircle": _("Click to set the radius"),
            "finish": _("Finish"),
            "cancel": _("Cancel"),
            "removeLastVertex": _("Remove the last corner"),
        },
    }


# --- Pages -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def zones_view(request: HttpRequest, record: int) -> HttpResponse:
    """The assignment's zones on a map, their curfews, permissions and history; POST: a new zone."""
    assignment = _assignment(request, record)
    if request.method != "POST":
        return _zones_page(request, assignment)
    _editable(request, assignment)
    form = ZoneForm(request.POST, prefix="new")
    if _valid(form, assignment):
        d = form.cleaned_data
        try:
            zone = services.zone_create(
                actor=request.user,  # type: ignore[arg-type]
                assignment=assignment,
                kind=d["kind"],
                name=d["name"],
                shape=services.ZoneShape(geometry=d["geometry"], radius_m=d["radius_m"], buffer_m=d["buffer_m"] or 0),
                valid_from=d["valid_from"],
                reason=d["reason"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The zone “%(name)s” has been saved.") % {"name": zone.name})
            return redirect("monitoring:zones", record=assignment.pk)
    return _zones_page(request, assignment, {"zone_form": form})


def _zone_for_change(request: HttpRequest, record: int) -> tuple[Zone, Assignment]:
    zone = _zone(request, record)
    assignment = _assignment(request, zone.assignment_id)
    _editable(request, assignment)
    return zone, assignment


@login_required
@require_POST
def zone_change_view(request: HttpRequest, record: int) -> HttpResponse:
    """A new version of a zone (shape, buffer, name) from a moment on."""
    zone, assignment = _zone_for_change(request, record)
    form = ZoneChangeForm(request.POST, auto_id=f"id_z{zone.pk}_%s")
    if _valid(form, assignment):
        d = form.cleaned_data
        try:
            services.zone_change(
                actor=request.user,  # type: ignore[arg-type]
                zone=zone,
                geometry=d["geometry"],
                radius_m=d["radius_m"],
                buffer_m=d["buffer_m"] or 0,
                name=d["name"],
                valid_from=d["valid_from"],
                reason=d["reason"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The zone “%(name)s” has been changed.") % {"name": d["name"]})
            return redirect("monitoring:zones", record=assignment.pk)
    return _zones_page(request, assignment, {f"change{zone.pk}": form})


@login_required
@require_POST
def zone_curfew_view(request: HttpRequest, record: int) -> HttpResponse:
    """A home zone's weekly curfew (the schedule service: a new version)."""
    zone, assignment = _zone_for_change(request, record)
    form = CurfewForm(request.POST, auto_id=f"id_c{zone.pk}_%s")
    if _valid(form, assignment):
        try:
            services.zone_set_schedule(
                actor=request.user,  # type: ignore[arg-type]
                zone=zone,
                windows=form.windows(),
                valid_from=form.cleaned_data["valid_from"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as error:
            if error.field == "windows":
                error.field = None
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The curfew has been saved."))
            return redirect("monitoring:zones", record=assignment.pk)
    return _zones_page(request, assignment, {f"curfew{zone.pk}": form})


@login_required
@require_POST
def zone_retire_view(request: HttpRequest, record: int) -> HttpResponse:
    zone, assignment = _zone_for_change(request, record)
    form = RetireForm(request.POST, auto_id=f"id_r{zone.pk}_%s")
    if form.is_valid():
        try:
            services.zone_retire(actor=request.user, zone=zone, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The zone “%(name)s” no longer applies.") % {"name": zone.name})
            return redirect("monitoring:zones", record=assignment.pk)
    return _zones_page(request, assignment, {f"retire{zone.pk}": form})


@login_required
@require_POST
def permission_create_view(request: HttpRequest, record: int) -> HttpResponse:
    """A one-off permission (from a zone, or from every curfew)."""
    assignment = _assignment(request, record)
    _editable(request, assignment)
    zones = list(assignment.zones.all())
    form = PermissionForm(request.POST, prefix="p", zones=zones)
    if _valid(form, assignment):
        d = form.cleaned_data
        zone = next((z for z in zones if z.pk == d["zone"]), None)
        try:
            services.exception_create(
                actor=request.user,  # type: ignore[arg-type]
                assignment=assignment,
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                reason=d["reason"],
                zone=zone,
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The permission has been recorded."))
            return redirect("monitoring:zones", record=assignment.pk)
    return _zones_page(request, assignment, {"permission_form": form})


@login_required
@require_POST
def permission_cancel_view(request: HttpRequest, record: int) -> HttpResponse:
    try:
        exception = selectors.exception_qs_for_user(request.user).get(pk=record)
    except ScheduleException.DoesNotExist:
        raise Http404 from None
    assignment = _assignment(request, exception.assignment_id)
    _editable(request, assignment)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.exception_cancel(actor=request.user, exception=exception, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as error:
            return _zones_page(request, assignment, {"cancel_errors": {exception.pk: str(error.message)}})
        messages.success(request, _("The permission has been cancelled."))
        return redirect("monitoring:zones", record=assignment.pk)
    return _zones_page(request, assignment, {"cancel_errors": {exception.pk: form.errors.as_text()}})


@login_required
@require_GET
def track_view(request: HttpRequest, record: int) -> HttpResponse:
    """A person's track for a time range on the map, with the alerts on it (the read is audited)."""
    assignment = _assignment(request, record)
    now = timezone.now()
    end, start = now, now - DEFAULT_TRACK
    error = ""
    form = TrackForm(request.GET or None)
    if request.GET:
        if _valid(form, assignment):
            end = form.cleaned_data["end"] or now
            start = form.cleaned_data["start"] or end - DEFAULT_TRACK
            if start >= end:
                error = _("“From” must be before “To”.")
            elif end - start > selectors.TRACK_MAX_SPAN:
                error = _("A track covers at most %(days)s days.") % {"days": selectors.TRACK_MAX_SPAN.days}
        else:
            error = _("Correct the times below.")
        if error:
            end, start = now, now - DEFAULT_TRACK
    else:
        tz = _tz(assignment)
        form = TrackForm(
            initial={
                "start": timezone.localtime(start, tz).replace(tzinfo=None, second=0, microsecond=0),
                "end": timezone.localtime(end, tz).replace(tzinfo=None, second=0, microsecond=0),
            }
        )
    track = selectors.assignment_track(user=request.user, assignment=assignment, start=start, end=end)
    alerts = list(
        selectors.alert_qs_for_user(request.user)
        .filter(assignment=assignment, opened_at__gte=start, opened_at__lt=end)
        .order_by("opened_at", "id")[:500]
    )
    zones = [v for z in assignment.zones.all() if z.retired_at is None and (v := _latest(z)) is not None]
    the_map = map_view(
        id="em-track-map",
        label=_("The track and the alerts on it"),
        zones=zones,
        fixes=track.positions,
        alerts=[(a, _alert_url(a)) for a in alerts],
    )
    context = {
        "assignment": assignment,
        "case": assignment.case,
        "form": form,
        "error": error,
        "track": track,
        "alerts": alerts,
        "map": the_map,
        "fixes": track.positions[:FIXES_SHOWN],
        "fixes_shown": FIXES_SHOWN,
        "limit": selectors.TRACK_LIMIT,
        "max_days": selectors.TRACK_MAX_SPAN.days,
        "map_config": map_config(assignment),
        "tz": assignment.time_zone,
    }
    return render(request, "monitoring/maps/track.html", context)


urlpatterns: list[URLPattern] = [
    path("monitoring/assignments/<int:record>/zones/", zones_view, name="zones"),
    path("monitoring/assignments/<int:record>/permissions/", permission_create_view, name="permission_create"),
    path("monitoring/assignments/<int:record>/track/", track_view, name="track"),
    path("monitoring/zones/<int:record>/change/", zone_change_view, name="zone_change"),
    path("monitoring/zones/<int:record>/curfew/", zone_curfew_view, name="zone_curfew"),
    path("monitoring/zones/<int:record>/retire/", zone_retire_view, name="zone_retire"),
    path("monitoring/permissions/<int:record>/cancel/", permission_cancel_view, name="permission_cancel"),
]
