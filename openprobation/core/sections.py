"""Sections of the person page contributed by the apps above ``people``.

The person page belongs to ``people``, but what a person has elsewhere — their cases, later their
duties, programmes and devices — belongs to higher apps. Each registers a section provider when it
starts (``AppConfig.ready``); the person page renders whatever the providers return, in order, so
``people`` never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PersonSection:
    key: str
    order: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionProvider = Callable[..., PersonSection | None]
_providers: dict[str, SectionProvider] = {}


def register_person_section(name: str, provider: SectionProvider) -> None:
    """``provider(*, user, person, today) -> PersonSection | None``; it reads only through scoped
    selectors. Registering the same name again replaces the provider."""
    _providers[name] = provider


def person_sections(*, user: Any, person: Any, today: Any) -> list[PersonSection]:
    sections = [provider(user=user, person=person, today=today) for _name, provider in sorted(_providers.items())]
    return sorted((s for s in sections if s is not None), key=lambda s: (s.order, s.key))
