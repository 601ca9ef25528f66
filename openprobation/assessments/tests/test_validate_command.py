"""`openprobation validate-instrument`: reads the service's CSV (any delimiter, decimal comma, outcomes
in three languages), counts every row it leaves out by reason, applies filters without eval, and
reports the same figures as scikit-learn on the rows it used; bad input is a clear error."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, confusion_matrix, roc_auc_score


def _write(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], sep: str = ";", bom: bool = True
) -> Path:
    lines: list[Sequence[object]] = [header, *rows]
    text = "\n".join(sep.join(str(v) for v in row) for row in lines) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("validate_instrument", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def outcomes(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """600 people: a probability with decimal comma, Russian outcomes, sex and age; a few bad rows at the end."""
    rng = np.random.default_rng(42)
    n = 600
    p = np.round(rng.beta(2, 5, n), 2)
    y = (rng.random(n) < p).astype(int)
    sex = rng.choice(["жен", "муж"], n)
    age = rng.integers(18, 70, n)
    rows: list[list[object]] = [
        [i, f"{p[i]:.2f}".replace(".", ","), " ДА " if y[i] else "нет", sex[i], age[i]] for i in range(n)
    ]
    rows += [
        [900, "", "да", "жен", 30],  # score empty
        [901, "n/a", "да", "жен", 30],  # score not a number
        [902, "", "", "жен", 30],  # score empty (first reason counts)
        [903, "0,5", "", "муж", 30],  # outcome empty
        [904, "0,5", "maybe", "муж", 30],  # outcome not recognised
        [905, "1,2.3", "да", "муж", 30],  # score not a number
    ]
    path = _write(tmp_path / "outcomes.csv", ["id", "p", "reoffended", "sex", "age"], rows)
    return path, y, p, sex, age


def test_report_figures_equal_sklearn_and_every_row_is_counted(outcomes, tmp_path: Path) -> None:
    path, y, p, sex, _age = outcomes
    out_json = tmp_path / "report.json"
    out_html = tmp_path / "report.html"
    text = _run(
        str(path),
        "--score",
        "p",
        "--outcome",
        "reoffended",
        "--group",
        "sex",
        "--threshold",
        "0,3",
        "0.5",
        "--threshold",
        "0.2",
        "--json",
        str(out_json),
        "--html",
        str(out_html),
        "--language",
        "en",
    )
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["rows"] == {
        "read": 606,
        "used": 600,
        "excluded": {
            "row_unreadable": 0,
            "filtered": 0,
            "score_empty": 2,
            "score_invalid": 2,
            "outcome_empty": 1,
            "outcome_invalid": 1,
        },
    }
    assert data["thresholds"] == [0.2, 0.3, 0.5]
    overall = data["overall"]
    assert overall["auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert overall["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="quantile")
    np.testing.assert_allclose([b["observed"] for b in overall["calibration"]], prob_true, atol=1e-12)
    np.testing.assert_allclose([b["mean_predicted"] for b in overall["calibration"]], prob_pred, atol=1e-12)
    for group in data["groups"]:
        rows = sex == group["group"]
        assert group["auc"] == pytest.approx(roc_auc_score(y[rows], p[rows]), abs=1e-12)
        for row in group["thresholds"]:
            predicted = (p[rows] >= row["threshold"]).astype(int)
            tn, fp, fn, tp = confusion_matrix(y[rows], predicted, labels=[0, 1]).ravel()
            assert [row["tp"], row["fp"], row["tn"], row["fn"]] == [tp, fp, tn, fn]
    assert [g["group"] for g in data["groups"]] == ["жен", "муж"]

    assert "Rows read: 606" in text and "Rows used: 600" in text and "Rows not used: 6" in text
    assert "Score empty: 2" in text and "Score not a number: 2" in text
    assert "Outcome empty: 1" in text and "Outcome not recognised: 1" in text
    assert f"{overall['auc']:.3f}" in text
    assert f"JSON report written to {out_json}" in text
    html = out_html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html and html.count("<svg") >= 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["age >= 40"], lambda sex, age: age >= 40),  # numeric
        (["age>=40", "sex == жен"], lambda sex, age: (age >= 40) & (sex == "жен")),  # ANDed, no spaces
        (["age < 9"], lambda sex, age: age < 9),  # 9 < 18 as numbers (as text "18" < "9")
        (["sex != 'муж'"], lambda sex, age: sex != "муж"),  # quoted value
        (["age == 40,0"], lambda sex, age: age == 40),  # decimal comma in the value
    ],
)
def test_filters(outcomes, tmp_path: Path, filters: list[str], expected) -> None:
    path, y, p, sex, age = outcomes
    out_json = tmp_path / "f.json"
    args = [str(path), "--score", "p", "--outcome", "reoffended", "--json", str(out_json)]
    for f in filters:
        args += ["--filter", f]
    keep = expected(sex, age)
    if keep.sum() == 0:
        with pytest.raises(CommandError, match="No rows left to validate"):
            _run(*args)
        return
    _run(*args)
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["overall"]["n"] == keep.sum()
    assert data["source"]["filters"] == [f.strip() for f in filters]
    # the filtered-out rows are counted, including the bad rows at the end that the filter removed
    assert data["rows"]["read"] == data["rows"]["used"] + sum(data["rows"]["excluded"].values())
    assert data["overall"]["auc"] == pytest.approx(roc_auc_score(y[keep], p[keep]), abs=1e-12)


def test_filter_compares_as_text_when_either_side_is_not_a_number(tmp_path: Path) -> None:
    rows = [[0.1, 0, "B"], [0.2, 1, "a"], [0.3, 0, "10"], [0.4, 1, "9"], [0.8, 1, "C"], [0.6, 0, "b"]]
    path = _write(tmp_path / "t.csv", ["s", "o", "code"], rows, sep=",", bom=False)
    out_json = tmp_path / "t.json"
    _run(str(path), "--score", "s", "--outcome", "o", "--filter", "code < b", "--json", str(out_json))
    data = json.loads(out_json.read_text(encoding="utf-8"))
    # as text: "10", "9", "B", "C", "a" sort before "b"
    assert data["overall"]["n"] == 5 and data["rows"]["excluded"]["filtered"] == 1
    _run(str(path), "--score", "s", "--outcome", "o", "--filter", "code > 9,5", "--json", str(out_json))
    data = json.loads(out_json.read_text(encoding="utf-8"))
    # "10" is a number above 9.5; the letters compare as text with "9,5" and all sort after it
    assert data["overall"]["n"] == 5


def test_every_outcome_spelling_is_accepted(tmp_path: Path) -> None:
    yes = ["1", "true", "TRUE", " yes ", "Y", "да", "Да", "иә", "ИӘ"]
    no = ["0", "false", "False", "no", "n", "нет", "НЕТ", "жоқ", "Жоқ"]
    rows = [[f"0,{i + 1}", v] for i, v in enumerate(yes)] + [[f"0.{i + 1}", v] for i, v in enumerate(no)]
    path = _write(tmp_path / "o.csv", ["score", "outcome"], rows, sep="\t")
    out_json = tmp_path / "o.json"
    _run(str(path), "--score", "score", "--outcome", "outcome", "--json", str(out_json))
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert (data["overall"]["positives"], data["overall"]["negatives"]) == (9, 9)
    assert sum(data["rows"]["excluded"].values()) == 0
    assert data["overall"]["auc"] == 0.5  # the same scores on both sides


def test_scores_outside_zero_one_report_roc_and_thresholds_only(tmp_path: Path) -> None:
    rows = [[s, int(s >= 5 or s == 2)] for s in range(11)] * 3
    path = _write(tmp_path / "points.csv", ["points", "reoffended"], rows, sep=",")
    out_json = tmp_path / "p.json"
    text = _run(str(path), "--score", "points", "--outcome", "reoffended", "--threshold", "5", "--json", str(out_json))
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert (
        data["probabilities"] is False and data["overall"]["calibration"] is None and data["overall"]["brier"] is None
    )
    assert data["notes"][0]["code"] == "not_probabilities"
    assert "not probabilities" in text and "Calibration by decile:" not in text
    assert data["overall"]["thresholds"][0]["tp"] == 18


def test_unknown_columns_are_named_with_the_file_columns(outcomes) -> None:
    path = outcomes[0]
    with pytest.raises(CommandError) as excinfo:
        _run(str(path), "--score", "risk", "--outcome", "reoffended", "--language", "en")
    message = str(excinfo.value)
    assert "“risk”" in message and "“id”, “p”, “reoffended”, “sex”, “age”" in message
    with pytest.raises(CommandError, match="“region”"):
        _run(str(path), "--score", "p", "--outcome", "reoffended", "--filter", "region == A", "--language", "en")
    with pytest.raises(CommandError, match="“gender”"):
        _run(str(path), "--score", "p", "--outcome", "reoffended", "--group", "gender", "--language", "en")


@pytest.mark.parametrize("bad", ["age = 40", "age", "== 40", "age => 40", "__import__('os') "])
def test_bad_filters_are_refused(outcomes, bad: str) -> None:
    with pytest.raises(CommandError, match="is not COLUMN OP VALUE"):
        _run(str(outcomes[0]), "--score", "p", "--outcome", "reoffended", "--filter", bad, "--language", "en")


def test_bad_threshold_missing_file_and_unreadable_files(outcomes, tmp_path: Path) -> None:
    path = outcomes[0]
    with pytest.raises(CommandError, match="threshold “high” is not a number"):
        _run(str(path), "--score", "p", "--outcome", "reoffended", "--threshold", "high", "--language", "en")
    with pytest.raises(CommandError, match="does not exist"):
        _run(str(tmp_path / "missing.csv"), "--score", "p", "--outcome", "o", "--language", "en")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("score;outcome\n0,5;oui\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="is not valid utf-8 text"):
        _run(str(latin), "--score", "score", "--outcome", "outcome", "--language", "en", "--encoding", "utf-8")
    # A row with more cells than the header is left out and counted, never shifted.
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("score;outcome\n0,5;1\n0,6;0;extra;more\n0,7;0\n0,2;1\n", encoding="utf-8")
    out_json = tmp_path / "ragged.json"
    _run(str(ragged), "--score", "score", "--outcome", "outcome", "--language", "en", "--json", str(out_json))
    rows = json.loads(out_json.read_text(encoding="utf-8"))["rows"]
    assert rows["read"] == 4 and rows["used"] == 3 and rows["excluded"]["row_unreadable"] == 1
    with pytest.raises(CommandError, match="Cannot write"):
        _run(str(path), "--score", "p", "--outcome", "reoffended", "--json", str(tmp_path / "no" / "dir.json"))


def test_short_rows_have_empty_cells_counted_as_such(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("id;score;outcome\n1;0,5;1\n2;0,6\n3;0,2;0\n4\n", encoding="utf-8")
    out_json = tmp_path / "short.json"
    _run(str(path), "--score", "score", "--outcome", "outcome", "--json", str(out_json))
    rows = json.loads(out_json.read_text(encoding="utf-8"))["rows"]
    assert rows["read"] == 4 and rows["used"] == 2
    assert rows["excluded"]["outcome_empty"] == 1 and rows["excluded"]["score_empty"] == 1


def test_no_usable_rows_is_an_error_naming_the_reasons(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", ["score", "outcome"], [["", "1"], ["x", "0"], ["0,5", "?"]])
    with pytest.raises(CommandError) as excinfo:
        _run(str(path), "--score", "score", "--outcome", "outcome", "--language", "en")
    message = str(excinfo.value)
    assert "No rows left to validate" in message and "(3 read)" in message
    assert "Score empty: 1" in message and "Score not a number: 1" in message and "Outcome not recognised: 1" in message


def test_one_outcome_group_gets_counts_and_an_explanation(tmp_path: Path) -> None:
    rows = [[0.9, 1, "A"], [0.2, 0, "A"], [0.7, 1, "A"], [0.4, 0, "A"], [0.6, 1, "B"], [0.8, 1, "B"]]
    path = _write(tmp_path / "g.csv", ["s", "o", "office"], rows)
    text = _run(str(path), "--score", "s", "--outcome", "o", "--group", "office", "--threshold", "0.5")
    assert "B: Only one outcome among these rows (2 reoffended, 0 did not)" in text
    line = next(line for line in text.splitlines() if line.startswith("B "))
    assert line.split()[:4] == ["B", "2", "2", "0"] and "—" in line


def test_cli_answers_to_the_hyphenated_name(outcomes, monkeypatch, capsys) -> None:
    from openprobation import cli

    path = outcomes[0]
    argv = ["openprobation", "validate-instrument", str(path), "--score", "p", "--outcome", "reoffended"]
    monkeypatch.setattr(sys, "argv", argv)
    cli.main()
    out = capsys.readouterr().out
    assert "Rows used: 600" in out and "AUC" in out
