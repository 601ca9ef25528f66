"""`openprobation check --deploy`: the audit trail's keys outside the database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from openprobation.audit.keys import AuditKeyError, signing_key


@register("security", deploy=True)
def audit_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if not settings.AUDIT_CHAIN_KEY:
        found.append(
            Warning(
                "AUDIT_CHAIN_KEY is not set: the audit chain key is derived from SECRET_KEY.",
                hint="Set AUDIT_CHAIN_KEY_FILE to a separate random key, kept outside the database.",
                id="audit.W001",
            )
        )
    try:
        private = signing_key()
    except AuditKeyError as exc:
        found.append(Warning(str(exc), id="audit.W003"))
    else:
        if private is None:
            found.append(
                Warning(
                    "AUDIT_CHECKPOINT_SIGNING_KEY is not set: no signed checkpoints of the audit chain are written, "
                    "so removing events from the end of the chain is not detected.",
                    hint="Create one with `python -m openprobation.audit.keys PATH` and set "
                    "AUDIT_CHECKPOINT_SIGNING_KEY_FILE=PATH.",
                    id="audit.W002",
                )
            )
    return found
