"""Sign-in and the signed-in overview page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from openprobation.accounts.roles import Cap, has_cap
from openprobation.cases.models import OPEN_STATUSES, CaseStatus
from openprobation.cases.selectors import current_case_qs, overdue_registrations
from openprobation.cases.terms import registration_overdue_q
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import style_fields
from openprobation.core.timeutil import local_today
from openprobation.programmes.referral_services import partner_organisation_id
from openprobation.staff.services import staff_password_set
from openprobation.workqueue.selectors import (
    manages_queue,
    may_see_work_queue,
    office_queue_counts,
    unallocated_cases,
    work_queue,
)

OVERDUE_LIST_SIZE = 10
TODAY_LIST_SIZE = 5


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class ChangePasswordView(auth_views.PasswordChangeView):
    """A user changes their own password; Django's password validators apply (settings)."""

    template_name = "web/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        # The staff service checks the old password and the validators again and records the change.
        try:
            staff_password_set(
                actor=form.user,
                user=form.user,
                password=form.cleaned_data["new_password1"],
                old_password=form.cleaned_data["old_password"],
            )
        except DomainError as error:
            field = {"password": "new_password1", "old_password": "old_password"}.get(error.field or "")
            form.add_error(field, str(error))
            return self.form_invalid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"today": local_today()}
    if has_cap(user, Cap.PARTNER_PORTAL) and not has_cap(user, Cap.CASE_VIEW):
        # Partner staff have one place: the referrals sent to their organisation (an account not
        # tied to one yet is told so here, not sent to a page that cannot open).
        if partner_organisation_id(user) is not None:
            return redirect("programmes:portal_list")
        context["partner_unlinked"] = True
    if has_cap(user, Cap.CASE_VIEW):
        today = context["today"]
        # Counts cover cases currently in the user's jurisdiction (not ones transferred away).
        current = current_case_qs(user)
        awaiting = current.filter(status=CaseStatus.AWAITING_REGISTRATION)
        overdue = current.filter(registration_overdue_q(today=today))
        context.update(
            my_open=current.filter(officer_id=user.pk, status__in=OPEN_STATUSES).count(),
            awaiting_count=awaiting.count(),
            overdue_count=overdue.count(),
        )
        if may_see_work_queue(user):
            context.update(_work_summary(user, today))
        if not manages_queue(user):
            # A manager's overdue work (below) lists these already, with the rest of the office's.
            context["overdue_cases"] = overdue_registrations(user=user, today=today, limit=OVERDUE_LIST_SIZE)
    return render(request, "web/home.html", context)


def _work_summary(user: Any, today: Any) -> dict[str, Any]:
    """What a home page that carries or manages cases leads with: an officer's Today (counts and
    the first items); a manager's unallocated cases, overdue work and the queue of each officer.
    A manager's overdue work includes the office's overdue registrations; an officer keeps the
    office's list of them below their own Today."""
    if not manages_queue(user):
        queue = work_queue(user=user, today=today, limit=TODAY_LIST_SIZE)
        return {"queue": queue}
    queue = work_queue(user=user, today=today, limit=OVERDUE_LIST_SIZE)
    unallocated_count, unallocated = unallocated_cases(user=user, limit=OVERDUE_LIST_SIZE)
    return {
        "queue": queue,
        "overdue_items": [item for item in queue.items if item.overdue],
        "unallocated_count": unallocated_count,
        "unallocated": unallocated,
        "officer_queues": office_queue_counts(user=user, today=today),
    }
