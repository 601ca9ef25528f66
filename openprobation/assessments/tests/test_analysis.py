"""The analyst's uploads: queued, run in the background with progress, the report in the page and
the API, files private to the uploader, refused for everyone else, deleted after retention."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from openprobation.assessments import analysis
from openprobation.assessments.models import AnalysisJob, AnalysisStatus
from openprobation.audit.models import AuditEvent
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db


def _csv(n: int = 400, seed: int = 2) -> bytes:
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)
    groups = rng.choice(["Алматы", "Астана"], n)
    lines = ["score;outcome;region"] + [f"{p[i]:.4f};{'да' if y[i] else 'нет'};{groups[i]}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(name: str = "history.csv", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else _csv(), content_type="text/csv")


def test_an_analyst_uploads_follows_and_reads_the_report(personas: dict[str, Any]) -> None:
    client = web_client(personas["analyst"], "ru")
    page = client.post(
        reverse("assessments:analysis_list"),
        {
            "kind": "validate",
            "file": _upload(),
            "score": "score",
            "outcome": "outcome",
            "group": "region",
            "thresholds": "0.5\n0.7",
        },
    )
    assert page.status_code == 302
    job = AnalysisJob.objects.get()
    assert job.status == AnalysisStatus.QUEUED and (analysis.folder(job) / analysis.INPUT).is_file()
    waiting = client.get(reverse("assessments:analysis_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in waiting
    assert analysis.analysis_run_pending() == 1
    job.refresh_from_db()
    assert job.status == AnalysisStatus.DONE and job.progress == 100 and job.result["rows"]["read"] == 400
    done = client.get(reverse("assessments:analysis_detail", args=[job.pk])).content.decode()
    assert 'id="analysis-report"' in done and "Алматы" in done and "<svg" in done and "every 2s" not in done
    download = client.get(reverse("assessments:analysis_download", args=[job.pk, "json"]))
    assert download.status_code == 200 and b'"auc"' in b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="analysis.download").count() == 1
    api = api_client(personas["analyst"]).get(reverse("api-analysis-detail", args=[job.pk])).json()
    assert api["status"] == "done" and api["report"]["overall"]["auc"] == pytest.approx(job.result["auc"])


def test_scoring_a_file_in_the_background_gives_the_scored_file(personas: dict[str, Any]) -> None:
    content = (
        "age;sex;age_first_conviction;previous_convictions;juvenile_record;offence;sentence_kind\n"
        "30;M;20;2;no;theft;conditional\n25;F;25;0;no;fraud;parole\nабв;M;20;1;no;theft;conditional\n"
    ).encode()
    client = api_client(personas["analyst"])
    made = client.post(
        reverse("api-analysis"),
        {"kind": "assess", "file": _upload(content=content), "instrument": "static_risk"},
        format="multipart",
    )
    assert made.status_code == 201, made.json()
    analysis.analysis_run_pending()
    job = AnalysisJob.objects.get()
    assert job.status == "done" and job.result["scored"] == 2 and job.result["rows"] == 3
    scored = b"".join(client.get(reverse("api-analysis-download", args=[job.pk, "scored"])).streaming_content).decode()  # type: ignore[attr-defined]
    assert scored.count("\n") == 4 and "not_scored" in scored.splitlines()[0]


def test_a_file_that_cannot_be_used_fails_with_words_not_a_crash(personas: dict[str, Any]) -> None:
    client = web_client(personas["analyst"], "en")
    client.post(
        reverse("assessments:analysis_list"),
        {"kind": "validate", "file": _upload(), "score": "nope", "outcome": "outcome"},
    )
    analysis.analysis_run_pending()
    job = AnalysisJob.objects.get()
    assert job.status == AnalysisStatus.FAILED and "nope" in job.error
    page = client.get(reverse("assessments:analysis_detail", args=[job.pk])).content.decode()
    assert 'id="analysis-error"' in page


def test_bad_uploads_are_refused_on_the_form_and_nothing_is_kept(personas: dict[str, Any]) -> None:
    client = web_client(personas["analyst"], "en")
    url = reverse("assessments:analysis_list")
    root = Path(analysis.settings.ANALYSIS_DIR)
    before = set(root.iterdir()) if root.exists() else set()
    for data in (
        {"kind": "validate", "file": _upload(content=b""), "score": "s", "outcome": "o"},
        {"kind": "validate", "file": _upload(), "score": "", "outcome": "o"},
        {"kind": "validate", "file": _upload(), "score": "s", "outcome": "o", "thresholds": "high"},
        {"kind": "validate", "file": _upload(), "score": "s", "outcome": "o", "filters": "age ~ 3"},
        {"kind": "assess", "file": _upload(), "instrument": "nope"},
        {"kind": "assess", "file": _upload(), "instrument": "static_risk", "mappings": "age"},
        {"kind": "other", "file": _upload(), "score": "s", "outcome": "o"},
    ):
        answer = client.post(url, data)
        assert answer.status_code == 200, data
    assert not AnalysisJob.objects.exists()
    assert (set(root.iterdir()) if root.exists() else set()) == before  # no file kept


@pytest.mark.parametrize("who", ["officer", "head", "regional_admin", "auditor", "sysadmin"])
def test_only_analysts_upload(personas: dict[str, Any], who: str) -> None:
    answer = web_client(personas[who], "en").post(
        reverse("assessments:analysis_list"), {"kind": "validate", "file": _upload(), "score": "s", "outcome": "o"}
    )
    assert answer.status_code == 403
    assert (
        api_client(personas[who])
        .post(
            reverse("api-analysis"),
            {"kind": "validate", "file": _upload(), "score": "s", "outcome": "o"},
            format="multipart",
        )
        .status_code
        == 403
    )
    assert not AnalysisJob.objects.exists()


def test_a_job_is_its_uploaders_alone(personas: dict[str, Any]) -> None:
    from openprobation.testing.factories import UserFactory

    mine = analysis.analysis_create(
        actor=personas["analyst"],
        kind="validate",
        upload=_upload(),
        params={"score": "score", "outcome": "outcome"},
        language="en",
    )
    analysis.analysis_run_pending()
    other = UserFactory(username="analyst2", role="analyst", office=None, region=None)
    client = web_client(other, "en")
    for url in (
        reverse("assessments:analysis_detail", args=[mine.pk]),
        reverse("assessments:analysis_download", args=[mine.pk, "json"]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("assessments:analysis_delete", args=[mine.pk])).status_code == 404
    assert api_client(other).delete(reverse("api-analysis-detail", args=[mine.pk])).status_code == 404
    assert AnalysisJob.objects.filter(pk=mine.pk).exists()
    assert (
        web_client(personas["analyst"], "en")
        .get(reverse("assessments:analysis_download", args=[mine.pk, "input"]))
        .status_code
        == 404
    )


def test_jobs_are_deleted_with_their_files_after_retention(personas: dict[str, Any]) -> None:
    job = analysis.analysis_create(
        actor=personas["analyst"],
        kind="validate",
        upload=_upload(),
        params={"score": "score", "outcome": "outcome"},
        language="en",
    )
    kept = analysis.analysis_create(
        actor=personas["analyst"],
        kind="validate",
        upload=_upload(),
        params={"score": "score", "outcome": "outcome"},
        language="en",
    )
    AnalysisJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert analysis.analysis_purge() == 1
    assert not analysis.folder(job).exists() and analysis.folder(kept).exists()
    assert list(AnalysisJob.objects.values_list("pk", flat=True)) == [kept.pk]
    web_client(personas["analyst"], "en").post(reverse("assessments:analysis_delete", args=[kept.pk]))
    assert not AnalysisJob.objects.exists() and not analysis.folder(kept).exists()
