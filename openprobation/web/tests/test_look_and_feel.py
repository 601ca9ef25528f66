"""Look and feel (issue 7): one font with the Kazakh letters served from our static files, dates as
dd.mm.yyyy in every language (entered and shown; the API keeps ISO), Django's own messages in
Kazakh, named search buttons and scrolling tables reachable by keyboard."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.utils import translation

from openprobation.core.forms import UswdsForm, date_field
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_person

PACKAGE = Path(__file__).resolve().parents[2]
LANGUAGES = ["kk", "ru", "en"]


# --- The font ---


@pytest.mark.parametrize(
    "path",
    [
        "vendor/noto-sans/400.css",
        "vendor/noto-sans/700.css",
        "vendor/noto-sans/files/noto-sans-cyrillic-ext-400-normal.woff2",
        "vendor/noto-sans/files/noto-sans-cyrillic-400-normal.woff2",
        "vendor/noto-sans/files/noto-sans-cyrillic-ext-700-normal.woff2",
    ],
)
def test_the_font_files_are_found_by_the_static_pipeline(path):
    assert finders.find(path), f"{path}: run npm ci (package.json lists @fontsource/noto-sans)"


def test_the_cyrillic_ext_subset_covers_the_kazakh_letters():
    css = Path(str(finders.find("vendor/noto-sans/400.css"))).read_text(encoding="utf-8")
    block = re.search(r"cyrillic-ext-400-normal.*?unicode-range:\s*([^;]+);", css, re.S)
    assert block
    ranges = []
    for part in block.group(1).split(","):
        low, _, high = part.strip().removeprefix("U+").partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    cyrillic = re.search(r"cyrillic-400-normal.*?unicode-range:\s*([^;]+);", css, re.S)
    assert cyrillic
    for ch in "ӘәҒғҚқҢңӨөҰұҮүҺһІі":
        covered = any(lo <= ord(ch) <= hi for lo, hi in ranges) or f"{ord(ch):04X}" in cyrillic.group(1)
        assert covered or any(
            int(a, 16) <= ord(ch) <= int(b or a, 16)
            for a, _, b in (p.strip().removeprefix("U+").partition("-") for p in cyrillic.group(1).split(","))
        ), ch


@pytest.mark.django_db
def test_every_page_links_the_font_and_it_is_served(personas):
    client = web_client(personas["officer"])
    html = client.get("/people/").content.decode()
    href = re.search(r'href="([^"]*noto-sans/400\.css)"', html)
    assert href, "base.html links the font"
    css = client.get(href.group(1))
    assert css.status_code == 200
    font = re.search(r"url\(\./(files/noto-sans-cyrillic-ext-400-normal\.woff2)\)", b"".join(css).decode())
    assert font
    woff = client.get(href.group(1).rsplit("/", 1)[0] + "/" + font.group(1))
    assert woff.status_code == 200
    assert b"".join(woff).startswith(b"wOF2")


def test_the_stylesheet_sets_one_font_everywhere():
    css = (PACKAGE / "web/static/web/app.css").read_text(encoding="utf-8")
    assert '"Noto Sans"' in css
    assert re.search(r"body \*:not\(code, kbd, samp, pre\) \{ font-family: var\(--op-font\) !important; \}", css)


# --- Dates as dd.mm.yyyy ---


class _DateForm(UswdsForm):
    on = date_field("On")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["17.05.1990", "17.5.1990", "1990-05-17"])
def test_a_date_is_accepted_as_dd_mm_yyyy_and_iso_in_every_language(language, typed):
    with translation.override(language):
        form = _DateForm({"on": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["on"] == dt.date(1990, 5, 17)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["05/17/1990", "31.02.1990", "17.05.99999", "١٧.٠٥.١٩٩٠", "{}"])
def test_other_date_forms_are_a_clear_error(language, typed):
    with translation.override(language):
        form = _DateForm({"on": typed})
        assert not form.is_valid()
        assert form.errors["on"]


@pytest.mark.parametrize(
    ("language", "placeholder"), [("en", "dd.mm.yyyy"), ("ru", "дд.мм.гггг"), ("kk", "кк.аа.жжжж")]
)
def test_the_date_input_is_text_with_a_numeric_keyboard_and_a_translated_placeholder(language, placeholder):
    with translation.override(language):
        html = str(_DateForm(initial={"on": dt.date(1990, 5, 17)})["on"])
    assert 'type="text"' in html
    assert 'inputmode="numeric"' in html
    assert 'value="17.05.1990"' in html
    assert "pattern=" in html
    assert f'placeholder="{placeholder}"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_are_shown_as_dd_mm_yyyy_in_every_language(language):
    with translation.override(language):
        rendered = Template("{{ d }}|{{ d|date }}|{{ d|date:'SHORT_DATE_FORMAT' }}").render(
            Context({"d": dt.date(2026, 3, 9)})
        )
    assert rendered == "09.03.2026|09.03.2026|09.03.2026"


def test_the_settings_accept_dd_mm_yyyy_and_iso():
    assert settings.DATE_INPUT_FORMATS[:2] == ["%d.%m.%Y", "%Y-%m-%d"]
    assert settings.FORMAT_MODULE_PATH == ["openprobation.formats"]


@pytest.mark.django_db
def test_the_api_keeps_iso_dates(personas):
    person = a_person(registered_office=personas["office_a"], birth_date=dt.date(1990, 5, 17))
    body = api_client(personas["officer"], "ru").get(f"/api/v1/people/{person.pk}/").json()
    assert body["birth_date"] == "1990-05-17"
    refused = api_client(personas["officer"]).patch(
        f"/api/v1/people/{person.pk}/", {"birth_date": "17.05.1990"}, format="json"
    )
    assert refused.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_person_page_shows_the_birth_date_as_dd_mm_yyyy(personas, language):
    person = a_person(registered_office=personas["office_a"], birth_date=dt.date(1990, 5, 17))
    html = web_client(personas["officer"], language).get(f"/people/{person.pk}/").content.decode()
    assert "17.05.1990" in html


# --- Django's own messages in Kazakh ---

# Messages of Django a user of the service can meet (password rules, forms, sign-in).
DJANGO_MESSAGES = [
    "This password is too common.",
    "This password is entirely numeric.",
    "The password is too similar to the %(verbose_name)s.",
    "This field is required.",
    "Enter a valid date.",
    "Enter a valid email address.",
    "Enter a whole number.",
    "Select a valid choice. %(value)s is not one of the available choices.",
    "The two password fields didn’t match.",
    "Your old password was entered incorrectly. Please enter it again.",
]


@pytest.mark.parametrize("message", DJANGO_MESSAGES)
def test_django_messages_users_meet_are_translated_into_kazakh(message):
    with translation.override("kk"):
        translated = translation.gettext(message)
    assert translated != message
    assert re.search("[әғқңөұүһі]", translated.lower()), translated


def test_the_password_length_rule_is_translated_into_kazakh():
    with translation.override("kk"):
        text = translation.ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            12,
        ) % (12,)
    assert "12" in text
    assert "password" not in text


@pytest.mark.django_db
def test_a_required_field_error_is_in_kazakh_on_a_page(personas):
    response = web_client(personas["officer"], "kk").post("/people/new/", {"surname": ""})
    with translation.override("kk"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required."
    assert required in response.content.decode()


# --- Keyboard and screen readers ---


def test_every_scrolling_table_is_reachable_by_keyboard_and_named():
    found = 0
    for path in PACKAGE.glob("*/templates/**/*.html"):
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(
            r"<div[^>]*class=\"[^\"]*(?:op-table-wrap|usa-table-container--scrollable)[^\"]*\"[^>]*>", html
        ):
            found += 1
            named = "aria-label=" in tag or "aria-labelledby=" in tag
            assert 'tabindex="0"' in tag and 'role="region"' in tag and named, f"{path.name}: {tag}"
    assert found >= 5


@pytest.mark.django_db
def test_search_buttons_have_a_name_when_only_the_icon_shows(personas):
    for url in ("/", "/people/"):
        html = web_client(personas["officer"]).get(url).content.decode()
        for form in re.findall(r'<form[^>]*class="usa-search[^"]*".*?</form>', html, re.S):
            button = re.search(r"<button[^>]*>", form)
            assert button and 'aria-label="Search"' in button.group(0), form
