"""Batch scoring: `assess-batch` over 1,000,000 historical records, end to end (read the CSV, map
the columns, score, write the scores beside the input), in rows per second.

Baselines measured in the same run: the same file read and written without scoring (the floor the
file format sets), and the single-assessment path (`score_answers`, one row at a time, as a
per-row loop would) on a sample. Target: >= 200,000 rows/s end to end. Figures are printed, never
asserted. Its SQLite database and the generated file live under var/bench/ (the file is reused).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = ROOT / "var" / "bench"
TARGET_ROWS_PER_S = 200_000
MAPS = [
    "age=age(birth_date,assessed_on)",
    "sex=sex:Male->M,Female->F",
    "age_first_conviction=age_first",
    "previous_convictions=previous",
    "juvenile_record=juvenile",
    "offence=offence",
    "sentence_kind=sentence",
]


def _setup() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    db = FOLDER / "assess.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["LOCAL_DEVELOPMENT"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")


def _generate(path: Path, rows: int, seed: int) -> None:
    """Records as a service's export writes them: dates dd.mm.yyyy, sex in words."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    born = np.datetime64("1955-01-01") + rng.integers(0, 18_000, rows).astype("timedelta64[D]")
    assessed = np.datetime64("2023-01-01") + rng.integers(0, 1_000, rows).astype("timedelta64[D]")
    age = ((assessed - born).astype(int) // 365).astype(int)
    first = np.minimum(age, rng.integers(14, 40, rows))
    offences = np.array(
        ["theft", "fraud", "violence", "drug_possession", "robbery", "public_order", "absconding", "other"]
    )
    frame = pd.DataFrame(
        {
            "id": np.arange(1, rows + 1),
            "birth_date": pd.to_datetime(born).strftime("%d.%m.%Y"),
            "assessed_on": pd.to_datetime(assessed).strftime("%d.%m.%Y"),
            "sex": np.where(rng.random(rows) < 0.85, "Male", "Female"),
            "age_first": first,
            "previous": rng.poisson(1.4, rows),
            "juvenile": np.where(first < 18, "yes", "no"),
            "offence": offences[rng.integers(0, len(offences), rows)],
            "sentence": np.where(rng.random(rows) < 0.7, "conditional", "parole"),
            "reoffended": (rng.random(rows) < 0.35).astype(int),
        }
    )
    frame.to_csv(path, index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5_000, help="rows scored one at a time for the per-row baseline")
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    _setup()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from openprobation.assessments.batch import _mapped, assess_file, instrument_by_key
    from openprobation.assessments.instruments import spec_of
    from openprobation.assessments.scoring import score_answers, score_batch
    from openprobation.assessments.tabular import read_table, write_table

    source = FOLDER / f"history-{args.rows}.csv"
    if not source.exists():
        started = time.perf_counter()
        _generate(source, args.rows, args.seed)
        print(
            f"generated {source.name} ({source.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
    target = FOLDER / "history-scored.csv"
    instrument = instrument_by_key("static_risk")
    spec = spec_of(instrument)
    print(f"\nBatch scoring: {args.rows:,} records, {instrument} ({len(spec.terms)} terms), {os.cpu_count()} CPU")

    # Baseline 1: the file read and written, no scoring.
    started = time.perf_counter()
    table = read_table(source)
    write_table(table, {}, target)
    io_s = time.perf_counter() - started

    # The scorer alone, on the mapped columns (for the breakdown of the end-to-end figure).
    mapped = _mapped(table, spec, MAPS)
    started = time.perf_counter()
    score_batch(spec, dict(mapped.values))
    score_s = time.perf_counter() - started

    # Baseline 2: one row at a time through the single-assessment path.
    sample = []
    for i in range(min(args.sample, table.rows)):
        row = {}
        for code, values in mapped.values.items():
            value = values[i]
            row[code] = value if isinstance(value, str) else float(value)
        sample.append(row)
    started = time.perf_counter()
    for row in sample:
        try:
            score_answers(spec, row)
        except Exception:  # noqa: S112, BLE001 - an unusable row counts as done
            continue
    loop_rate = len(sample) / (time.perf_counter() - started)

    # The measured figure: assess-batch end to end.
    started = time.perf_counter()
    result = assess_file(source=source, target=target, instrument=instrument, mappings=MAPS)
    total_s = time.perf_counter() - started
    rate = result.rows / total_s

    rows = [
        ("read + write only (baseline)", result.rows / io_s, io_s),
        ("score_answers one row at a time (baseline)", loop_rate, args.rows / loop_rate),
        ("score_batch alone", result.rows / score_s, score_s),
        ("assess-batch end to end", rate, total_s),
    ]
    print(f"{'what':<46}{'rows/s':>14}{'seconds for all rows':>24}")
    for label, r, s in rows:
        print(f"{label:<46}{r:>14,.0f}{s:>24.2f}")
    print(
        f"end to end vs the per-row loop: {rate / loop_rate:.0f}x; vs read+write alone: {rate / (result.rows / io_s):.2f}"
    )
    print(f"scored {result.scored:,} of {result.rows:,}; levels {result.levels}")
    print(f"target >= {TARGET_ROWS_PER_S:,} rows/s end to end: {'PASS' if rate >= TARGET_ROWS_PER_S else 'FAIL'}")
    target.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
