"""The JSON error body for refusals no endpoint produced. Kept free of REST-framework imports so
the logging configuration (which runs before the apps are loaded) can reach it."""

from __future__ import annotations

from django.utils.translation import gettext as _


def api_error_body(status_code: int, code: str = "") -> dict[str, str]:
    """The JSON error body for a refusal that no endpoint produced (Django refused the request
    before or around the view, or no endpoint matched)."""
    messages = {
        400: (_("Bad request."), "bad_request"),
        401: (_("Authentication credentials were not provided."), "not_authenticated"),
        403: (_("You do not have permission to perform this action."), "permission_denied"),
        404: (_("Not found."), "not_found"),
        405: (_("Method not allowed."), "method_not_allowed"),
    }
    if code == "csrf_failed":
        return {"detail": _("CSRF check failed: reload the page and try again."), "code": code}
    if status_code >= 500:
        return {"detail": _("Server error."), "code": "server_error"}
    detail, default_code = messages.get(status_code, (_("The request was refused."), "refused"))
    return {"detail": detail, "code": code or default_code}
