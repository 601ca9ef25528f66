"""Legal rules of cases, read from the rulebook: pre-trial eligibility (LoP ch. 3), term bounds
(CC art. 44(1), 63(3)), forced labour (CC art. 44(1)) and registration deadlines (PEC art. 163)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.utils import translation

from openprobation.cases import legal
from openprobation.cases.models import Case
from openprobation.cases.services import CaseInput, case_open
from openprobation.core.exceptions import DomainError
from openprobation.people.models import FamilyMember, Person, Relation
from openprobation.testing.factories import PersonFactory

D = dt.date
ON = D(2026, 1, 15)
CONSENT = D(2026, 1, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def person(*, born: D, sex: str = "M", child_born: D | None = None, **extra) -> Person:
    p = cast(Person, PersonFactory(birth_date=born, sex=sex, **extra))
    if child_born is not None:
        FamilyMember.objects.create(person=p, relation=Relation.CHILD, full_name="Бала", birth_date=child_born)
    return p


def eligibility(p: Person, *, measure: str = "none", consent: D | None = CONSENT) -> legal.Decision:
    return legal.pretrial_eligibility(person=p, restraint_measure=measure, consent_date=consent, on=ON)


def categories(decision: legal.Decision) -> list[str]:
    return [r["category"] for r in decision.reasons if r["code"] == "category"]


# --- Pre-trial eligibility ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"born": D(2009, 1, 16)}, "minor"),  # 17 on the day
        ({"born": D(1990, 1, 1), "disability_group": 1}, "disability"),
        ({"born": D(1990, 1, 1), "disability_group": 3}, "disability"),
        ({"born": D(1968, 1, 15), "sex": "F"}, "woman_elderly"),  # 58 that day
        ({"born": D(1995, 1, 1), "sex": "F", "pregnant": True}, "pregnant"),
        ({"born": D(1995, 1, 1), "sex": "F", "child_born": D(2023, 1, 16)}, "woman_child_under_age"),  # child 2
        ({"born": D(1963, 1, 15)}, "man_elderly"),  # 63 that day
        (
            {"born": D(1990, 1, 1), "raises_children_alone": True, "child_born": D(2025, 6, 1)},
            "man_alone_child_under_age",
        ),
    ],
)
def test_each_eligible_category_makes_a_consenting_suspect_eligible(case, expected):
    decision = eligibility(person(**case))
    assert decision.eligible
    assert categories(decision) == [expected]
    assert decision.rule_key == "pretrial.eligibility"
    assert decision.rule_version == 1
    assert decision.source.startswith("LoP ch. 3")


@pytest.mark.parametrize(
    "case",
    [
        {"born": D(1990, 1, 1)},  # adult man
        {"born": D(1990, 1, 1), "sex": "F"},  # adult woman
        {"born": D(2008, 1, 15)},  # turned 18 that day
        {"born": D(1968, 1, 16), "sex": "F"},  # 57, turns 58 the next day
        {"born": D(1963, 1, 16)},  # 62
        {"born": D(1990, 1, 1), "sex": "F", "child_born": D(2023, 1, 15)},  # child turned 3 that day
        {"born": D(1990, 1, 1), "child_born": D(2025, 6, 1)},  # father with a baby, not raising alone
        {"born": D(1990, 1, 1), "raises_children_alone": True, "child_born": D(2015, 6, 1)},  # child 10
    ],
)
def test_adults_outside_the_categories_are_not_eligible(case):
    decision = eligibility(person(**case))
    assert not decision.eligible
    assert categories(decision) == []
    assert decision.reasons[0]["code"] == "no_category"


def test_the_elderly_age_depends_on_sex():
    assert not eligibility(person(born=D(1967, 1, 1))).eligible  # a man of 59
    assert eligibility(person(born=D(1967, 1, 1), sex="F")).eligible  # a woman of 59
    assert eligibility(person(born=D(1940, 1, 1))).eligible  # a man of 86


@pytest.mark.parametrize("measure", ["house_arrest", "detention"])
def test_house_arrest_and_detention_exclude_pre_trial_probation_even_for_a_minor(measure):
    decision = eligibility(person(born=D(2010, 5, 5)), measure=measure)
    assert not decision.eligible
    codes = [r["code"] for r in decision.reasons]
    assert "category" in codes
    assert {"code": "excluded_measure", "measure": measure} in decision.reasons


@pytest.mark.parametrize("measure", ["none", "undertaking", "personal_surety", "bail", "other"])
def test_milder_restraint_measures_do_not_exclude(measure):
    assert eligibility(person(born=D(2010, 5, 5)), measure=measure).eligible


def test_missing_consent_makes_an_eligible_category_ineligible():
    decision = eligibility(person(born=D(2010, 5, 5)), consent=None)
    assert not decision.eligible
    assert {"code": "no_consent"} in decision.reasons


def test_explain_turns_an_eligible_decision_into_sentences():
    decision = eligibility(person(born=D(2010, 5, 5)), consent=D(2026, 1, 10))
    assert legal.explain(decision.as_json()) == [
        "Belongs to an eligible category: a minor (under 18).",
        "Consent recorded on 10.01.2026.",
    ]


def test_explain_names_the_disability_group_and_the_excluding_measure():
    decision = eligibility(person(born=D(1980, 1, 1), disability_group=2), measure="house_arrest", consent=None)
    lines = legal.explain(decision.as_json())
    assert lines == [
        "Belongs to an eligible category: a person with a disability (group 2).",
        "The restraint measure is house arrest: pre-trial probation does not apply.",
        "The person's consent is not recorded; pre-trial probation is voluntary.",
    ]


def test_explain_lists_every_category_with_its_ages_when_none_matches():
    lines = legal.explain(eligibility(person(born=D(1990, 1, 1))).as_json())
    assert lines[0].startswith("Belongs to none of the eligible categories (a minor (under 18);")
    for text in ("a woman aged 58 or over", "a man aged 63 or over", "a man raising a child under 3 alone"):
        assert text in lines[0]


def test_explain_of_an_empty_decision_is_empty():
    assert legal.explain({}) == []


def test_ineligible_pre_trial_case_is_refused_with_the_explanation_and_nothing_is_saved(personas):
    from openprobation.audit.models import AuditEvent

    p = person(born=D(1990, 1, 1), registered_office=personas["office_a"])
    with pytest.raises(DomainError) as err:
        case_open(
            actor=personas["officer"],
            person=p,
            office=personas["office_a"],
            data=CaseInput(case_type="pre_trial", received_on=D(2026, 1, 15), consent_date=D(2026, 1, 12)),
        )
    assert err.value.code == "not_eligible"
    assert "Belongs to none of the eligible categories" in str(err.value)
    assert not Case.objects.exists()
    assert not AuditEvent.objects.exists()


def test_eligible_pre_trial_case_stores_its_decision(personas):
    p = person(born=D(2010, 5, 5), registered_office=personas["office_a"])
    case = case_open(
        actor=personas["officer"],
        person=p,
        office=personas["office_a"],
        data=CaseInput(
            case_type="pre_trial", received_on=D(2026, 1, 15), consent_date=D(2026, 1, 12), restraint_measure="bail"
        ),
    )
    assert case.eligibility["eligible"] is True
    assert case.consent_given
    assert case.restraint_measure == "bail"
    assert case.sentence_kind == ""


# --- Terms and the control period -----------------------------------------------------------------


def control(p: Person | None = None, **kw: Any) -> legal.ControlPeriod | None:
    args: dict[str, Any] = {
        "person": p or person(born=D(1990, 1, 1)),
        "sentence_kind": "restriction_of_liberty",
        "decision_date": D(2024, 3, 1),
        "effective_date": D(2024, 3, 15),
        "term_months": 12,
        "term_days": 0,
        "control_months": None,
    }
    args.update(kw)
    return legal.control_period(**args)


def period(p: Person | None = None, **kw: Any) -> legal.ControlPeriod:
    found = control(p, **kw)
    assert found is not None
    return found


def refused(**kw) -> DomainError:
    with pytest.raises(DomainError) as err:
        period(**kw)
    return err.value


def test_restriction_of_liberty_of_four_months_is_rejected_citing_cc_44_1():
    err = refused(term_months=4)
    assert err.code == "term_out_of_bounds"
    assert err.field == "term_months"
    assert "CC art. 44(1)" in str(err)
    assert "from 6 months to 84 months" in str(err)


def test_restriction_of_liberty_of_six_months_is_allowed_for_a_2024_sentence():
    cp = period(term_months=6)
    assert (cp.start, cp.end, cp.months) == (D(2024, 3, 15), D(2024, 9, 14), 6)
    assert cp.source == "CC art. 44(1)"


def test_restriction_of_liberty_of_six_months_is_rejected_for_a_2019_sentence():
    err = refused(term_months=6, decision_date=D(2019, 6, 3), effective_date=D(2019, 6, 20))
    assert "from 12 months to 84 months" in str(err)
    assert "03.06.2019" in str(err)
    assert period(term_months=12, decision_date=D(2019, 6, 3), effective_date=D(2019, 6, 20)).months == 12


def test_the_bound_follows_the_sentence_date_not_the_date_of_legal_effect():
    # passed on the last day of the old wording, in force after the amendment: still 1 year minimum
    assert refused(term_months=6, decision_date=D(2020, 1, 9), effective_date=D(2020, 1, 25))
    assert period(term_months=6, decision_date=D(2020, 1, 10), effective_date=D(2020, 1, 25))


def test_seven_years_is_allowed_and_seven_years_and_a_day_is_not():
    cp = period(term_months=84)
    assert cp.end == D(2031, 3, 14)
    assert refused(term_months=84, term_days=1).code == "term_out_of_bounds"
    assert refused(term_months=85).code == "term_out_of_bounds"


def test_five_months_and_some_days_is_below_the_minimum():
    assert refused(term_months=5, term_days=30).code == "term_out_of_bounds"


def test_control_period_runs_from_legal_effect_or_else_from_the_decision():
    assert period(term_months=6, term_days=10).end == D(2024, 9, 24)
    assert period(term_months=6, effective_date=None).start == D(2024, 3, 1)
    assert period(term_months=6, effective_date=None).end == D(2024, 8, 31)


def test_control_period_end_handles_month_ends_and_leap_days():
    cp = period(term_months=12, decision_date=D(2023, 2, 1), effective_date=D(2023, 2, 28))
    assert cp.end == D(2024, 2, 27)
    cp = period(term_months=6, decision_date=D(2024, 8, 1), effective_date=D(2024, 8, 31))
    assert cp.end == D(2025, 2, 27)


def test_legal_effect_before_the_decision_is_refused():
    assert refused(effective_date=D(2024, 2, 1)).field == "effective_date"


def test_missing_term_is_refused():
    assert refused(term_months=None).field == "term_months"
    assert refused(sentence_kind="conditional", term_months=0).field == "term_months"


def test_more_than_31_extra_days_is_refused():
    assert refused(term_months=12, term_days=32).field == "term_days"


def test_conditional_sentence_of_an_adult_is_controlled_for_the_whole_term():
    cp = period(sentence_kind="conditional", term_months=36, term_days=15)
    assert (cp.months, cp.days) == (36, 15)
    assert cp.end == D(2027, 3, 29)
    assert cp.source == "CC art. 63(3)"
    assert period(sentence_kind="conditional", term_months=36, control_months=36).months == 36


def test_adult_conditional_sentence_with_a_different_control_period_is_refused():
    assert refused(sentence_kind="conditional", term_months=36, control_months=12).field == "control_months"


@pytest.mark.parametrize("months", [6, 9, 12])
def test_minor_conditional_control_period_of_six_to_twelve_months_is_allowed(months):
    minor = person(born=D(2008, 1, 1))
    cp = period(minor, sentence_kind="conditional", term_months=24, control_months=months)
    assert cp.months == months
    assert cp.start == D(2024, 3, 15)


@pytest.mark.parametrize("months", [5, 13])
def test_minor_conditional_control_period_outside_six_to_twelve_months_is_refused(months):
    minor = person(born=D(2008, 1, 1))
    err = refused(p=minor, sentence_kind="conditional", term_months=24, control_months=months)
    assert err.code == "term_out_of_bounds"
    assert "CC art. 63(3)" in str(err)
    assert str(months) in str(err)


def test_minor_conditional_without_a_control_period_is_refused():
    minor = person(born=D(2008, 1, 1))
    err = refused(p=minor, sentence_kind="conditional", term_months=24, control_months=None)
    assert err.field == "control_months"
    assert "6 to 12 months" in str(err)


def test_minor_is_judged_by_age_on_the_decision_date():
    # 18 on the decision date: an adult, the whole term applies
    adult = person(born=D(2006, 3, 1))
    assert period(adult, sentence_kind="conditional", term_months=24).months == 24


def test_other_kinds_use_the_court_term_and_imprisonment_has_no_control_period():
    assert period(sentence_kind="correctional_labour", term_months=10).months == 10
    assert control(sentence_kind="imprisonment", term_months=10) is None


# --- Parole: the unserved part of the term, from the day of release (CC art. 72) -----------------


def test_parole_control_runs_for_the_unserved_part_from_the_release_date():
    cp = period(sentence_kind="parole", term_months=10, term_days=5, release_date=D(2024, 4, 2))
    assert (cp.start, cp.months, cp.days) == (D(2024, 4, 2), 10, 5)
    assert cp.end == D(2025, 2, 6)


def test_parole_starts_on_release_not_on_the_date_of_legal_effect():
    # the ruling took effect on 15 March; the person walked out on 2 April
    cp = period(sentence_kind="parole", term_months=1, release_date=D(2024, 4, 2))
    assert cp.start == D(2024, 4, 2)
    assert cp.end == D(2024, 5, 1)


def test_parole_without_a_release_date_is_refused_naming_the_field():
    err = refused(sentence_kind="parole", term_months=10)
    assert err.field == "release_date"


# --- Restriction of liberty imposed to replace another punishment (CC art. 44(1)) ---------------


def test_a_replacement_restriction_of_liberty_may_be_shorter_than_six_months():
    cp = period(term_months=4, replaces_punishment=True)
    assert (cp.months, cp.end) == (4, D(2024, 7, 14))
    assert refused(term_months=4).code == "term_out_of_bounds"  # not a replacement: the minimum holds


def test_a_replacement_is_still_bounded_by_the_maximum():
    assert refused(term_months=85, replaces_punishment=True).code == "term_out_of_bounds"


# --- Minors: age at the time of the offence (CC art. 63(3)) ---------------------------------------


def test_a_person_who_offended_at_17_and_was_sentenced_at_18_gets_the_minors_period():
    turned_18 = person(born=D(2006, 1, 10))  # 18 on 10 January 2024, sentenced 1 March 2024
    assert period(turned_18, sentence_kind="conditional", term_months=24).months == 24  # no offence date: adult
    cp = period(turned_18, sentence_kind="conditional", term_months=24, control_months=8, offence_date=D(2024, 1, 9))
    assert cp.months == 8
    err = refused(p=turned_18, sentence_kind="conditional", term_months=24, offence_date=D(2024, 1, 9))
    assert err.field == "control_months"


def test_an_offence_on_the_18th_birthday_is_an_adults():
    turned_18 = person(born=D(2006, 1, 10))
    cp = period(turned_18, sentence_kind="conditional", term_months=24, offence_date=D(2024, 1, 10))
    assert cp.months == 24


def test_an_offence_date_after_the_decision_or_before_birth_is_refused():
    assert refused(offence_date=D(2024, 3, 2)).field == "offence_date"
    assert refused(offence_date=D(1989, 12, 31)).field == "offence_date"


# --- Community service is imposed in hours and has no control period ------------------------------


def test_community_service_needs_hours_and_has_no_control_period():
    assert control(sentence_kind="community_service", term_months=None, term_hours=120) is None
    assert refused(sentence_kind="community_service", term_months=6).field == "term_hours"


# --- Forced labour --------------------------------------------------------------------------------


def labour(p: Person, replaced_months: int | None = None) -> legal.ForcedLabour:
    return legal.forced_labour(person=p, on=ON, replaced_months=replaced_months)


def test_forced_labour_applies_to_an_unemployed_adult_100_hours_a_year_at_most_4_a_day():
    fl = labour(person(born=D(1990, 1, 1), employment_status="unemployed"))
    assert fl.applies
    assert fl.judged_on == ON
    assert (fl.hours_per_year, fl.max_hours_per_day) == (100, 4)
    assert fl.exemptions == []
    assert fl.source == "CC art. 44(1)"


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ({"born": D(1990, 1, 1), "employment_status": "employed"}, "in permanent work or education"),
        ({"born": D(1990, 1, 1), "employment_status": "self_employed"}, "in permanent work or education"),
        ({"born": D(1990, 1, 1), "in_education": True}, "in permanent work or education"),
        # "In education" as the employment status counts, without the separate flag
        ({"born": D(1990, 1, 1), "employment_status": "student"}, "in permanent work or education"),
        ({"born": D(2009, 6, 1)}, "a minor"),
        ({"born": D(1995, 1, 1), "sex": "F", "pregnant": True}, "a pregnant woman"),
        ({"born": D(1995, 1, 1), "sex": "F", "child_born": D(2024, 1, 1)}, "a woman with a child under 3"),
        (
            {"born": D(1990, 1, 1), "raises_children_alone": True, "child_born": D(2024, 1, 1)},
            "a man raising a child under 3 alone",
        ),
        ({"born": D(1967, 1, 1), "sex": "F"}, "a woman aged 58 or over"),
        ({"born": D(1962, 1, 1)}, "a man aged 63 or over"),
        ({"born": D(1990, 1, 1), "disability_group": 1}, "disability group I or II"),
        ({"born": D(1990, 1, 1), "disability_group": 2}, "disability group I or II"),
    ],
)
def test_each_exemption_from_forced_labour(case, text):
    fl = labour(person(employment_status=case.pop("employment_status", "unemployed"), **case))
    assert not fl.applies
    assert fl.exemptions == [text]


def test_disability_group_three_does_not_exempt_from_forced_labour():
    assert labour(person(born=D(1990, 1, 1), employment_status="unemployed", disability_group=3)).applies


def test_punishment_replaced_for_under_six_months_exempts_and_six_months_does_not():
    p = person(born=D(1990, 1, 1), employment_status="unemployed")
    fl = labour(p, replaced_months=5)
    assert not fl.applies
    assert fl.exemptions == ["punishment replaced by restriction of liberty for under 6 months"]
    assert labour(p, replaced_months=6).applies


def test_several_exemptions_are_all_listed():
    fl = labour(person(born=D(1960, 1, 1), sex="F", disability_group=2, employment_status="pensioner"))
    assert fl.exemptions == ["a woman aged 58 or over", "disability group I or II"]


# --- Registration deadlines -----------------------------------------------------------------------


def test_deferral_registration_is_due_three_working_days_after_appearance_over_nauryz():
    deadline = legal.registration_deadline(
        sentence_kind="deferral", received_on=D(2026, 3, 16), release_date=D(2026, 3, 16), appeared_on=D(2026, 3, 19)
    )
    assert deadline.due == D(2026, 3, 27)
    # released 16 March: the day of release is not counted, the two weeks end on 30 March
    assert deadline.appear_by == D(2026, 3, 30)
    assert deadline.search_from == D(2026, 3, 31)
    assert (deadline.rule_key, deadline.rule_version) == ("registration.deferral_release", 1)
    assert "PEC art. 163" in deadline.source


def test_deferral_before_appearance_has_only_the_search_date_fourteen_days_after_release():
    deadline = legal.registration_deadline(
        sentence_kind="deferral", received_on=D(2026, 1, 5), release_date=D(2026, 1, 5), appeared_on=None
    )
    assert deadline.due is None
    assert deadline.appear_by == D(2026, 1, 19)
    assert deadline.search_from == D(2026, 1, 20)


def test_two_weeks_ending_on_a_day_off_end_on_the_next_working_day():
    # released Friday 27 February 2026: the 14th day is Friday 13 March (a working day) ...
    assert legal.registration_deadline(
        sentence_kind="deferral", received_on=D(2026, 2, 27), release_date=D(2026, 2, 27), appeared_on=None
    ).appear_by == D(2026, 3, 13)
    # ... released Saturday 28 February: the 14th day is Saturday 14 March, so Monday 16 March
    deadline = legal.registration_deadline(
        sentence_kind="deferral", received_on=D(2026, 2, 28), release_date=D(2026, 2, 28), appeared_on=None
    )
    assert deadline.appear_by == D(2026, 3, 16)
    assert deadline.search_from == D(2026, 3, 17)


def test_deferral_over_new_year_skips_the_holidays():
    deadline = legal.registration_deadline(
        sentence_kind="deferral", received_on=D(2025, 12, 30), release_date=D(2025, 12, 30), appeared_on=D(2025, 12, 31)
    )
    # 1-2 January 2026 are New Year, 3-4 the weekend, 7 January Orthodox Christmas: 5, 6 and 8 count
    assert deadline.due == D(2026, 1, 8)


@pytest.mark.parametrize("kind", ["conditional", "restriction_of_liberty", "parole", ""])
def test_other_registrations_are_due_ten_days_after_receipt(kind):
    deadline = legal.registration_deadline(
        sentence_kind=kind, received_on=D(2026, 1, 15), release_date=None, appeared_on=None
    )
    assert deadline.due == D(2026, 1, 25)
    assert deadline.search_from is None
    assert (deadline.rule_key, deadline.rule_version) == ("registration.other", 1)


def test_deferral_without_a_release_date_falls_back_to_the_office_deadline():
    deadline = legal.registration_deadline(
        sentence_kind="deferral", received_on=D(2026, 1, 15), release_date=None, appeared_on=None
    )
    assert deadline.due == D(2026, 1, 25)
