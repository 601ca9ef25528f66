"""Files of historical records through an instrument: score every row (``assess-batch``), fit a
new version's coefficients (``calibrate-instrument``). The commands and the analyst's background
jobs call these functions, so a file gives the same figures whichever way it is run."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from openprobation.assessments.calibration import Calibration, CalibrationError, calibrate
from openprobation.assessments.instrument import InstrumentSpec, spec_to_definition
from openprobation.assessments.instruments import spec_of
from openprobation.assessments.models import Instrument, InstrumentStatus
from openprobation.assessments.scoring import score_batch
from openprobation.assessments.tabular import (
    Mapped,
    MappingError,
    Table,
    map_items,
    parse_mapping,
    read_table,
    write_table,
)
from openprobation.assessments.validating import DID_NOT, REOFFENDED
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError

Progress = Callable[[int, str], None]  # (percent, stage)


def _no_progress(percent: int, stage: str) -> None:
    return None


def instrument_by_key(key: str) -> Instrument:
    """The approved version in force of an instrument key (the latest approved one)."""
    found = (
        Instrument.objects.filter(key=key, status=InstrumentStatus.APPROVED)
        .order_by("-effective_from", "-version")
        .first()
    )
    if found is None:
        keys = ", ".join(sorted(set(Instrument.objects.values_list("key", flat=True))))
        raise DomainError(
            _("No approved instrument “%(key)s”. Instruments: %(keys)s.") % {"key": key, "keys": keys},
            field="instrument",
        )
    return found


def _mapped(table: Table, spec: InstrumentSpec, specs: list[str]) -> Mapped:
    mappings = [parse_mapping(s) for s in specs]
    scored = [i for i in spec.items if i.scored and i.type in ("number", "choice")]
    kinds: dict[str, Any] = {i.code: i.type for i in scored}
    mapped_items = {m.item for m in mappings}
    # An item whose column has the same name as the item needs no --map.
    for item in scored:
        if item.code not in mapped_items and item.code in table.columns:
            mappings.append(parse_mapping(f'{item.code}="{item.code}"'))
    missing = [i.code for i in scored if i.required and i.code not in {m.item for m in mappings}]
    if missing:
        raise MappingError(
            _("No column is mapped to: %(items)s. Add --map item=column for each (the file's columns: %(columns)s).")
            % {"items": ", ".join(missing), "columns": ", ".join(table.columns)}
        )
    return map_items(
        table,
        mappings,
        kinds=kinds,
        choices={i.code: set(i.option_codes) for i in scored if i.type == "choice"},
        required={i.code for i in scored if i.required},
    )


def _row_reasons(mapped: Mapped, scored_reasons: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Why each row was not scored ("" when it was): the file's problem first, else the scorer's."""
    reasons = np.array(scored_reasons, dtype=object)
    groups = getattr(mapped.problems, "groups", None)
    if callable(groups):
        ordered = sorted(groups(), key=lambda g: -g.rows.size)
        for group in ordered:
            text = f"{group.item}: {group.reason}" if group.item and not group.whole_row else group.reason
            reasons[group.rows] = text
    else:
        for problem in reversed(list(mapped.problems)):
            reasons[problem.row - 1] = f"{problem.item}: {problem.reason}"
    return reasons


@dataclass
class BatchResult:
    rows: int
    scored: int
    seconds: float
    summary: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def unusable(self) -> int:
        return self.rows - self.scored

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "scored": self.scored,
            "unusable": self.unusable,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "levels": self.levels,
            "summary": self.summary,
            "warnings": self.warnings,
        }


