"""The work queue's filters, read from the address (links and a GET form; no JavaScript needed)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.workqueue.selectors import KINDS, SORTS


class WorkQueueFilterForm(forms.Form):
    """Validates the page's GET parameters; the page renders its own links and officer list."""

    kind = forms.ChoiceField(label=_("What is due"), required=False, choices=[("", _("All")), *KINDS.items()])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORTS.items()))
    officer = forms.IntegerField(label=_("Officer"), required=False, min_value=1, max_value=2**63 - 1)
