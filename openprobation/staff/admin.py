"""Staff in the Django admin: every save goes through the staff services (audited, checked).

The forms run the same checks while validating, so a refused change shows a translated error and
nothing is saved. Permissions come from the role, so the admin offers no superuser flag, groups or
individual permissions; the admin-site flag follows the role.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import User
from openprobation.core.exceptions import DomainError
from openprobation.staff.services import (
    SETTABLE,
    staff_check,
    staff_create,
    staff_may_administer,
    staff_password_set,
    staff_update,
)

# The administrator acting in the password view (Django builds that form without the request).
_acting: contextvars.ContextVar[Any] = contextvars.ContextVar("staff_admin_actor", default=None)


def _values(form: Form) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in SETTABLE if name in form.cleaned_data}


def _show(form: Form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    if field == "password":
        field = "password1" if "password1" in form.fields else None
    form.add_error(field, str(error))


class StaffFormMixin:
    """Runs the service's checks while the admin form validates (``actor`` set per request)."""

    actor: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        form: Any = self
        user = form.instance if form.instance.pk else None
        try:
            staff_check(actor=self.actor, user=user, values=_values(form))
        except DomainError as error:
            _show(form, error)
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        # The model repeats the placement message the service check gave already: show it once.
        form: Any = self
        for errors in form._errors.values():
            seen: set[str] = set()
            kept = []
            for item in errors.data:
                text = " ".join(item.messages) if hasattr(item, "messages") else str(item)
                if text not in seen:
                    seen.add(text)
                    kept.append(item)
            errors.data[:] = kept


class StaffPasswordForm(AdminPasswordChangeForm):
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        actor = _acting.get()
        # The admin's password template shows field errors only: the refusal goes on password1.
        if actor is not None and actor.pk == self.user.pk:
            self.add_error(
                "password1", gettext("Change your own password on your password page, where you give the old one.")
            )
        elif not staff_may_administer(actor):
            self.add_error("password1", gettext("Only a system administrator may administer staff accounts."))
        return cleaned

    def save(self, commit: bool = True) -> Any:
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data.get("password1") if usable else None
        staff_password_set(actor=_acting.get(), user=self.user, password=password)
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "office", "region", "is_active"]
    list_filter = ["role", "office__region", "office", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "patronymic", "email", "language")}),
        (
            _("Probation service"),
            {"fields": ("role", "office", "region", "monitored_regions", "is_active", "is_staff")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "patronymic", "email", "language")}),
        (_("Probation service"), {"fields": ("role", "office", "region", "monitored_regions")}),
    )
    readonly_fields = ["is_staff", "last_login", "date_joined"]
    filter_horizontal = ["monitored_regions"]
    change_password_form = StaffPasswordForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (StaffFormMixin, form), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = _values(form)
        if change:
            saved = staff_update(actor=request.user, user=obj, values=values)
        else:
            usable = form.cleaned_data.get("set_usable_password", True)
            password = form.cleaned_data.get("password1") if usable else None
            saved = staff_create(actor=request.user, values=values, password=password)
        obj.pk = saved.pk
        obj.password = saved.password
        obj.is_staff = saved.is_staff
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service set the regions monitored; saving the form's many-to-many again would bypass it.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:  # noqa: A002
        token = _acting.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _acting.reset(token)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # staff are deactivated, never deleted: the audit trail refers to them
