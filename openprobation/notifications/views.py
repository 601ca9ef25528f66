"""Pages of the outbox: a case's messages (with "send again" for a message that was given up).
Thin: reads through ``notifications.selectors`` (out of jurisdiction → 404), the write through
``notifications.services.message_retry`` (which checks permission and records the audit event)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openprobation.accounts.permissions import staff_user
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.models import Case
from openprobation.core.exceptions import DomainError
from openprobation.notifications.models import Message
from openprobation.notifications.selectors import case_message_for_change, case_messages
from openprobation.notifications.services import message_retry

PAGE_SIZE = 25


@login_required
@require_GET
def case_messages_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    try:
        case, found = case_messages(user=user, case=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "case": case,
        "page_obj": page,
        "messages_page": list(page.object_list),
        "show_body": may(user, CaseAction.EDIT, case),
        "can_retry": may(user, CaseAction.EDIT, case),
    }
    return render(request, "notifications/case_messages.html", context)


@login_required
@require_POST
def message_retry_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    """Send a message that was given up once more (a button on the case's messages)."""
    user = staff_user(request)
    try:
        case, message = case_message_for_change(user=user, case_pk=pk, message_pk=record)
    except (Case.DoesNotExist, Message.DoesNotExist):
        raise Http404 from None
    if not may(user, CaseAction.EDIT, case):
        raise PermissionDenied
    try:
        message_retry(actor=user, case=case, message=message)
    except DomainError as err:
        messages.error(request, str(err.message))
    else:
        messages.success(request, _("The message will be sent again."))
    back = request.POST.get("next", "")
    if back != "case":
        return redirect(reverse("notifications:case_messages", kwargs={"pk": case.pk}))
    return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#case-messages")
