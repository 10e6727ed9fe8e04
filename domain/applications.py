"""Applications as the certification centre sees them: the form's fields in order,
the document checklist for each path, statuses, and what may change when."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The form, one question per message, in this order (some only when they apply: `asked`).
# Choice fields list their values.
FIELDS = ("applicant_type", "residency", "applicant_name", "country", "id_number", "iin",
          "acting", "agent_name", "agent_id", "phone", "vin", "make", "model", "year",
          "category", "powertrain", "battery_kwh", "chemistry", "inlet")
# Where foreign applicants mostly come from (88 % of new EVs registered in 2025 were
# Chinese): buttons; any other country is typed.
COUNTRY_BUTTONS = ("cn", "ru", "kg", "uz", "by", "kr", "jp", "de", "tr", "ae", "us")
CHOICES = {
    "applicant_type": ("person", "company"),
    "residency": ("kz", "foreign"),
    "country": COUNTRY_BUTTONS,
    "acting": ("self", "agent"),
    "category": ("m1", "n1", "m2m3", "n2n3", "l"),
    "powertrain": ("bev", "phev", "erev", "fcev"),
    "chemistry": ("lfp", "nmc", "nca", "other"),
    "inlet": ("gbt", "ccs2", "other"),
}
TYPED_CHOICES = ("country",)  # buttons, or typed
PERSONAL_FIELDS = ("applicant_name", "id_number", "iin", "phone", "agent_name", "agent_id")
# Kept for an application whose document was issued: the centre's record names its holder.
HOLDER_FIELDS = ("applicant_name", "id_number")

STATUSES = ("draft", "submitted", "in_review", "documents_requested", "inspection", "testing",
            "approved", "rejected", "withdrawn")
OPEN = ("submitted", "in_review", "documents_requested", "inspection", "testing")
FINAL = ("approved", "rejected", "withdrawn")
CONSENT_VERSION = "2026-12"  # the text names foreign ids, representatives, messages


@dataclass(frozen=True)
class Application:
    """An application (a draft until submitted), as the centre records it."""
    id: int
    number: str | None
    user_id: int | None
    status: str
    path: str
    guide_answers: dict[str, str]
    applicant_type: str | None
    applicant_name: str | None
    id_number: str | None
    phone: str | None
    vin: str | None
    vin_warning: bool
    make: str | None
    model: str | None
    year: int | None
    category: str | None
    powertrain: str | None
    battery_kwh: float | None
    chemistry: str | None
    inlet: str | None
    created_at: int
    updated_at: int
    submitted_at: int | None
    anonymised: bool
    certificate_number: str | None = None
    rejection_reason: str | None = None
    inspection_at: int | None = None
    inspection_place: str | None = None
    requested_documents: tuple[str, ...] = ()
    requested_at: int | None = None
    residency: str | None = None
    country: str | None = None
    iin: str | None = None       # a non-resident's IIN if they have one ("" they have none)
    acting: str | None = None
    agent_name: str | None = None
    agent_id: str | None = None
    documents_to_follow: tuple[str, ...] = ()
    documents_received_at: int | None = None

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in FIELDS}


@dataclass(frozen=True)
class Document:
    id: int
    application_id: int
    kind: str
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    size: int | None
    uploaded_at: int
    sent_as: str = "document"    # photo | document: the Bot API method that can re-send it


@dataclass(frozen=True)
class StatusChange:
    from_status: str | None
    to_status: str
    actor_id: int | None
    comment: str
    at: int
    event: str = ""              # "" a status change; "documents_received" (kinds) an event
    kinds: tuple[str, ...] = ()


MAX_FILES = 20  # files one checklist item takes (photos: about nine)


@dataclass(frozen=True)
class DocItem:
    kind: str
    required: bool = True
    expected: int = 1  # files it usually takes: the form moves on once they are there


def asked(field: str, values: dict[str, Any]) -> bool:
    """Whether the form asks `field` given the answers so far."""
    if field == "country":
        return values.get("residency") == "foreign"
    if field == "iin":  # optional: a non-resident may have one (work, property, a car)
        return values.get("residency") == "foreign" and \
            values.get("applicant_type") != "company"
    if field in ("agent_name", "agent_id"):
        return values.get("acting") == "agent"
    return True


def form_fields(values: dict[str, Any]) -> list[str]:
    return [f for f in FIELDS if asked(f, values)]


def next_field(values: dict[str, Any]) -> str | None:
    """The first question not answered yet (None: the form is complete)."""
    return next((f for f in form_fields(values) if values.get(f) is None), None)


def previous_field(values: dict[str, Any], field: str) -> str | None:
    """The question before `field` (None for the first)."""
    fields = form_fields(values)
    index = fields.index(field) if field in fields else 0
    return fields[index - 1] if index else None


def id_kind(values: dict[str, Any]) -> str:
    """Which number identifies the applicant: iin, passport, bin, uscc or registration."""
    foreign = values.get("residency") == "foreign"
    if values.get("applicant_type") == "company":
        if not foreign:
            return "bin"
        return "uscc" if values.get("country") == "cn" else "registration"
    return "passport" if foreign else "iin"


def checklist(path: str, applicant_type: str | None, category: str | None,
              acting: str | None = None) -> list[DocItem]:
    """What to upload, following the guide's documents section for the path."""
    items = [DocItem("company_registration" if applicant_type == "company" else "identity"),
             DocItem("contract"), DocItem("title"), DocItem("customs"),
             DocItem("photos", expected=9), DocItem("battery")]
    if category in ("m1", "n1", "m2m3", "n2n3"):
        items.append(DocItem("sos"))
    if path == "otts":
        items += [DocItem("technical_description"), DocItem("test_reports")]
    items.append(DocItem("power_of_attorney", required=acting == "agent"))
    return items


def missing_required(items: list[DocItem], kinds: set[str]) -> list[str]:
    return [i.kind for i in items if i.required and i.kind not in kinds]


def application_number(application_id: int, year: int) -> str:
    return f"EV-{year}-{application_id:06d}"


# The guide's answers, as the form's values: its vehicle kinds carry the thresholds that
# decide the route (buses up to 12 seats, trucks up to 5 t, scooters by design speed).
GUIDE_CATEGORIES = {"m1": "m1", "n1": "n1", "bus12": "m2m3", "bus": "m2m3", "truck5": "n2n3",
                    "truck": "n2n3", "l": "l", "light": "l"}
GUIDE_OTTS_OUTCOMES = ("otts", "otts_named")


def prefill_from_guide(answers: dict[str, str], outcome: str) -> dict[str, object]:
    """Guide answers that fill form fields (the user can still change them on review)."""
    values: dict[str, object] = {"path": "otts" if outcome in GUIDE_OTTS_OUTCOMES else "sbkts"}
    if answers.get("who"):
        values["applicant_type"] = "person" if answers["who"] == "person" else "company"
    category = GUIDE_CATEGORIES.get(answers.get("category", ""), answers.get("category"))
    if category in CHOICES["category"]:
        values["category"] = category
    if answers.get("powertrain") in CHOICES["powertrain"]:  # a plain hybrid (hev) is not
        values["powertrain"] = answers["powertrain"]
    return values


def can_withdraw(status: str) -> bool:
    return status in OPEN


def can_add_documents(status: str) -> bool:
    return status in OPEN
