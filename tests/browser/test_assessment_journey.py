"""Risk and needs assessment in the browser: a risk assessment from the case page in a few
interactions thanks to the case file, an override countersigned by the head (never by the one who
asked), a needs assessment on a phone in Kazakh and Russian, and a bad answer sent back to its field
with nothing saved. Every page reached is checked with axe-core."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.assessments import services
from openprobation.assessments.casepage import level_label
from openprobation.assessments.instruments import instruments_load
from openprobation.assessments.models import Assessment, CaseAssessmentState, LevelOverride, OverrideStatus
from openprobation.cases.models import Case, CaseStatus, CaseType, SentenceKind
from openprobation.core.timeutil import local_today
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, PersonFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
BORN = dt.date(1990, 5, 17)
# Set OP_SCREENSHOTS to a folder to keep a screenshot of every page checked.
SHOTS = os.environ.get("OP_SCREENSHOTS", "")


def _world() -> tuple[User, User, Case]:
    """An office with its head and an officer carrying a conditional sentence for theft (CC 188 ч.2)."""
    instruments_load()  # the shipped instruments (post_migrate loads them too; loading again is a no-op)
    office = cast(Office, OfficeFactory(code="NA1"))
    head = cast(User, UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    today = local_today()
    case = cast(
        Case,
        CaseFactory(
            person=PersonFactory(registered_office=office, birth_date=BORN, sex="M"),
            office=office,
            officer=officer,
            case_type=CaseType.SENTENCE,
            sentence_kind=SentenceKind.CONDITIONAL,
            status=CaseStatus.ACTIVE,
            cc_articles="188 ч.2",
            decision_date=today - dt.timedelta(days=60),
            effective_date=today - dt.timedelta(days=45),
            received_on=today - dt.timedelta(days=40),
            registered_on=today - dt.timedelta(days=35),
        ),
    )
    return head, officer, case


def _age(on: dt.date) -> int:
    return on.year - BORN.year - ((on.month, on.day) < (BORN.month, BORN.day))


class Hands:
    """The user's clicks and fills on a page, counted (navigation by address is not counted)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def click(self, selector: str, *, navigates: bool = False) -> None:
        self.count += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)

    def fill(self, selector: str, value: str) -> None:
        self.count += 1
        self.page.fill(selector, value)

    def choose(self, name: str, value: str) -> None:
        """Pick a radio button by its label (the USWDS input itself is drawn off screen)."""
        radio = self.page.locator(f"input[type=radio][name={name}][value='{value}']")
        self.click(f"label[for={radio.get_attribute('id')}]")
        assert radio.is_checked()

    def answer(self, name: str, value: str) -> None:
        """Give an item its answer, touching it only when the form does not already say so (what
        the case file filled in and is right costs the officer nothing)."""
        radios = self.page.locator(f"input[type=radio][name={name}]")
        if radios.count():
            if not self.page.locator(f"input[type=radio][name={name}][value='{value}']").is_checked():
                self.choose(name, value)
        elif self.page.input_value(f"[name={name}]") != value:
            if self.page.locator(f"select[name={name}]").count():
                self.count += 1
                self.page.select_option(f"select[name={name}]", value)
            else:
                self.fill(f"[name={name}]", value)


def _overflow(page: Any) -> str:
    """'' when neither the page nor a breakdown table scrolls sideways (a table too wide for a
    phone hides its last column, what each factor adds), else what does and by how much."""
    return str(
        page.evaluate(
            """() => {
              const out = [];
              const r = document.documentElement;
              if (r.scrollWidth > r.clientWidth) out.push('page ' + r.scrollWidth + '>' + r.clientWidth);
              for (const t of document.querySelectorAll('.op-breakdown')) {
                const w = t.parentElement;
                if (w.scrollWidth > w.clientWidth) out.push(t.id + ' ' + w.scrollWidth + '>' + w.clientWidth);
              }
              return out.join(', ');
            }"""
        )
    )


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _checked_at_both_widths(page: Any, name: str) -> None:
    """No sideways scroll and no serious axe-core violation at 1366 px and at 390 px; the page is
    left at the width it had."""
    before = page.viewport_size
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        _shot(page, f"{name}-{size['width']}")
        assert not _overflow(page), f"{page.url} scrolls sideways at {size['width']} px: {_overflow(page)}"
    page.set_viewport_size(DESKTOP)
    assert_accessible(page)  # 1366 px, then 390 px
    page.set_viewport_size(before)


