"""My API tokens: issuing and revoking (audited services, shared by the page and the API) and the
page where a signed-in member of staff lists, creates and revokes their own tokens.

They sit in the shell beside the sign-in because they write audit events (accounts sit below audit
in the app layers); the token model and its checks live in ``accounts.tokens``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openprobation.accounts.models import ApiToken, User
from openprobation.accounts.permissions import staff_user
from openprobation.accounts.tokens import IssuedToken, active_tokens, token_create, token_mark_revoked, tokens_of
from openprobation.audit.services import audit_record
from openprobation.core.forms import UswdsForm


def api_token_issue(*, actor: User, label: str = "") -> IssuedToken:
    """A new API token for ``actor``; the event names the token's id, never its secret."""
    with transaction.atomic():
        issued = token_create(user=actor, label=label)
        audit_record(
            actor=actor,
            action="auth.token_issue",
            subject=issued.token,
            details={"token": issued.token.pk, "label": label, "expires": issued.token.expires_at},
        )
    return issued


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """Revoke one of ``actor``'s tokens (the caller found it among the actor's own)."""
    if token.user_id != actor.pk:
        raise ApiToken.DoesNotExist
    with transaction.atomic():
        if token_mark_revoked(token):
            audit_record(actor=actor, action="auth.token_revoke", subject=token, details={"token": token.pk})


class TokenForm(UswdsForm):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("What the token is for, for example the name of a script or a computer."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; POST creates one and shows its secret on this answer only."""
    user = staff_user(request)
    issued: IssuedToken | None = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = api_token_issue(actor=user, label=form.cleaned_data["label"])
        form = TokenForm()
    response = render(
        request,
        "web/api_tokens.html",
        {
            "form": form,
            "tokens": active_tokens(user),
            "issued": issued,
            "ttl_hours": settings.API_TOKEN_TTL_HOURS,
            "idle_minutes": settings.API_TOKEN_IDLE_MINUTES,
        },
    )
    # The page may carry a secret: never keep it in a cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=user, token=token)
    messages.success(request, _("The API token has been revoked."))
    return redirect("api_tokens")
