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


class DateInput(forms.DateInput):
    """A native date picker (keyboard and screen-reader friendly, no script needed)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