def assess_file(
    *,
    source: str | os.PathLike[str] | BinaryIO,
    target: str | os.PathLike[str] | BinaryIO,
    instrument: Instrument,
    mappings: list[str],
    encoding: str | None = None,
    progress: Progress = _no_progress,
) -> BatchResult:
    """Score every row of ``source`` and write it to ``target`` with the scores beside the input
    columns: ``score`` (the probability, or the points), ``level``, one ``term:<code>`` column per
    term (what it added) and ``not_scored`` (why a row was not scored; empty when it was). No row
    is dropped."""
    started = time.perf_counter()
    spec = spec_of(instrument)
    progress(5, "read")
    table = read_table(source, encoding=encoding)
    progress(35, "map")
    mapped = _mapped(table, spec, mappings)
    progress(55, "score")
    values = dict(mapped.values)
    batch = score_batch(spec, values)
    usable = batch.usable & mapped.usable
    level_names = np.array([*spec.level_codes, ""], dtype=object)
    extra: dict[str, np.ndarray[Any, Any]] = {
        "score": np.where(usable, batch.score, np.nan),
        "level": level_names[np.where(usable, batch.level, -1)],
    }
    for code, contribution in batch.contributions.items():
        extra[f"term:{code}"] = np.where(usable, contribution, np.nan)
    extra["not_scored"] = np.where(usable, "", _row_reasons(mapped, batch.reasons()))
    progress(75, "write")
    write_table(table, extra, target, delimiter=table.delimiter)
    counts = (
        np.bincount(batch.level[usable], minlength=len(spec.levels))
        if usable.any()
        else np.zeros(len(spec.levels), dtype=int)
    )
    result = BatchResult(
        rows=table.rows,
        scored=int(usable.sum()),
        seconds=time.perf_counter() - started,
        summary=mapped.problem_summary(),
        warnings=list(table.warnings),
        levels={code: int(n) for code, n in zip(spec.level_codes, counts, strict=True)},
    )
    if not mapped.problems and result.unusable:
        reasons = extra["not_scored"][~usable]
        uniq, n = np.unique(reasons.astype(str), return_counts=True)
        result.summary = [f"{u}: {c}" for u, c in sorted(zip(uniq, n, strict=True), key=lambda x: -x[1])[:20]]
    progress(100, "done")
    return result


def read_outcome(table: Table, column: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """An outcome column as 1.0 / 0.0 (NaN where empty or unreadable), read as validation reads it."""
    if column not in table.columns:
        raise MappingError(
            _("The file has no column “%(column)s”. Its columns: %(columns)s.")
            % {"column": column, "columns": ", ".join(table.columns)}
        )
    values = table.frame[column].astype(str).str.strip().str.lower().to_numpy(dtype=object)
    out = np.full(len(values), np.nan)
    out[np.isin(values, list(REOFFENDED))] = 1.0
    out[np.isin(values, list(DID_NOT))] = 0.0
    return out


def calibrate_file(
    *,
    source: str | os.PathLike[str] | BinaryIO,
    instrument: Instrument,
    outcome: str,
    mappings: list[str],
    folds: int = 5,
    seed: int = 0,
    encoding: str | None = None,
    actor: Any = None,
    save: bool = True,
    progress: Progress = _no_progress,
) -> tuple[Calibration, Instrument | None, BatchResult]:
    """Fit ``instrument``'s coefficients to the file and, unless ``save`` is False, write a new
    version as a draft (derived from this one, with the calibration figures) for the administrator
    to approve. Returns the calibration, the draft and the file's counts."""
    started = time.perf_counter()
    spec = spec_of(instrument)
    if spec.combine != "logistic":
        raise CalibrationError(_("Only a logistic instrument can be calibrated."))
    progress(5, "read")
    table = read_table(source, encoding=encoding)
    mapped = _mapped(table, spec, mappings)
    y = read_outcome(table, outcome)
    y[~mapped.usable] = np.nan
    progress(30, "fit")
    calibration = calibrate(spec, dict(mapped.values), y, folds=folds, seed=seed)
    draft = None
    if save:
        with transaction.atomic():
            latest = (
                Instrument.objects.filter(key=instrument.key).aggregate(v=Max("version"))["v"] or instrument.version
            )
            draft = Instrument.objects.create(
                key=instrument.key,
                version=latest + 1,
                kind=instrument.kind,
                title_en=instrument.title_en,
                title_kk=instrument.title_kk,
                title_ru=instrument.title_ru,
                definition=spec_to_definition(calibration.spec, instrument.definition),
                source=instrument.source,
                rule_status=instrument.rule_status,
                status=InstrumentStatus.DRAFT,
                effective_from=instrument.effective_from,
                derived_from=instrument,
                calibration={**calibration.as_dict(), "outcome": outcome, "mappings": mappings},
                created_by=actor,
                notes=_(
                    "Calibrated on %(rows)s records; cross-validated ROC-AUC %(new).3f against %(old).3f for version %(version)s."
                )
                % {
                    "rows": calibration.rows,
                    "new": calibration.cv_auc,
                    "old": calibration.current_auc,
                    "version": instrument.version,
                },
            )
            audit_record(
                actor=actor,
                action="instrument.calibrate",
                subject=draft,
                details={"from": str(instrument), **calibration.as_dict()},
            )
    progress(100, "done")
    result = BatchResult(
        rows=table.rows,
        scored=calibration.rows,
        seconds=time.perf_counter() - started,
        summary=mapped.problem_summary(),
        warnings=list(table.warnings),
    )
    return calibration, draft, result