def test_a_risk_assessment_from_the_case_page_in_a_few_interactions(new_page: Any) -> None:
    _head, officer, case = _world()
    # The officer's answers: the case file knows the person, the offence and the sentence; the
    # officer adds what it does not (convictions before the file was kept).
    answers = {
        "age": str(_age(local_today())),
        "sex": "M",
        "age_first_conviction": "16",
        "previous_convictions": "4",
        "juvenile_record": "yes",
        "offence": "theft",
        "sentence_kind": "conditional",
    }
    page = new_page()
    page.set_viewport_size(DESKTOP)
    login(page, officer.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    assert page.locator("#no-assessment").is_visible()
    hands = Hands(page)
    hands.click("#assess-risk", navigates=True)
    assert page.url.endswith(f"/cases/{case.pk}/assessments/risk/new/")
    # Pre-filled from the case file: article 188 is theft, the age from the birth date, the sentence.
    assert page.input_value("#id_offence") == "theft"  # eighteen categories: a list, not radios
    assert page.input_value("#id_age") == answers["age"]
    assert page.locator("input[name=sex][value=M]").is_checked()
    assert page.locator("input[name=sentence_kind][value=conditional]").is_checked()
    assert page.locator("#id_offence_helptext").is_visible()  # "Filled from the case file; check it."
    _checked_at_both_widths(page, "risk-form")
    for code, value in answers.items():
        hands.answer(code, value)
    hands.click("#assessment-submit", navigates=True)
    assessment = Assessment.objects.get(case=case, kind="risk")
    assert page.url.endswith(f"/cases/{case.pk}/assessments/{assessment.pk}/")
    assert {code: str(value) for code, value in assessment.answers.items()} == answers
    assert assessment.prefilled["previous_convictions"] == 0 and assessment.prefilled["offence"] == "theft"
    level = level_label(assessment.level)
    assert level in page.locator("#assessment-level").text_content()
    breakdown = page.locator("#detail-breakdown")
    assert breakdown.is_visible()
    assert breakdown.locator("tbody tr").count() == len(assessment.result["contributions"]) >= 5
    assert "Theft" in breakdown.text_content()
    _checked_at_both_widths(page, "risk-detail")
    # On a phone each answer is under its question, as wide as the list, not squeezed beside it.
    page.set_viewport_size(PHONE)
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.op-answers')]
                 .map(dl => [dl.querySelector('dd').offsetWidth, dl.clientWidth])"""
    )
    assert len(widths) == 3 and all(dd == dl for dd, dl in widths), widths
    page.set_viewport_size(DESKTOP)
    # Back to the case by the breadcrumb: the level and the main reasons (the factors adding most) are on it.
    hands.click(f".usa-breadcrumb a[href='/cases/{case.pk}/']", navigates=True)
    assert level in page.locator("#current-level").text_content()
    assert page.locator("#level-overridden").count() == 0
    top = sorted((c for c in assessment.result["contributions"] if c["value"] > 0), key=lambda c: -c["value"])[:3]
    reasons = page.locator("#top-reasons").text_content()
    assert top and all(c["label"]["en"] in reasons for c in top), (reasons, top)
    assert level in page.locator("#case-overview [data-fact=supervision_level]").text_content()
    _shot(page, "case-after-risk")
    # 6 interactions: open the form; correct three history items; save; back to the case. Were the
    # case file not to fill age, sex, offence and sentence, it would be 10.
    assert hands.count <= 6, hands.count


# A first offender's answers, recorded before the journey starts.
ASSESSED = {
    "age": 36,
    "sex": "M",
    "age_first_conviction": 36,
    "previous_convictions": 0,
    "juvenile_record": "no",
    "offence": "theft",
    "sentence_kind": "conditional",
}


def test_an_override_is_countersigned_by_the_head_and_never_by_the_one_who_asked(new_page: Any) -> None:
    head, officer, case = _world()
    assessment = services.assessment_record(actor=officer, case=case, kind="risk", answers=ASSESSED)
    wanted = "medium" if assessment.level != "medium" else "high"
    page = new_page()
    login(page, officer.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/assessments/{assessment.pk}/")
    hands = Hands(page)
    hands.click("#override-level", navigates=True)
    assert_accessible(page)
    # Without a reason: back on the form, the error next to the field, nothing asked.
    hands.choose("level", wanted)
    hands.click("#override-form button[type=submit]", navigates=True)
    assert page.locator("#id_reason_error").is_visible()
    assert not LevelOverride.objects.exists()
    assert page.locator(f"input[name=level][value={wanted}]").is_checked()  # the choice is kept
    hands.fill("#id_reason", "Threatened the victim after sentencing; the police report is in the file.")
    hands.click("#override-form button[type=submit]", navigates=True)
    override = LevelOverride.objects.get(assessment=assessment)
    assert override.status == OverrideStatus.PENDING and override.requested_by == officer
    assert page.url.endswith(f"/cases/{case.pk}/assessments/{assessment.pk}/")
    # Nothing applies before the countersignature: the case keeps the assessed level, and says it waits.
    page.goto(f"/cases/{case.pk}/")
    assert level_label(assessment.level) in page.locator("#current-level").text_content()
    assert page.locator("#pending-override").is_visible()
    # The officer cannot decide their own request: not in their queue, no page, and a post is refused.
    page.goto("/today/")
    assert page.locator("#queue-table tr[data-kind=countersign]").count() == 0
    decide = f"/cases/{case.pk}/assessments/overrides/{override.pk}/"
    response = page.goto(decide)
    assert response.status == 404 and page.locator("#decision-form").count() == 0
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(
        decide, form={"decision": "approve", "note": ""}, headers={"X-CSRFToken": token, "Referer": page.url}
    )
    assert posted.status == 404
    override.refresh_from_db()
    assert override.status == OverrideStatus.PENDING
    # The head finds it in Today, opens it and countersigns.
    head_page = new_page()
    login(head_page, head.username, TEST_PASSWORD)
    head_page.goto("/today/?kind=countersign")
    row = head_page.locator("#queue-table tr[data-kind=countersign]")
    assert row.count() == 1
    assert case.number in row.text_content() and "Threatened the victim" in row.text_content()
    _shot(head_page, "today-countersign")
    assert_accessible(head_page)
    head_hands = Hands(head_page)
    head_hands.click("#queue-table tr[data-kind=countersign] a.usa-button", navigates=True)
    assert head_page.url.split("?")[0].endswith(decide)
    summary = head_page.locator("#override-summary").text_content()
    assert level_label(wanted) in summary and "Threatened the victim" in summary
    _shot(head_page, "decide")
    assert_accessible(head_page)
    head_hands.choose("decision", "approve")
    head_hands.click("#decision-form button[type=submit]", navigates=True)
    override.refresh_from_db()
    assert override.status == OverrideStatus.COUNTERSIGNED and override.decided_by == head
    assert CaseAssessmentState.objects.get(case=case).level == wanted
    # The officer: 5 interactions (open the form, choose, save without a reason, give it, save);
    # the head: 3 (decide, countersign, record).
    # The case page shows the new level, marked as overridden, to both.
    for who in (head_page, page):
        who.goto(f"/cases/{case.pk}/")
        current = who.locator("#current-level").text_content()
        assert level_label(wanted) in current and "overridden" in current
        assert who.locator("#level-overridden").is_visible()
        assert who.locator("#pending-override").count() == 0
    assert "(overridden)" in page.locator("#case-overview [data-fact=supervision_level]").text_content()
    _shot(page, "case-overridden")
    assert_accessible(page)


# Each domain's rating (0 no need, 1 some, 2 significant); the three rated above 0 are the highest.
RATINGS = {
    "education_employment": "0",
    "accommodation": "2",
    "finances": "1",
    "relationships": "0",
    "associates": "0",
    "substance_use": "2",
    "attitudes": "0",
    "mental_health": "0",
    "documents": "0",
}
HIGHEST = {
    "kk": ["Баспана", "Алкоголь және есірткі", "Қаржы"],
    "ru": ["Жильё", "Алкоголь и наркотики", "Финансы"],
}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_needs_assessment_on_a_phone(new_page: Any, lang: str) -> None:
    _head, officer, case = _world()
    services.assessment_record(actor=officer, case=case, kind="risk", answers=ASSESSED)
    page = new_page(locale=lang)
    page.set_viewport_size(PHONE)
    login(page, officer.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    assert page.get_attribute("html", "lang") == lang
    hands = Hands(page)
    hands.click("#assess-needs", navigates=True)
    assert page.url.endswith(f"/cases/{case.pk}/assessments/needs/new/")
    _checked_at_both_widths(page, f"needs-form-{lang}")
    for domain, rating in RATINGS.items():
        hands.choose(domain, rating)
    assert not _overflow(page), _overflow(page)
    hands.click("#assessment-submit", navigates=True)
    needs = Assessment.objects.get(case=case, kind="needs")
    assert needs.answers == RATINGS
    assert page.url.endswith(f"/cases/{case.pk}/assessments/{needs.pk}/")
    assert page.locator("#domain-ratings li").count() == len(RATINGS)
    _checked_at_both_widths(page, f"needs-detail-{lang}")
    page.goto(f"/cases/{case.pk}/")
    shown = [t.strip() for t in page.locator("#needs-list li").all_text_contents()]
    assert [s.split(":")[0] for s in shown] == HIGHEST[lang], shown
    _shot(page, f"case-needs-{lang}")
    assert not _overflow(page), _overflow(page)
    # The case's assessments: the risk breakdown in the reader's language fits the phone too.
    page.goto(f"/cases/{case.pk}/assessments/")
    assert page.locator("#risk-breakdown").is_visible() and page.locator("#needs-list li").count() == 3
    _shot(page, f"case-assessments-{lang}")
    assert not _overflow(page), _overflow(page)
    # 11 interactions: open the form, nine ratings (nothing to pre-fill), save.


def test_a_bad_answer_comes_back_next_to_its_field_and_nothing_is_saved(new_page: Any) -> None:
    _head, officer, case = _world()
    page = new_page()
    login(page, officer.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/assessments/risk/new/")
    for typed, message in (("abc", "whole number"), ("7", "greater than or equal to 14")):
        page.fill("#id_age", typed)
        page.fill("#id_previous_convictions", "3")
        with page.expect_navigation():
            page.click("#assessment-submit")
        assert page.url.endswith(f"/cases/{case.pk}/assessments/risk/new/")
        error = page.locator("#group-id_age #id_age_error")
        assert error.is_visible() and message in error.text_content(), error.text_content()
        assert page.locator(".op-form-errors").is_visible()
        assert page.get_attribute("#id_age", "aria-invalid") == "true"
        assert "id_age_error" in (page.get_attribute("#id_age", "aria-describedby") or "")
        # What was typed stays, to be corrected; the other answers are kept.
        assert page.input_value("#id_age") == typed
        assert page.input_value("#id_previous_convictions") == "3"
        assert page.input_value("#id_offence") == "theft"
        assert page.locator(".usa-error-message").count() == 1
        assert not Assessment.objects.exists()
        assert not CaseAssessmentState.objects.filter(risk__isnull=False).exists()
        _shot(page, f"risk-form-error-{typed}")
    assert_accessible(page)
