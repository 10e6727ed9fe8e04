"""The staff's status-change flow, declared: what a change still needs (steps) and what
has been given so far (state); and how the actions are labelled."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from handlers.flows import Flow
from i18n import Translator


class DeskStep(StrEnum):
    """What a status change asks for before it is made (domain.status.NEEDS)."""
    DOCUMENTS = "documents"      # which documents are missing
    COMMENT = "comment"          # a comment for the applicant
    SCHEDULE = "schedule"        # the inspection's date and time
    PLACE = "place"              # and its place
    CERTIFICATE = "certificate"  # the SBKTS/OTTS number
    REASON = "reason"            # why it is rejected


@dataclass
class ChangeState:
    app: int
    expected: str                 # the status the staff member saw
    to: str
    items: list[str] = field(default_factory=list)
    at: int | None = None
    place: str | None = None


FLOW = Flow("desk", DeskStep, ChangeState)


def action_label(tr: Translator, new: str) -> str:
    return {
        "in_review": tr._("▶️ Take into review"),
        "documents_requested": tr._("📎 Request documents"),
        "inspection": tr._("📅 Schedule inspection"),
        "testing": tr._("🔬 Start testing"),
        "approved": tr._("✅ Approve"),
        "rejected": tr._("⛔ Reject"),
    }[new]
