"""The IIN check (digit 7 = century and sex, digit 12 = check digit) and Cyrillic → Latin names."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.people.iin import IinError, check_digit, make_iin, parse_iin, validate_iin_against
from openprobation.people.translit import is_cyrillic_name, to_latin


@pytest.mark.parametrize(
    ("birth_date", "sex"),
    [
        (dt.date(1990, 5, 17), "M"),
        (dt.date(1985, 1, 2), "F"),
        (dt.date(2005, 3, 15), "M"),
        (dt.date(2008, 12, 31), "F"),
        (dt.date(1899, 7, 1), "M"),
        (dt.date(2000, 2, 29), "F"),
    ],
)
def test_built_iin_parses_back_to_its_birth_date_and_sex(birth_date, sex):
    for serial in (1, 180, 4321, 9999):
        info = parse_iin(make_iin(birth_date, sex, serial))
        assert info.birth_date == birth_date
        assert info.sex == sex


@pytest.mark.parametrize(
    ("iin", "birth_date", "sex"),
    [
        # 9*1 + 5*4 + 1*5 + 7*6 + 3*7 + 1*11 = 108 ≡ 9 (mod 11)
        ("900517300019", dt.date(1990, 5, 17), "M"),
        # 7th digit 4: a woman born in the 1900s; weighted sum 124 ≡ 3
        ("850102401233", dt.date(1985, 1, 2), "F"),
        # 7th digit 5: a man born in the 2000s; weighted sum 154 ≡ 0
        ("050315500420", dt.date(2005, 3, 15), "M"),
        # first weights give 186 ≡ 10, so the second sequence 3..11,1,2 gives 166 ≡ 1
        ("900517301801", dt.date(1990, 5, 17), "M"),
    ],
)
def test_hand_computed_iins_are_valid(iin, birth_date, sex):
    info = parse_iin(iin)
    assert (info.iin, info.birth_date, info.sex) == (iin, birth_date, sex)


def test_check_digit_falls_back_to_the_second_weight_sequence():
    assert check_digit("90051730180") == 1


def test_surrounding_spaces_are_ignored():
    assert parse_iin("  900517300019 ").iin == "900517300019"


def _part(iin: str) -> str:
    with pytest.raises(IinError) as err:
        parse_iin(iin)
    assert err.value.field == "iin"
    assert err.value.code == f"iin_{err.value.part}"
    assert str(err.value)
    return err.value.part


@pytest.mark.parametrize("iin", ["", "90051730001", "9005173000190", "90051730001X", "9005-7300019", None])
def test_wrong_length_or_non_digits_is_a_format_error(iin):
    assert _part(iin) == "format"


@pytest.mark.parametrize(
    "iin",
    [
        "901317300011",  # month 13
        "900230300011",  # 30 February
        "900001300011",  # month 0
        "900532300011",  # 32 May
        "010229500011",  # 29 February 2001 (not a leap year)
    ],
)
def test_impossible_birth_date_is_a_date_error(iin):
    assert _part(iin) == "date"


@pytest.mark.parametrize("digit", ["0", "7", "8", "9"])
def test_century_digit_outside_one_to_six_is_a_century_error(digit):
    iin = "900517" + digit + "0001" + "9"
    with pytest.raises(IinError) as err:
        parse_iin(iin)
    assert err.value.part == "century"
    assert digit in str(err.value)


def test_wrong_check_digit_is_reported_as_a_typo():
    assert _part("900517300018") == "check_digit"


def test_number_whose_check_digit_is_ten_twice_is_invalid_whatever_its_last_digit():
    assert check_digit("90051730260") is None
    for last in "0123456789":
        assert _part("90051730260" + last) == "check_digit"


def test_birth_date_entered_must_match_the_iin():
    with pytest.raises(IinError) as err:
        validate_iin_against("900517300019", birth_date=dt.date(1990, 5, 18), sex="M")
    assert err.value.part == "birth_date"
    assert "17.05.1990" in str(err.value)
    assert "18.05.1990" in str(err.value)


def test_sex_entered_must_match_the_iin():
    with pytest.raises(IinError) as err:
        validate_iin_against("900517300019", birth_date=dt.date(1990, 5, 17), sex="F")
    assert err.value.part == "sex"


def test_matching_entered_values_pass_and_unknown_values_are_not_checked():
    assert validate_iin_against("850102401233", birth_date=dt.date(1985, 1, 2), sex="F").sex == "F"
    assert validate_iin_against("850102401233", birth_date=None, sex=None).birth_date == dt.date(1985, 1, 2)


def test_make_iin_gives_distinct_valid_numbers_for_distinct_serials():
    # serial 260 of 17 May 1990 (male) has no check digit; it must not collide with its neighbours
    iins = [make_iin(dt.date(1990, 5, 17), "M", serial) for serial in range(2000)]
    assert len(set(iins)) == len(iins)
    assert "90051730260" not in {iin[:11] for iin in iins}
    assert all(parse_iin(iin).birth_date == dt.date(1990, 5, 17) for iin in iins)
    assert make_iin(dt.date(1990, 5, 17), "M", 5) == make_iin(dt.date(1990, 5, 17), "M", 5)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Әлия Нұрланқызы", "Aliia Nurlankyzy"),
        ("Жұмабек", "Zhumabek"),
        ("Щербаков", "Shcherbakov"),
        ("Ғалымжан Өтегенұлы", "Galymzhan Otegenuly"),
        ("Үміт Іңкәрова", "Umit Inkarova"),
        ("Хасенов", "Khasenov"),
        ("Юлия Цой", "Iuliia Tsoi"),
        ("Чингиз-Хан", "Chingiz-Khan"),
        ("Һ", "H"),
    ],
)
def test_kazakh_and_russian_letters_transliterate_as_in_passports(cyrillic, latin):
    assert to_latin(cyrillic) == latin


def test_cyrillic_name_check_accepts_kazakh_letters_and_refuses_latin():
    assert is_cyrillic_name("Нұрланқызы")
    assert is_cyrillic_name("Сейт-Әли")
    assert not is_cyrillic_name("Nurlan")
    assert not is_cyrillic_name("   ")


def test_masked_iin_keeps_only_the_last_four_digits() -> None:
    from openprobation.people.iin import masked_iin

    assert masked_iin("900101300017") == "••••••••0017"
    assert masked_iin("") == ""
    assert masked_iin(None) == ""
