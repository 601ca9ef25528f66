"""Analysts' files, run in the background: the upload (private to the uploader), the job that runs
``validate_file`` or ``assess_file`` — the same functions as the commands — with its progress, and
the deletion of jobs and their files after the retention period."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openprobation.accounts.roles import Cap, has_cap
from openprobation.assessments.batch import assess_file, instrument_by_key
from openprobation.assessments.models import AnalysisJob, AnalysisKind, AnalysisStatus
from openprobation.assessments.reporting import as_dict, as_html, as_html_body
from openprobation.assessments.tabular import parse_mapping
from openprobation.assessments.validating import Filter, parse_threshold, validate_file
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError, PermissionDeniedError

log = logging.getLogger(__name__)

INPUT = "input.csv"
SCORED = "scored.csv"
REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
REPORT_BODY = "report-body.html"
MAX_PARAM = 200  # characters of a column name, filter or mapping
MAX_LIST = 50  # filters, thresholds or mappings


def folder(job: AnalysisJob) -> Path:
    return Path(settings.ANALYSIS_DIR) / str(job.token)


def _text(value: Any, field: str, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), field=field)
    if len(text) > MAX_PARAM:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": MAX_PARAM}, field=field)
    return text


def _lines(value: Any, field: str) -> list[str]:
    items = [line.strip() for line in (value if isinstance(value, list) else str(value or "").splitlines())]
    items = [str(i) for i in items if i]
    if len(items) > MAX_LIST:
        raise DomainError(_("Give at most %(n)s lines.") % {"n": MAX_LIST}, field=field)
    for item in items:
        _text(item, field)
    return items


def clean_params(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The job's parameters checked now, so a typo is refused at upload, not an hour later."""
    if kind == AnalysisKind.VALIDATE:
        thresholds = _lines(raw.get("thresholds"), "thresholds")
        filters = _lines(raw.get("filters"), "filters")
        params: dict[str, Any] = {
            "score": _text(raw.get("score"), "score", required=True),
            "outcome": _text(raw.get("outcome"), "outcome", required=True),
            "group": _text(raw.get("group"), "group") or None,
            "thresholds": thresholds,
            "filters": filters,
        }
        try:
            for t in thresholds:
                parse_threshold(t)
            for f in filters:
                Filter.parse(f)
        except DomainError as exc:
            raise DomainError(
                str(exc.message), field="thresholds" if "threshold" in str(exc.message) else "filters"
            ) from exc
        return params
    if kind == AnalysisKind.ASSESS:
        key = _text(raw.get("instrument"), "instrument", required=True)
        instrument_by_key(key)
        mappings = _lines(raw.get("mappings"), "mappings")
        for m in mappings:
            try:
                parse_mapping(m)
            except DomainError as exc:
                raise DomainError(str(exc.message), field="mappings") from exc
        return {"instrument": key, "mappings": mappings}
    raise DomainError(_("Choose what to do with the file."), field="kind")


def analysis_create(
    *, actor: Any, kind: str, upload: UploadedFile, params: dict[str, Any], language: str
) -> AnalysisJob:
    """Keep the uploaded file privately and queue the job. Only analysts may."""
    if not has_cap(actor, Cap.INSTRUMENT_ANALYSIS):
        raise PermissionDeniedError(_("Only analysts may analyse files."))
    cleaned = clean_params(kind, params)
    limit = settings.ANALYSIS_MAX_UPLOAD_MB * 1024 * 1024
    size = upload.size or 0
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    if size > limit:
        raise DomainError(
            _("The file is larger than %(mb)s MB. Split it or ask the administrator.")
            % {"mb": settings.ANALYSIS_MAX_UPLOAD_MB},
            field="file",
        )
    name = Path(str(upload.name or "file.csv")).name[:255]
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    job = AnalysisJob(
        token=uuid.uuid4(),
        owner=actor,
        kind=kind,
        file_name=name,
        file_size=size,
        params=cleaned,
        language=language,
        expires_at=timezone.now() + dt.timedelta(hours=settings.ANALYSIS_RETENTION_HOURS),
    )
    target = folder(job)
    target.mkdir(parents=True, exist_ok=False, mode=0o700)
    with (target / INPUT).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        with transaction.atomic():
            job.save()
            audit_record(
                actor=actor,
                action="analysis.create",
                subject=job,
                details={"kind": kind, "file": name, "size": size, **cleaned},
            )
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return job


def jobs_of(user: Any) -> QuerySet[AnalysisJob]:
    """The user's own jobs: nobody else's, whatever their role."""
    if not getattr(user, "is_authenticated", False):
        return AnalysisJob.objects.none()
    return AnalysisJob.objects.filter(owner_id=user.pk)


def job_of(*, user: Any, pk: int) -> AnalysisJob:
    """One of the user's own jobs (AnalysisJob.DoesNotExist otherwise: a 404)."""
    return jobs_of(user).get(pk=pk)


