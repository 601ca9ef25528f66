"""Form plumbing shared by every page: USWDS classes on widgets and domain errors on fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.exceptions import DomainError

_WIDGET_CLASSES = {
    "select": "usa-select",
    "textarea": "usa-textarea",
    "checkbox": "usa-checkbox__input",
    "radioselect": "usa-radio__input",
    "checkboxselectmultiple": "usa-checkbox__input",
}


# What a date field accepts: dd.mm.yyyy (the form shown in every language) or ISO yyyy-mm-dd.
DATE_PATTERN = r"\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{1,2}-\d{1,2}"


class DateInput(forms.DateInput):
    """A date typed as dd.mm.yyyy in every language (the browsers' own date pickers show the
    browser's locale, mm/dd/yyyy in many, whatever the page's language is). A numeric keyboard on
    phones; ISO dates (yyyy-mm-dd) are accepted as well (``settings.DATE_INPUT_FORMATS``)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None):
        defaults = {
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": DATE_PATTERN,
            "maxlength": "10",
            "class": "op-date",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d.%m.%Y")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # Translated when the page is drawn (дд.мм.гггг in Russian, кк.аа.жжжж in Kazakh).
        context["widget"]["attrs"].setdefault("placeholder", str(_("dd.mm.yyyy")))
        return context


class UswdsForm(forms.Form):
    """A form whose widgets carry the design system's classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


def style_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        kind = widget.__class__.__name__.lower().removesuffix("widget").removesuffix("input")
        css = _WIDGET_CLASSES.get(kind, "usa-input")
        existing = widget.attrs.get("class", "")
        if css not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput())


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, str(error.message))
    else:
        form.add_error(None, str(error.message))


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Reason"))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)
