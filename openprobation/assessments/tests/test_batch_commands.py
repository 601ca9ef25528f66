"""assess-batch and calibrate-instrument on real-looking files: every row kept, scores equal to
the single assessment's, rows that cannot be scored explained; calibration saves a draft."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openprobation.assessments.instruments import instrument_in_force, spec_of
from openprobation.assessments.models import Instrument, InstrumentStatus
from openprobation.assessments.scoring import score_answers, score_batch
from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import local_today

pytestmark = pytest.mark.django_db

OFFENCES = ["theft", "fraud", "violence", "drug_possession", "absconding"]


def _messy(path: Path, n: int = 200, seed: int = 1) -> list[dict[str, str]]:
    """A file as services keep them: Russian headers, a repeated header, dates in two formats,
    sex as words, stray spaces, and a few broken rows."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=int(rng.integers(0, 14000)))
        on = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 600)))
        first = int(rng.integers(14, 30))
        rows.append(
            {
                "id": str(i + 1),
                "дата рождения": born.strftime("%d.%m.%Y") if i % 2 else born.isoformat(),
                "дата оценки": on.strftime("%d.%m.%Y"),
                "пол": " Мужской " if i % 3 else "Женский",
                "возраст первой судимости": str(first),
                "судимостей": str(int(rng.integers(0, 6))),
                "несовершеннолетний": "нет" if first >= 18 else "да",
                "статья": OFFENCES[i % len(OFFENCES)],
                "наказание": "conditional",
            }
        )
    rows[5]["судимостей"] = "много"  # not a number
    rows[7]["пол"] = ""  # empty
    rows[9]["дата рождения"] = "31.02.1990"  # not a date
    header = list(rows[0]) + ["id"]  # a repeated header
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        for r in rows:
            writer.writerow([*r.values(), r["id"]])
    return rows


MAPS = [
    "age=age(дата рождения,дата оценки)",
    "sex=пол:Мужской->M,Женский->F",
    "age_first_conviction=возраст первой судимости",
    "previous_convictions=судимостей",
    "juvenile_record=несовершеннолетний:да->yes,нет->no",
    "offence=статья",
    "sentence_kind=наказание",
]


def _day(text: str) -> dt.date:
    if "-" in text:
        return dt.date.fromisoformat(text)
    day, month, year = (int(x) for x in text.split("."))
    return dt.date(year, month, day)


def _args(maps: list[str]) -> list[str]:
    return [a for m in maps for a in ("--map", m)]


def test_assess_batch_scores_every_row_like_the_single_assessment(tmp_path: Path) -> None:
    source, out = tmp_path / "history.csv", tmp_path / "scored.csv"
    rows = _messy(source)
    stdout = StringIO()
    call_command(
        "assess_batch",
        str(source),
        "--instrument",
        "static_risk",
        *_args(MAPS),
        "--out",
        str(out),
        "--language",
        "en",
        stdout=stdout,
    )
    text = stdout.getvalue()
    with out.open(encoding="utf-8", newline="") as f:
        written = list(csv.reader(f, delimiter=";"))
    header, body = written[0], written[1:]
    assert len(body) == len(rows)  # no row dropped
    assert header[:10] == [*rows[0].keys(), "id"] and header[10:12] == ["score", "level"] and header[-1] == "not_scored"
    not_scored = {i for i, r in enumerate(body) if r[-1]}
    assert {5, 7, 9} <= not_scored, text
    assert "судимостей" in body[5][-1] or "previous_convictions" in body[5][-1]
    assert "3 of 200 rows cannot be scored" in text or "rows cannot be scored" in text
    spec = spec_of(instrument_in_force("risk", on=local_today()))
    for i in (0, 1, 2, 11, 50):
        r = rows[i]
        born = _day(r["дата рождения"])
        on = _day(r["дата оценки"])
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        first = int(r["возраст первой судимости"])
        answers: dict[str, Any] = {
            "age": age,
            "sex": "M" if "Муж" in r["пол"] else "F",
            "age_first_conviction": first,
            "previous_convictions": int(r["судимостей"]),
            "juvenile_record": "no" if r["несовершеннолетний"] == "нет" else "yes",
            "offence": r["статья"],
            "sentence_kind": "conditional",
        }
        if age < first or age < 14:
            assert body[i][-1]
            continue
        single = score_answers(spec, answers)
        assert float(body[i][10]) == pytest.approx(single.score, abs=1e-6)
        assert body[i][11] == single.level


