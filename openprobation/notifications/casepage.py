"""The outbox on the case page: the section "Messages to the person" (registered in AppConfig.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.models import Case
from openprobation.core.casepage import CaseSection
from openprobation.notifications.models import MessageStatus
from openprobation.notifications.selectors import SECTION_SHOWN, case_message_qs


def messages_section(*, user: Any, case: Case, today: dt.date) -> CaseSection | None:
    """The newest messages of the case (the case page has recorded its view); two queries."""
    rows = list(case_message_qs(case)[: SECTION_SHOWN + 1])
    dead = case_message_qs(case).filter(status=MessageStatus.DEAD).count() if rows else 0
    can_act = may(user, CaseAction.EDIT, case)
    return CaseSection(
        key="messages",
        order=80,
        template="notifications/_case_section.html",
        context={
            "case": case,
            "message_rows": rows[:SECTION_SHOWN],
            "more": len(rows) > SECTION_SHOWN,
            "dead_count": dead,
            "show_body": can_act,
            "can_retry": can_act,
        },
    )
