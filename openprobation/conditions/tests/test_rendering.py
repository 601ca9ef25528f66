import datetime as dt

import pytest

from openprobation.conditions.models import CaseCondition, ConditionDefinition
from openprobation.conditions.params import render_value
from openprobation.conditions.rendering import person_duties_text, person_language, render_condition
from openprobation.conditions.services import case_condition_add
from openprobation.testing.factories import a_case, a_person


def _condition(code, params):
    return CaseCondition(definition=ConditionDefinition.objects.get(code=code, version=1), params=params)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "params", "expected"),
    [
        (
            "home_at_hours",
            {"times": {"from": "22:00", "to": "06:00"}, "weekdays": [1, 2, 3, 4, 5, 6, 7]},
            {
                "en": "to be at the place of residence from 22:00 to 06:00, every day, except",
                "ru": "находиться по месту жительства с 22:00 до 06:00, ежедневно, за исключением",
                "kk": "күн сайын 22:00 – 06:00 аралығында тұрғылықты жері бойынша болу",
            },
        ),
        (
            "home_at_hours",
            {"times": {"from": "21:30", "to": "07:05"}, "weekdays": [1, 5]},
            {
                "en": "from 21:30 to 07:05, on Monday, Friday,",
                "ru": "с 21:30 до 07:05, в дни: понедельник, пятница,",
                "kk": "дүйсенбі, жұма күндері 21:30 – 07:05 аралығында",
            },
        ),
        (
            "report_to_office",
            {"reports": 3, "period": "week"},
            {
                "en": "(reports per week: 3)",
                "ru": "(число явок в неделю: 3)",
                "kk": "(аптасына келу саны: 3)",
            },
        ),
        (
            "work_or_study",
            {"deadline": {"date": "2027-03-01"}},
            {
                "en": "to find work or continue education by 01.03.2027",
                "ru": "трудоустроиться или продолжить обучение до 01.03.2027",
                "kk": "01.03.2027 дейін жұмысқа орналасу",
            },
        ),
        (
            "compensate_damage",
            {"deadline": {"days": 21}},
            {
                "en": "within 21 days of the sentence taking effect",
                "ru": "в течение 21 дня со дня вступления приговора в законную силу",
                "kk": "үкім заңды күшіне енген күннен бастап 21 күн ішінде",
            },
        ),
        (
            "no_visit_places",
            {"places": ["бары", "казино"]},
            {"en": "places: бары; казино", "ru": "места: бары; казино", "kk": "орындарға бармау: бары; казино"},
        ),
    ],
)
def test_render_in_three_languages(code, params, expected):
    condition = _condition(code, params)
    for lang, text in expected.items():
        rendered = render_condition(condition, lang)
        assert text in rendered, (lang, rendered)
        assert "{" not in rendered
    # Another language falls back to Russian.
    assert render_condition(condition, "uz") == render_condition(condition, "ru")


def test_russian_day_counts():
    assert "в течение 1 дня" in render_value("date_or_days", {"days": 1}, "ru")
    assert "в течение 3 дней" in render_value("date_or_days", {"days": 3}, "ru")
    assert "в течение 11 дней" in render_value("date_or_days", {"days": 11}, "ru")
    assert "within 1 day of" in render_value("date_or_days", {"days": 1}, "en")


@pytest.mark.django_db
def test_person_language_and_duties_text(personas):
    assert person_language(a_person(native_language="kk")) == "kk"
    assert person_language(a_person(native_language="uz", languages=["uz", "en"])) == "en"
    assert person_language(a_person(native_language="tg", languages=[])) == "ru"
    case = a_case(person__registered_office=personas["office_a"], person__native_language="ru")
    case_condition_add(
        actor=personas["senior"],
        case=case,
        code="no_leave_locality",
        params={"zone": "Шымкент"},
        in_force_from=dt.date(2026, 1, 14),
    )
    on = dt.date(2026, 2, 1)
    assert person_duties_text(case=case, on=on) == [
        "не выезжать за пределы административно-территориальной единицы (Шымкент) без разрешения службы пробации"
    ]
    assert person_duties_text(case=case, on=on, language="kk")[0].startswith("пробация қызметінің рұқсатынсыз")
    assert person_duties_text(case=case, on=dt.date(2026, 1, 1)) == []
