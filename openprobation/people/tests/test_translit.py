"""Transliteration in the case style a name was typed in, and which alphabet a name is in."""

from __future__ import annotations

import pytest

from openprobation.people.translit import NameScript, name_script, to_latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("ЖАНАР", "ZHANAR"),
        ("Жанар", "Zhanar"),
        ("жанар", "Zhanar"),
        ("жАНАР", "Zhanar"),
        ("ЖАНАР-ГҮЛ", "ZHANAR-GUL"),
        ("Жанар-гүл", "Zhanar-Gul"),
        ("Жанар-Гүл", "Zhanar-Gul"),
        ("ӘСЕТ ҒАЛЫМ ҚАНАТ", "ASET GALYM KANAT"),
        ("ӨМІРЗАҚ ҰЛАН ҮМІТ ҺАШИМ ІҢКӘР", "OMIRZAK ULAN UMIT HASHIM INKAR"),
        ("ЩУКИН", "SHCHUKIN"),
        ("ЧЕХОВ", "CHEKHOV"),
        ("Жақсылықов", "Zhaksylykov"),
        ("Серік ұлы", "Serik Uly"),
        ("Ж", "Zh"),
    ],
)
def test_latin_form_follows_the_case_style_of_the_cyrillic(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("Нұрлан", NameScript.CYRILLIC),
        ("ЖАНАР-ГҮЛ", NameScript.CYRILLIC),
        ("Smith", NameScript.LATIN),
        ("O'Brien", NameScript.LATIN),
        ("Mary-Jane van Dyke", NameScript.LATIN),
        ("Müller", NameScript.LATIN),
        ("Oʻtkir", NameScript.LATIN),
        ("Jохн", NameScript.MIXED),  # Cyrillic о and х
        ("Smith2", NameScript.INVALID),
        ("-", NameScript.INVALID),
        ("李", NameScript.INVALID),
    ],
)
def test_name_script(name: str, script: NameScript) -> None:
    assert name_script(name) is script
