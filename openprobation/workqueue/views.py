"""The "Today" page: the work queue of the signed-in officer, or of a head's office. Thin: the
selector scopes, merges, counts and records the read; filters and sorting are plain links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openprobation.accounts.permissions import staff_user
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.workqueue.forms import WorkQueueFilterForm
from openprobation.workqueue.selectors import DEFAULT_LIMIT, KINDS, SORTS, may_see_work_queue, work_queue

PAGE_LIMIT = DEFAULT_LIMIT


def with_next(url: str, next_url: str) -> str:
    """``url`` with ``next`` added, so the form it opens returns to the queue after saving."""
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"next": next_url})))


def _query(**params: Any) -> str:
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return "?" + urlencode(kept) if kept else "?"


@login_required
def today_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not may_see_work_queue(user):
        raise PermissionDenied
    form = WorkQueueFilterForm(request.GET)
    form.is_valid()  # a value that is not valid is left out (the defaults apply), and said so
    cd = form.cleaned_data
    kind = cd.get("kind") or ""
    sort = cd.get("sort") or "due"
    officer = cd.get("officer")
    officer_error = ""
    today = local_today()
    try:
        queue = work_queue(
            user=user, today=today, kinds=[kind] if kind else None, officer=officer, sort=sort, limit=PAGE_LIMIT
        )
    except DomainError as error:
        officer_error, officer = str(error), None
        queue = work_queue(user=user, today=today, kinds=[kind] if kind else None, sort=sort, limit=PAGE_LIMIT)
    officer_pk = queue.officer.pk if queue.officer else None
    back = request.get_full_path()
    tabs = [
        {
            "kind": "",
            "label": None,
            "count": queue.total,
            "overdue": queue.overdue,
            "url": _query(sort=sort, officer=officer_pk),
        },
        *(
            {
                "kind": c.kind,
                "label": c.label,
                "count": c.count,
                "overdue": c.overdue,
                "url": _query(kind=c.kind, sort=sort, officer=officer_pk),
            }
            for c in queue.counts
        ),
    ]
    sort_urls = {key: _query(kind=kind, sort=key, officer=officer_pk) for key in SORTS}
    rows = [{"item": item, "action_url": with_next(item.url, back)} for item in queue.items]
    context = {
        "queue": queue,
        "rows": rows,
        "tabs": tabs,
        "kind": kind,
        "kind_label": KINDS.get(kind, ""),
        "sort": sort,
        "sorts": SORTS,
        "sort_urls": sort_urls,
        "officer_pk": officer_pk,
        "officer_error": officer_error,
        "form_errors": bool(form.errors),
        "today": today,
        "more": max(0, queue.shown_count - len(queue.items)),
    }
    return render(request, "workqueue/today.html", context)