def analysis_delete(*, actor: Any, job: AnalysisJob) -> None:
    if job.owner_id != actor.pk:
        raise PermissionDeniedError(_("You may not delete this analysis."))
    if job.status == AnalysisStatus.RUNNING:
        raise DomainError(_("The analysis is running; delete it when it has finished."), code="running")
    with transaction.atomic():
        audit_record(actor=actor, action="analysis.delete", subject=job, details={"file": job.file_name})
        job.delete()
    shutil.rmtree(folder(job), ignore_errors=True)


def result_file(job: AnalysisJob, what: str) -> Path | None:
    """A file the job produced (the scored CSV, the JSON or HTML report), if it exists."""
    names = {"scored": SCORED, "json": REPORT_JSON, "html": REPORT_HTML}
    if what not in names or job.status != AnalysisStatus.DONE:
        return None
    path = folder(job) / names[what]
    return path if path.is_file() else None


def report_body(job: AnalysisJob) -> str:
    path = folder(job) / REPORT_BODY
    return path.read_text(encoding="utf-8") if job.status == AnalysisStatus.DONE and path.is_file() else ""


# --- The background job -----------------------------------------------------------------------------


def _claim() -> AnalysisJob | None:
    with transaction.atomic():
        job = (
            AnalysisJob.objects.select_for_update(skip_locked=True)
            .filter(status=AnalysisStatus.QUEUED)
            .order_by("created_at", "id")
            .first()
        )
        if job is None:
            return None
        job.status = AnalysisStatus.RUNNING
        job.started_at = timezone.now()
        job.stage = "read"
        job.save(update_fields=["status", "started_at", "stage"])
    return job


def _progress(job: AnalysisJob) -> Any:
    def report(percent: int, stage: str) -> None:
        AnalysisJob.objects.filter(pk=job.pk).update(progress=percent, stage=stage)

    return report


def run_job(job: AnalysisJob) -> None:
    """Run a claimed job in the uploader's language; a refusal of the file is the job's error (in
    words), never a crash; an unexpected error is logged and the job marked failed."""
    base = folder(job)
    progress = _progress(job)
    try:
        with translation.override(job.language):
            if job.kind == AnalysisKind.VALIDATE:
                p = job.params
                progress(10, "read")
                result, info = validate_file(
                    source=base / INPUT,
                    score=p["score"],
                    outcome=p["outcome"],
                    group=p.get("group"),
                    thresholds=p.get("thresholds", []),
                    filters=p.get("filters", []),
                    name=job.file_name,
                )
                progress(80, "report")
                data = as_dict(result, info)
                (base / REPORT_JSON).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
                (base / REPORT_HTML).write_text(as_html(result, info), encoding="utf-8")
                (base / REPORT_BODY).write_text(as_html_body(result, info), encoding="utf-8")
                summary = {"rows": data.get("rows"), "auc": data.get("overall", {}).get("auc")}
            else:
                instrument = instrument_by_key(job.params["instrument"])
                batch = assess_file(
                    source=base / INPUT,
                    target=base / SCORED,
                    instrument=instrument,
                    mappings=job.params["mappings"],
                    progress=progress,
                )
                summary = {"instrument": str(instrument), **batch.as_dict()}
        AnalysisJob.objects.filter(pk=job.pk).update(
            status=AnalysisStatus.DONE, progress=100, stage="done", result=summary, finished_at=timezone.now()
        )
    except DomainError as exc:
        AnalysisJob.objects.filter(pk=job.pk).update(
            status=AnalysisStatus.FAILED, stage="failed", error=str(exc.message)[:4000], finished_at=timezone.now()
        )
    except Exception:
        log.exception("analysis job %s failed", job.pk)
        with translation.override(job.language):
            message = _("The analysis stopped on an unexpected error; the administrator can find it in the log.")
        AnalysisJob.objects.filter(pk=job.pk).update(
            status=AnalysisStatus.FAILED, stage="failed", error=message, finished_at=timezone.now()
        )


def analysis_run_pending(*, limit: int = 5) -> int:
    """Run up to ``limit`` waiting jobs, oldest first (several workers share the queue)."""
    done = 0
    while done < limit:
        job = _claim()
        if job is None:
            break
        run_job(job)
        done += 1
    return done


def analysis_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the jobs past their retention, with their files, and any folder no job owns."""
    moment = now or timezone.now()
    expired = list(AnalysisJob.objects.filter(expires_at__lt=moment).exclude(status=AnalysisStatus.RUNNING))
    for job in expired:
        shutil.rmtree(folder(job), ignore_errors=True)
    AnalysisJob.objects.filter(pk__in=[j.pk for j in expired]).delete()
    root = Path(settings.ANALYSIS_DIR)
    if root.is_dir():
        known = {str(t) for t in AnalysisJob.objects.values_list("token", flat=True)}
        for child in root.iterdir():
            old = dt.datetime.fromtimestamp(child.stat().st_mtime, tz=dt.UTC) < moment - dt.timedelta(hours=1)
            if child.is_dir() and child.name not in known and old:
                shutil.rmtree(child, ignore_errors=True)
    return len(expired)
