"""The application status machine: which change is allowed, to whom, and what it needs.

submitted → in review → documents requested ⇄ in review → inspection → testing →
approved (certificate number) or rejected (reason); the applicant may withdraw
before a decision. Anything else is refused.
"""
from __future__ import annotations

from domain.applications import OPEN

# Staff transitions. Rejection is possible at every stage before a decision.
STAFF = {
    "submitted": ("in_review", "rejected"),
    "in_review": ("documents_requested", "inspection", "rejected"),
    "documents_requested": ("in_review", "rejected"),
    "inspection": ("testing", "rejected"),
    "testing": ("approved", "rejected"),
}
# What staff must give with a change (asked for before it is made).
NEEDS = {"documents_requested": "documents", "inspection": "schedule",
         "approved": "certificate", "rejected": "reason"}


def staff_may(current: str, new: str) -> bool:
    return new in STAFF.get(current, ())


def applicant_may(current: str, new: str) -> bool:
    return new == "withdrawn" and current in OPEN


def staff_actions(current: str) -> tuple[str, ...]:
    return STAFF.get(current, ())