def test_assess_batch_refuses_bad_maps_and_keys_clearly(tmp_path: Path) -> None:
    source = tmp_path / "history.csv"
    _messy(source, n=20)
    with pytest.raises(CommandError, match="No approved instrument “nope”"):
        call_command("assess_batch", str(source), "--instrument", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="not mapped|No column is mapped"):
        call_command(
            "assess_batch",
            str(source),
            "--instrument",
            "static_risk",
            "--map",
            "age=age(дата рождения,дата оценки)",
            "--language",
            "en",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="возраст"):
        call_command(
            "assess_batch",
            str(source),
            "--instrument",
            "static_risk",
            *_args([*MAPS[:2], "age_first_conviction=возраст", *MAPS[3:]]),
            "--language",
            "en",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="overwrite"):
        call_command(
            "assess_batch",
            str(source),
            "--instrument",
            "static_risk",
            *_args(MAPS),
            "--out",
            str(source),
            "--language",
            "en",
            stdout=StringIO(),
        )


def test_calibrate_instrument_saves_an_audited_draft_and_dry_run_saves_nothing(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 1500
    spec = spec_of(instrument_in_force("risk", on=local_today()))
    first = rng.integers(14, 40, n)
    cols = {
        "age": (first + rng.integers(0, 30, n)).astype(float),
        "sex": rng.choice(["M", "F"], n).astype(object),
        "age_first_conviction": first.astype(float),
        "previous_convictions": rng.integers(0, 8, n).astype(float),
        "juvenile_record": rng.choice(["yes", "no"], n).astype(object),
        "offence": rng.choice(OFFENCES, n).astype(object),
        "sentence_kind": rng.choice(["conditional", "parole"], n).astype(object),
    }
    y = (rng.random(n) < score_batch(spec, cols).score).astype(int)
    path = tmp_path / "outcomes.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*cols, "reoffended"])
        for i in range(n):
            writer.writerow(
                [int(v[i]) if isinstance(v[i], float) else v[i] for v in cols.values()] + ["да" if y[i] else "нет"]
            )
    out = StringIO()
    call_command(
        "calibrate_instrument",
        str(path),
        "--instrument",
        "static_risk",
        "--outcome",
        "reoffended",
        "--dry-run",
        "--language",
        "en",
        stdout=out,
    )
    assert "Cross-validated ROC-AUC" in out.getvalue() and Instrument.objects.filter(key="static_risk").count() == 1
    call_command(
        "calibrate_instrument",
        str(path),
        "--instrument",
        "static_risk",
        "--outcome",
        "reoffended",
        "--folds",
        "3",
        "--language",
        "en",
        stdout=StringIO(),
    )
    draft = Instrument.objects.get(key="static_risk", version=2)
    assert draft.status == InstrumentStatus.DRAFT and draft.derived_from is not None
    assert draft.calibration["rows"] == n and 0.5 < draft.calibration["cv_auc"] < 1
    assert AuditEvent.objects.filter(action="instrument.calibrate").count() == 1
    # Officers keep scoring with the approved version until the administrator approves the draft.
    assert instrument_in_force("risk", on=local_today()).version == 1
    with pytest.raises(CommandError, match="Only a logistic instrument"):
        call_command(
            "calibrate_instrument",
            str(path),
            "--instrument",
            "needs",
            "--outcome",
            "reoffended",
            "--language",
            "en",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="folds"):
        call_command(
            "calibrate_instrument",
            str(path),
            "--instrument",
            "static_risk",
            "--outcome",
            "reoffended",
            "--folds",
            "1",
            stdout=StringIO(),
        )
