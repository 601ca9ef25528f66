"""What the apps above ``cases`` add to the case page: overview facts, sections and actions.

The case page belongs to ``cases``, but a case's duties, appointments, violations and labour
hours belong to higher apps. Each registers providers when it starts (``AppConfig.ready``); the
case page (and the case API's ``overview``) render whatever the providers return, so ``cases``
never imports them. Providers read only through scoped selectors and receive a case the user may
already see.

- ``register_case_facts(name, provider)`` — ``provider(*, user, case, today) -> list[CaseFact]``:
  short lines for the overview at the top of the page ("Next appointment: 04.12.2026, office").
- ``register_case_section(name, provider)`` — ``provider(*, user, case, today) -> CaseSection | None``:
  a block of the page below the overview, rendered from the app's own template.
- ``register_case_actions(name, provider)`` — ``provider(*, user, case) -> list[CaseActionLink]``:
  the actions this user may take on this case (each opens its own form, one at a time); a
  provider returns only the actions ``accounts.scoping.may`` allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CaseFact:
    key: str  # stable code: "next_appointment", "duties", "open_violations", ...
    order: int
    label: str
    value: str
    # "" (plain), "info", "success", "warning" or "danger": how the overview colours it.
    tone: str = ""
    url: str = ""  # where the fact's details are (a section anchor or a page)
    # Machine-readable value for the API (a date as ISO text, a count), when there is one.
    data: Any = None


@dataclass(frozen=True)
class CaseSection:
    key: str
    order: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseActionLink:
    key: str  # stable code: "record_outcome", "add_violation", ...
    order: int
    label: str
    url: str
    # Actions that need attention first ("primary") are shown as buttons, the rest in a menu.
    primary: bool = False


FactsProvider = Callable[..., list[CaseFact]]
SectionProvider = Callable[..., CaseSection | None]
ActionsProvider = Callable[..., list[CaseActionLink]]

_facts: dict[str, FactsProvider] = {}
_sections: dict[str, SectionProvider] = {}
_actions: dict[str, ActionsProvider] = {}


def register_case_facts(name: str, provider: FactsProvider) -> None:
    """Registering the same name again replaces the provider (reloads stay idempotent)."""
    _facts[name] = provider


def register_case_section(name: str, provider: SectionProvider) -> None:
    _sections[name] = provider


def register_case_actions(name: str, provider: ActionsProvider) -> None:
    _actions[name] = provider


def case_facts(*, user: Any, case: Any, today: Any) -> list[CaseFact]:
    found = [fact for _name, p in sorted(_facts.items()) for fact in p(user=user, case=case, today=today)]
    return sorted(found, key=lambda f: (f.order, f.key))


def case_sections(*, user: Any, case: Any, today: Any) -> list[CaseSection]:
    found = [p(user=user, case=case, today=today) for _name, p in sorted(_sections.items())]
    return sorted((s for s in found if s is not None), key=lambda s: (s.order, s.key))


def case_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    found = [action for _name, p in sorted(_actions.items()) for action in p(user=user, case=case)]
    return sorted(found, key=lambda a: (a.order, a.key))
