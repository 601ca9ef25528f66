"""The analyst's pages: upload a file, follow its job, read the report, download the results.
Every job is private to its uploader (another user's job is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openprobation.accounts.roles import Cap, has_cap
from openprobation.assessments import analysis
from openprobation.assessments.forms import AnalysisForm
from openprobation.assessments.models import AnalysisJob, Instrument, InstrumentStatus
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error

CONTENT_TYPES = {"scored": "text/csv", "json": "application/json", "html": "text/html"}


def instrument_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for i in Instrument.objects.filter(status=InstrumentStatus.APPROVED).order_by("key", "-version"):
        seen.setdefault(i.key, f"{i.title} ({i.key} v{i.version})")
    return list(seen.items())


@login_required
@require_http_methods(["GET", "POST"])
def analysis_list(request: HttpRequest) -> HttpResponse:
    if not has_cap(request.user, Cap.INSTRUMENT_ANALYSIS):
        raise PermissionDenied
    form = AnalysisForm(request.POST or None, request.FILES or None, instruments=instrument_choices())
    if request.method == "POST" and form.is_valid():
        try:
            job = analysis.analysis_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                params=form.params(),
                language=get_language() or "ru",
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The file is uploaded; the analysis runs in the background."))
            return redirect("assessments:analysis_detail", pk=job.pk)
    jobs = analysis.jobs_of(request.user)[:50]
    return render(request, "assessments/analysis_list.html", {"form": form, "jobs": jobs})


def _own(request: HttpRequest, pk: int) -> AnalysisJob:
    try:
        return analysis.job_of(user=request.user, pk=pk)
    except AnalysisJob.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own(request, pk)
    context = {"job": job, "report": analysis.report_body(job)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "assessments/_analysis_status.html", context)
    return render(request, "assessments/analysis_detail.html", context)


@login_required
@require_GET
def analysis_download(request: HttpRequest, pk: int, what: str) -> FileResponse:
    job = _own(request, pk)
    path = analysis.result_file(job, what)
    if path is None:
        raise Http404
    audit_record(actor=request.user, action="analysis.download", subject=job, details={"what": what})
    stem = job.file_name.rsplit(".", 1)[0] or "analysis"
    names = {"scored": f"{stem}.scored.csv", "json": f"{stem}.report.json", "html": f"{stem}.report.html"}
    response = FileResponse(path.open("rb"), as_attachment=True, filename=names[what], content_type=CONTENT_TYPES[what])
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def analysis_delete(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own(request, pk)
    try:
        analysis.analysis_delete(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:analysis_detail", pk=job.pk)
    messages.success(request, _("The analysis and its files are deleted."))
    return redirect("assessments:analysis_list")
