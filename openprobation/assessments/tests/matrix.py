"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the assessment routes:
the records they name and a valid payload for each write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from openprobation.assessments.instruments import instrument_in_force, spec_of
from openprobation.assessments.models import Assessment, CaseAssessmentState, LevelOverride
from openprobation.assessments.scoring import score_answers
from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today

RISKY = {
    "age": 19,
    "sex": "M",
    "age_first_conviction": 15,
    "previous_convictions": 6,
    "juvenile_record": "yes",
    "offence": "theft",
    "sentence_kind": "conditional",
}
NEEDS = {
    "education_employment": "2",
    "accommodation": "1",
    "finances": "1",
    "relationships": "0",
    "associates": "0",
    "substance_use": "0",
    "attitudes": "0",
    "mental_health": "0",
    "documents": "1",
}


def _assessment(world: dict[str, Any], case_pk: int) -> int:
    case = Case.objects.select_related("officer").get(pk=case_pk)
    instrument = instrument_in_force("risk", on=local_today())
    result = score_answers(spec_of(instrument), RISKY)
    assessment = Assessment.objects.create(
        case=case,
        instrument=instrument,
        kind="risk",
        assessed_on=local_today(),
        assessed_by=case.officer or world["officer"],
        reason="initial",
        answers=RISKY,
        result=result.as_dict(),
        score=result.score,
        probability=result.probability,
        level=result.level,
    )
    CaseAssessmentState.objects.update_or_create(
        case=case, defaults={"risk": assessment, "level": result.level, "assessed_level": result.level}
    )
    return assessment.pk


def _override(world: dict[str, Any], case_pk: int) -> int:
    assessment = Assessment.objects.get(pk=_assessment(world, case_pk))
    return LevelOverride.objects.create(
        assessment=assessment,
        computed_level=assessment.level,
        level="low",
        reason="Стабильная работа и поддержка семьи",
        requested_by=assessment.assessed_by,
    ).pk


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "assessments:detail": _assessment,
    "assessments:override": _assessment,
    "assessments:override_decide": _override,
    "api-case-assessment": _assessment,
    "api-case-assessment-override": _assessment,
    "api-case-assessment-override-decision": _override,
}

_REASON = {"level": "low", "reason": "Стабильная работа и поддержка семьи"}

PAYLOADS: dict[tuple[str, str], Callable[[Any, Any], dict[str, Any]]] = {
    ("assessments:new_risk", "POST"): lambda w, s: dict(RISKY),
    ("assessments:new_needs", "POST"): lambda w, s: dict(NEEDS),
    ("assessments:override", "POST"): lambda w, s: dict(_REASON),
    ("assessments:override_decide", "POST"): lambda w, s: {"decision": "approve", "note": "Келісемін"},
    ("api-case-assessments", "POST"): lambda w, s: {"kind": "risk", "answers": dict(RISKY)},
    ("api-case-assessment-override", "POST"): lambda w, s: dict(_REASON),
    ("api-case-assessment-override-decision", "POST"): lambda w, s: {"approve": True},
}


# --- An analyst's files -----------------------------------------------------------------------

CSV = b"score,outcome,group\n0.9,1,a\n0.2,0,a\n0.7,1,b\n0.4,0,b\n0.6,0,a\n0.8,1,b\n"


def analysis_jobs(world: dict[str, Any]) -> dict[str, Any]:
    """A finished job of the analyst (side A) and one of another analyst (side C), with files."""
    import datetime as dt  # noqa: PLC0415
    import json  # noqa: PLC0415
    import uuid  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from openprobation.accounts.models import Role, User  # noqa: PLC0415
    from openprobation.assessments.analysis import REPORT_JSON, folder  # noqa: PLC0415
    from openprobation.assessments.models import AnalysisJob  # noqa: PLC0415
    from openprobation.testing.factories import UserFactory  # noqa: PLC0415

    other = cast(User, UserFactory(username="analyst_two", role=Role.ANALYST, office=None, region=None))
    jobs = {}
    for side, owner in (("A", world["analyst"]), ("C", other)):
        job = AnalysisJob.objects.create(
            token=uuid.uuid4(),
            owner=owner,
            kind="validate",
            file_name="history.csv",
            file_size=len(CSV),
            params={"score": "score", "outcome": "outcome"},
            language="ru",
            status="done",
            progress=100,
            expires_at=timezone.now() + dt.timedelta(days=3),
        )
        folder(job).mkdir(parents=True, exist_ok=True)
        (folder(job) / REPORT_JSON).write_text(json.dumps({"rows": {"read": 6}}), encoding="utf-8")
        jobs[side] = job
    return jobs


def _upload(w: Any, s: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    return {
        "kind": "validate",
        "file": SimpleUploadedFile("history.csv", CSV, content_type="text/csv"),
        "score": "score",
        "outcome": "outcome",
    }


PAYLOADS.update(
    {
        ("assessments:analysis_list", "POST"): _upload,
        ("api-analysis", "POST"): _upload,
        ("assessments:analysis_delete", "POST"): lambda w, s: {},
        ("api-analysis-detail", "DELETE"): lambda w, s: {},
    }
)
