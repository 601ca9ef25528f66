"""A programme's content frozen as plain data (what a version stores) and what changed between two
versions. Pure functions: the services freeze, the pages and the API show the changes."""

from __future__ import annotations

from typing import Any

from openprobation.programmes.models import Programme

GOAL_FIELDS = ("domain", "text")
MEASURE_FIELDS = ("measure", "description", "organisation", "due_on", "goal")


def freeze(programme: Programme) -> dict[str, Any]:
    """The goals (not removed), measures and participants of ``programme`` as JSON-ready data."""
    goals = [
        {"id": g.pk, "domain": g.domain, "text": g.text, "assessed_points": g.assessed_points}
        for g in programme.goals.filter(removed=False).order_by("id")
    ]
    measures = [
        {
            "id": m.pk,
            "measure": m.measure,
            "description": m.description,
            "organisation": m.organisation.name if m.organisation else "",
            "organisation_id": m.organisation_id,
            "due_on": m.due_on.isoformat(),
            "goal": m.goal_id,
            "status": m.status,
        }
        for m in programme.measures.select_related("organisation").order_by("id")
    ]
    participants = [
        {"id": p.pk, "kind": p.kind, "name": p.name or str(p), "copy_notices": p.copy_notices}
        for p in programme.participants.select_related("organisation", "family_member").order_by("id")
    ]
    return {"goals": goals, "measures": measures, "participants": participants}


def _diff_rows(
    what: str, old: list[dict[str, Any]], new: list[dict[str, Any]], fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    before = {row["id"]: row for row in old}
    after = {row["id"]: row for row in new}
    key = "domain" if what == "goal" else "measure"
    changes: list[dict[str, Any]] = []
    for pk, row in after.items():
        if pk not in before:
            changes.append({"what": what, "id": pk, "code": row[key], "change": "added", "fields": {}})
            continue
        fields_changed = {f: [before[pk].get(f), row.get(f)] for f in fields if before[pk].get(f) != row.get(f)}
        if fields_changed:
            changes.append({"what": what, "id": pk, "code": row[key], "change": "changed", "fields": fields_changed})
    for pk, row in before.items():
        if pk not in after:
            changes.append({"what": what, "id": pk, "code": row[key], "change": "removed", "fields": {}})
    return changes


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed from ``old`` (a frozen version, None for the first) to ``new``: goals and
    measures added, removed and changed (with each changed field's old and new value). A measure's
    progress (status, outcome) is not a change of the programme."""
    old = old or {"goals": [], "measures": []}
    return [
        *_diff_rows("goal", old.get("goals", []), new.get("goals", []), GOAL_FIELDS),
        *_diff_rows("measure", old.get("measures", []), new.get("measures", []), MEASURE_FIELDS),
    ]


def _field_labels() -> dict[str, Any]:
    from django.utils.translation import gettext as _  # noqa: PLC0415

    return {
        "domain": _("need"),
        "text": _("goal"),
        "measure": _("measure"),
        "description": _("what is to be done"),
        "organisation": _("responsible organisation"),
        "due_on": _("due by"),
        "goal": _("goal"),
    }


def described(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes with what a reader sees: the need's or measure's name, each field's name."""
    from openprobation.programmes.catalogue import NeedDomain, measure_label  # noqa: PLC0415

    labels = _field_labels()
    out = []
    for c in changes:
        code = c.get("code", "")
        if c.get("what") == "goal":
            name = NeedDomain(code).label if code in NeedDomain.values else code
        else:
            name = measure_label(code)
        fields = [(str(labels.get(f, f)), values) for f, values in (c.get("fields") or {}).items()]
        out.append({**c, "label": str(name), "field_list": fields})
    return out
