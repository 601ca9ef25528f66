"""Scoring is a pure function of the answers: every term, the bands, the levels and the
breakdown, checked against the published formula computed by hand."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openprobation.assessments.instrument import InvalidInstrument, definition_errors, parse_definition
from openprobation.assessments.scoring import AnswersInvalid, clean_answers, score_answers, score_batch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "instruments.json"


def _definition(key: str) -> dict[str, Any]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return next(i["definition"] for i in data["instruments"] if i["key"] == key)


STATIC = parse_definition(_definition("static_risk"))
NEEDS = parse_definition(_definition("needs"))

AGE_M = {
    10: 0.0,
    12: 0.08392,
    14: 0.07578,
    16: -0.0616,
    18: -0.6251,
    21: -1.0515,
    25: -1.1667,
    30: -1.326,
    35: -1.368,
    40: -1.4997,
    50: -2.0253,
}
AGE_F = {
    10: 0.785,
    12: 0.61385,
    14: 0.66952,
    16: -0.9592,
    18: -0.8975,
    21: -1.0285,
    25: -1.0528,
    30: -1.1291,
    35: -1.4219,
    40: -1.5247,
    50: -2.4498,
}


def _ogrs3(age: int, sex: str, first: int, previous: int, offence_weight: float) -> float:
    """OGRS3's two-year probability, written out from the published formula."""
    table = AGE_M if sex == "M" else AGE_F
    age_term = table[max(k for k in table if k <= age)]
    status = 0.46306 if previous > 0 else 0.12614
    copas = 1.25112 * math.log((previous + 1) / (10 + age - first))
    x = 2.1217 + age_term + status + copas + offence_weight
    return math.exp(x) / (1 + math.exp(x))


def _answers(**over: Any) -> dict[str, Any]:
    base = {
        "age": 30,
        "sex": "M",
        "age_first_conviction": 20,
        "previous_convictions": 2,
        "juvenile_record": "no",
        "offence": "theft",
        "sentence_kind": "conditional",
    }
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("age", "sex", "first", "previous", "offence", "weight"),
    [
        (30, "M", 20, 2, "theft", 0.6612),
        (19, "F", 19, 0, "violence", 0.0),
        (55, "M", 18, 12, "absconding", 0.7334),
        (16, "F", 14, 1, "drug_production", -0.7956),
        (42, "M", 42, 0, "sexual_child", -0.6534),
    ],
)
def test_the_static_score_is_ogrs3(age: int, sex: str, first: int, previous: int, offence: str, weight: float) -> None:  # noqa: PLR0917
    result = score_answers(
        STATIC, _answers(age=age, sex=sex, age_first_conviction=first, previous_convictions=previous, offence=offence)
    )
    assert result.probability == pytest.approx(_ogrs3(age, sex, first, previous, weight), abs=1e-12)
    # The breakdown adds up: intercept + every term = the logit of the probability.
    assert result.probability is not None
    logit = math.log(result.probability / (1 - result.probability))
    assert STATIC.intercept + sum(c.value for c in result.contributions) == pytest.approx(logit)
    assert [c.term for c in result.contributions] == [
        "age_sex",
        "repeat",
        "conviction_rate",
        "offence",
        "juvenile",
        "sentence",
    ]


def test_every_age_band_of_both_sexes() -> None:
    for sex, table in (("M", AGE_M), ("F", AGE_F)):
        for start, coef in table.items():
            for age in (start, start + 1):
                if age < 14:
                    continue
                result = score_answers(STATIC, _answers(age=age, sex=sex, age_first_conviction=14))
                assert result.contributions[0].value == pytest.approx(coef), (sex, age)


def test_every_offence_category_has_its_weight() -> None:
    terms = {t.code: t for t in STATIC.terms}
    for code in STATIC.item("offence").option_codes:
        result = score_answers(STATIC, _answers(offence=code))
        assert result.contributions[3].value == terms["offence"].values[code]
        assert result.contributions[3].answer  # the label, shown to the officer


def test_levels_follow_the_probability_thresholds() -> None:
    spec = STATIC
    low = score_answers(
        spec, _answers(age=60, previous_convictions=0, age_first_conviction=60, offence="drug_production")
    )
    high = score_answers(spec, _answers(age=18, previous_convictions=8, age_first_conviction=14, offence="theft"))
    assert low.level == "low" and low.probability is not None and low.probability < 0.5
    assert high.level in ("high", "very_high") and high.probability is not None and high.probability >= 0.75
    # A probability exactly at a threshold belongs to the band it starts.
    batch_cols = {"age": np.array([30.0]), "sex": np.array(["M"], dtype=object)}
    assert batch_cols  # the threshold rule itself is checked on the needs points below
    at = score_answers(
        NEEDS,
        dict.fromkeys([d.code for d in NEEDS.domains][:5], "1")
        | dict.fromkeys([d.code for d in NEEDS.domains][5:], "0"),
    )
    assert at.score == 5 and at.level == "medium"
    below = score_answers(
        NEEDS,
        dict.fromkeys([d.code for d in NEEDS.domains][:4], "1")
        | dict.fromkeys([d.code for d in NEEDS.domains][4:], "0"),
    )
    assert below.score == 4 and below.level == "low"


def test_top_reasons_are_the_largest_positive_terms() -> None:
    result = score_answers(
        STATIC, _answers(age=17, sex="M", offence="absconding", previous_convictions=3, age_first_conviction=14)
    )
    top = result.top_reasons()
    assert top and all(a.value >= b.value for a, b in zip(top, top[1:], strict=False))
    assert all(c.value > 0 for c in top)
    assert top[0].term in {"conviction_rate", "offence", "repeat", "age_sex"}


def test_needs_rate_each_domain_and_order_priorities() -> None:
    answers = {d.code: "0" for d in NEEDS.domains}
    answers |= {"accommodation": "2", "documents": "1", "substance_use": "2", "language": "interpreter"}
    result = score_answers(NEEDS, clean_answers(NEEDS, answers))
    assert result.score == 5 and result.level == "medium" and result.probability is None
    ratings = {d.domain: (d.points, d.band) for d in result.domains}
    assert (
        ratings["accommodation"] == (2, "significant")
        and ratings["documents"] == (1, "some")
        and ratings["finances"] == (0, "none")
    )
    assert [d.domain for d in result.priority_needs()] == ["accommodation", "substance_use", "documents"]


def test_batch_and_single_scores_agree() -> None:
    rng = np.random.default_rng(7)
    n = 500
    first = rng.integers(14, 40, n)
    cols = {
        "age": (first + rng.integers(0, 30, n)).astype(float),
        "sex": rng.choice(["M", "F"], n).astype(object),
        "age_first_conviction": first.astype(float),
        "previous_convictions": rng.integers(0, 10, n).astype(float),
        "juvenile_record": rng.choice(["yes", "no"], n).astype(object),
        "offence": rng.choice(list(STATIC.item("offence").option_codes), n).astype(object),
        "sentence_kind": rng.choice(list(STATIC.item("sentence_kind").option_codes), n).astype(object),
    }
    batch = score_batch(STATIC, cols)
    assert batch.usable.all()
    for i in range(0, n, 37):
        row = {k: (v[i] if v.dtype == object else float(v[i])) for k, v in cols.items()}
        single = score_answers(STATIC, row)
        assert single.probability == pytest.approx(batch.score[i], abs=1e-12)
        assert single.level == STATIC.levels[batch.level[i]].code


def test_batch_rows_that_cannot_be_scored_say_why() -> None:
    cols = {
        "age": np.array([30.0, np.nan, 20.0, 12.0, 30.5, 30.0]),
        "sex": np.array(["M", "M", "M", "M", "M", "X"], dtype=object),
        "age_first_conviction": np.array([20.0, 20.0, 25.0, 12.0, 20.0, 20.0]),
        "previous_convictions": np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        "juvenile_record": np.array(["no"] * 6, dtype=object),
        "offence": np.array(["theft"] * 6, dtype=object),
        "sentence_kind": np.array(["conditional"] * 6, dtype=object),
    }
    batch = score_batch(STATIC, cols)
    assert batch.usable.tolist() == [True, False, False, False, False, False]
    assert batch.level.tolist()[1:] == [-1] * 5
    assert "age" in batch.reasons()[1]  # missing
    assert "less than" in batch.reasons()[2]  # first conviction after the age now
    assert "outside" in batch.reasons()[3]  # age 12 below 14
    assert "whole number" in batch.reasons()[4]
    assert "sex" in batch.reasons()[5]
    assert np.isnan(batch.score[1:]).all()


def test_clean_answers_refuses_bad_values_by_item() -> None:
    with pytest.raises(AnswersInvalid) as caught:
        clean_answers(
            STATIC,
            {"age": "abc", "sex": "Q", "previous_convictions": "2.5", "age_first_conviction": "1e400", "bogus": 1},
        )
    errors = caught.value.errors
    assert set(errors) >= {"age", "sex", "previous_convictions", "age_first_conviction", "offence", "bogus"}
    cleaned = clean_answers(STATIC, _answers(age="٣٠", previous_convictions=" 2 "))  # Arabic-Indic digits
    assert cleaned["age"] == 30 and cleaned["previous_convictions"] == 2


def test_definition_errors_name_the_path() -> None:
    broken = copy.deepcopy(_definition("static_risk"))
    broken["terms"][3]["values"].pop("theft")
    broken["levels"]["bands"][2]["from"] = 0.4
    broken["items"][0]["title"] = {"en": "Age"}
    errors = definition_errors(broken)
    assert any(e.startswith("definition.terms[3].values") for e in errors)
    assert any(e.startswith("definition.levels.bands") for e in errors)
    assert any(e.startswith("definition.items[0].title") for e in errors)
    with pytest.raises(InvalidInstrument):
        parse_definition(broken)
    assert definition_errors(_definition("needs")) == []
    assert definition_errors([]) != []
