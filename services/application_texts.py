"""How applications read, to applicants, staff and reminders alike: field names, choices,
statuses, document kinds, validation errors, the form's questions, the review summary and
the application card."""
from __future__ import annotations

import html
from datetime import UTC, datetime

from domain.applications import (
    Application,
    DocItem,
    Document,
    StatusChange,
    checklist,
    form_fields,
    id_kind,
    missing_required,
)
from i18n import Translator
from services.countries import country_name
from services.texts import clip, page

HISTORY_SHOWN = 8    # the latest changes on a card (the export has them all)
COMMENT_SHOWN = 200  # characters of a comment on a card


def id_label(tr: Translator, kind: str) -> str:
    return {
        "iin": tr._("IIN"),
        "bin": tr._("BIN"),
        "passport": tr._("Passport number"),
        "uscc": tr._("Unified social credit code (USCC)"),
        "registration": tr._("Registration number"),
    }[kind]


def field_label(tr: Translator, key: str, applicant_type: str | None = None,
                kind: str | None = None) -> str:
    if key == "id_number":
        if kind is not None:
            return id_label(tr, kind)
        return tr._("BIN") if applicant_type == "company" else tr._("IIN")
    if key == "applicant_name":
        return tr._("Company name") if applicant_type == "company" else tr._("Full name")
    return {
        "applicant_type": tr._("Applicant"),
        "residency": tr._("Resident or registered in"),
        "country": tr._("Country"),
        "iin": tr._("IIN (if any)"),
        "acting": tr._("Filled in by"),
        "agent_name": tr._("Representative"),
        "agent_id": tr._("Representative's IIN or passport"),
        "phone": tr._("Phone"),
        "vin": tr._("VIN"),
        "make": tr._("Make"),
        "model": tr._("Model"),
        "year": tr._("Year of manufacture"),
        "category": tr._("Vehicle category"),
        "powertrain": tr._("Powertrain"),
        "battery_kwh": tr._("Traction battery capacity, kWh"),
        "chemistry": tr._("Battery chemistry"),
        "inlet": tr._("Charging inlet"),
    }[key]


def choice_label(tr: Translator, field: str, value: str) -> str:
    return {
        ("applicant_type", "person"): tr._("👤 Individual"),
        ("applicant_type", "company"): tr._("🏢 Company"),
        ("residency", "kz"): tr._("🇰🇿 Kazakhstan"),
        ("residency", "foreign"): tr._("🌍 Another country"),
        ("acting", "self"): tr._("The applicant (or the company's director)"),
        ("acting", "agent"): tr._("A representative with a power of attorney"),
        ("category", "m1"): tr._("M1: passenger car"),
        ("category", "n1"): tr._("N1: van, light truck up to 3.5 t"),
        ("category", "m2m3"): tr._("M2/M3: bus"),
        ("category", "n2n3"): tr._("N2/N3: truck over 3.5 t"),
        ("category", "l"): tr._("L: moped, motorcycle, tricycle, quadricycle"),
        ("powertrain", "bev"): tr._("Electric vehicle (BEV)"),
        ("powertrain", "phev"): tr._("Hybrid or plug-in hybrid (HEV/PHEV)"),
        ("powertrain", "erev"): tr._("Range extender (EREV)"),
        ("powertrain", "fcev"): tr._("Fuel cell (FCEV)"),
        ("chemistry", "lfp"): "LFP",
        ("chemistry", "nmc"): "NMC",
        ("chemistry", "nca"): "NCA",
        ("chemistry", "other"): tr._("Other or unknown"),
        ("inlet", "gbt"): "GB/T",
        ("inlet", "ccs2"): "CCS2 / Type 2",
        ("inlet", "other"): tr._("Other"),
    }[(field, value)]


def value_text(tr: Translator, app: Application, key: str) -> str:
    value = getattr(app, key)
    if value is None or value == "":
        return "—"
    if key == "country":
        return country_name(tr.language, value)
    if key in ("applicant_type", "residency", "acting", "category", "powertrain", "chemistry",
               "inlet"):
        return choice_label(tr, key, value)
    if key == "battery_kwh":
        return tr.number(value)
    return str(value)


def status_label(tr: Translator, status: str) -> str:
    return {
        "draft": tr._("draft"),
        "submitted": tr._("submitted"),
        "in_review": tr._("in review"),
        "documents_requested": tr._("documents requested"),
        "inspection": tr._("inspection"),
        "testing": tr._("testing"),
        "approved": tr._("approved"),
        "rejected": tr._("rejected"),
        "withdrawn": tr._("withdrawn"),
    }[status]


def doc_label(tr: Translator, kind: str) -> str:
    return {
        "identity": tr._("Identity document"),
        "company_registration": tr._("Company registration documents"),
        "contract": tr._("Sale contract and invoice"),
        "title": tr._("Title, export certificate or certificate of conformity"),
        "customs": tr._("Transit and customs declarations (CMR if by truck)"),
        "photos": tr._("Photos: four sides, VIN plate, maker's plate, motor number, odometer"),
        "battery": tr._("Battery data: UN 38.3 test summary, R100/R10 approvals if any"),
        "sos": tr._("Emergency call (SOS) device details"),
        "technical_description": tr._("Technical description and drawings"),
        "test_reports": tr._("Test reports and production conformity audit"),
        "power_of_attorney": tr._("Power of attorney (if an agent acts for you)"),
        "issued": tr._("Issued document (PDF)"),
    }[kind]


def error_text(tr: Translator, code: str, value: object = None) -> str:
    """What was wrong and what is expected, for every validator error code."""
    if code == "file_duplicate":
        return tr._("This file is already attached (as «{kind}»). Please send the right one.",
                    kind=doc_label(tr, str(value)))
    limits = value if isinstance(value, tuple) else (0, 0, 0)
    if code in ("name_too_long", "text_too_long", "registration_length"):
        return tr._("At most {limit} characters, please; this has {count}.", limit=limits[0],
                    count=limits[1])
    if code == "passport_length":
        return tr._("A passport number has {low} to {high} letters and digits; this has "
                    "{count}. Please type it as printed in the passport.", low=limits[0],
                    high=limits[1], count=limits[2])
    if code == "file_limit":
        return tr._("This item already has {limit} files, the most it takes. Remove one "
                    "first, or press «Done with this item».", limit=value)
    return {
        "vin_length": tr._("A VIN has exactly 17 characters; this one has {count}. Check it "
                           "on the VIN plate or in the documents.", count=value),
        "vin_letters_ioq": tr._("A VIN never contains the letters I, O or Q (they look like 1 "
                                "and 0). Please check those characters."),
        "vin_characters": tr._("A VIN has only Latin letters and digits. Please type it "
                               "again."),
        "vin_check_digit_china": tr._("This Chinese VIN fails its check digit (the 9th "
                                      "character), so one character is wrong. Please compare "
                                      "it with the VIN plate."),
        "id_format": tr._("IIN and BIN have exactly 12 digits. Please type the number "
                          "again. No IIN or BIN (not registered in Kazakhstan)? Press «🌍 "
                          "Not registered in Kazakhstan» below."),
        "passport_characters": tr._("A passport number has only Latin letters and digits, "
                                    "with at least one digit, as printed in the passport (for "
                                    "example E12345678). Please type it again."),
        "passport_format_cn": tr._("A Chinese passport number is E and 8 digits (E12345678), E, "
                                   "a letter and 7 digits (EA1234567), or G and 8 digits. Please "
                                   "check it."),
        "passport_format_kz": tr._("A Kazakhstan passport number is N and 8 digits (N12345678). "
                                   "Please check it."),
        "passport_format_ru": tr._("A Russian international passport number has 9 digits. "
                                   "Please check it."),
        "uscc_length": tr._("A unified social credit code has exactly 18 characters; this one "
                            "has {count}. It is on the business licence.", count=value),
        "uscc_characters": tr._("A unified social credit code has only digits and capital "
                                "Latin letters, never I, O, S, V or Z. Please check it."),
        "uscc_structure": tr._("In a unified social credit code the 3rd to 8th characters are "
                               "digits (the region code). Please check it."),
        "uscc_check_character": tr._("The last character (the check character) of this unified "
                                     "social credit code does not match: one character is "
                                     "probably mistyped. Please compare it with the business "
                                     "licence."),
        "registration_format": tr._("Please type the registration number as in the company's "
                                    "registration certificate: Latin letters and digits (at "
                                    "least one digit), spaces, - / . allowed."),
        "country_unknown": tr._("I do not know this country. Please press a button, or type "
                                "the country's name (for example Германия, Germany, 德国)."),
        "iin_century": tr._("In an IIN the 7th digit is 1 to 6. Please check the number."),
        "iin_birth_date": tr._("An IIN starts with the date of birth (YYMMDD), and this one "
                               "is not a real date. Please check the number."),
        "bin_structure": tr._("This does not look like a BIN (month in digits 3-4, type 4, 5 "
                              "or 6 in digit 5). Please check the number."),
        "id_check_digit": tr._("The last digit (the check digit) does not match: one digit "
                               "is probably mistyped. Please check the number."),
        "phone_format": tr._("Please send the number in international form with its country "
                             "code, like +86 138 0013 8000 or +7 701 123 45 67, or press «Share "
                             "my phone number»."),
        "phone_not_kz_mobile": tr._("Please give a Kazakhstan mobile number (+7 70x, 747, "
                                    "76x, 77x or 785)."),
        "phone_not_own": tr._("This is someone else's contact. Please press «Share my phone "
                              "number» to share your own, or type the number."),
        "year_format": tr._("Please send the year as four digits, for example 2024."),
        "year_range": tr._("The year must be between 1990 and next year."),
        "battery_format": tr._("Please send the capacity as a number of kWh, for example "
                               "75 or 60.5."),
        "battery_range": tr._("The capacity must be between 1 and 400 kWh."),
        "name_format": tr._("Please send it as text, at least two letters."),
        "not_text": tr._("Please type the answer as a text message."),
        "file_type": tr._("Please send a photo or a PDF file (a scan may also be a JPEG or "
                          "PNG file)."),
        "file_content": tr._("This file is not really a PDF, JPEG or PNG: its content does not "
                             "match its name or type, so I cannot accept it. Please send a PDF "
                             "file, or a photo or scan as JPEG or PNG."),
        "file_unavailable": tr._("I could not download this file from Telegram to check it. "
                                 "Please send it again in a minute."),
        "file_too_big": tr._("This file is larger than 20 MB, which Telegram does not let bots "
                             "download. Please send a smaller scan or a photo."),
        "use_buttons": tr._("Please choose with the buttons below."),
    }[code]


def id_question(tr: Translator, kind: str) -> str:
    return {
        "iin": tr._("Your IIN (12 digits)?"),
        "bin": tr._("The company's BIN (12 digits)?"),
        "passport": tr._("Your passport number (letters and digits, as printed in the "
                         "passport)?"),
        "uscc": tr._("The company's unified social credit code (统一社会信用代码, 18 "
                     "characters, on the business licence)?"),
        "registration": tr._("The company's registration number in its country?"),
    }[kind]


def question(tr: Translator, key: str, applicant_type: str | None,
             kind: str | None = None) -> str:
    if key == "id_number" and kind is not None:
        return id_question(tr, kind)
    company = applicant_type == "company"
    return {
        "applicant_type": tr._("Who applies?"),
        "residency": (tr._("Where is the company registered?") if company
                      else tr._("Are you a resident of Kazakhstan (with an IIN)?")),
        "country": (tr._("In which country is the company registered? Press a button or type "
                         "the country's name.") if company
                    else tr._("Which country issued your passport? Press a button or type the "
                              "country's name.")),
        "acting": tr._("Who is filling in this application?"),
        "iin": tr._("Do you also have a Kazakhstan IIN (12 digits)? Type it, or press «I have "
                    "no IIN»."),
        "agent_name": tr._("The representative's full name, as in their identity document?"),
        "agent_id": tr._("The representative's IIN, or their passport number if they have no "
                         "IIN? (The power of attorney is asked with the documents.)"),
        "applicant_name": (tr._("The company's full name, as registered?")
                           if applicant_type == "company"
                           else tr._("Your full name, as in your identity document?")),
        "id_number": (tr._("The company's BIN (12 digits)?") if applicant_type == "company"
                      else tr._("Your IIN (12 digits)?")),
        "phone": tr._("A contact phone number? Press «Share my phone number» below, or type "
                      "it with its country code (+86 138 0013 8000, +7 701 123 45 67)."),
        "vin": tr._("The vehicle's VIN (17 characters, from the VIN plate or the documents)?"),
        "make": tr._("The make (for example BYD, Zeekr, Tesla)?"),
        "model": tr._("The model?"),
        "year": tr._("The year of manufacture?"),
        "category": tr._("The vehicle category?"),
        "powertrain": tr._("The powertrain?"),
        "battery_kwh": tr._("The traction battery's capacity, in kWh?"),
        "chemistry": tr._("The battery chemistry?"),
        "inlet": tr._("The charging inlet (check the car: GB/T and CCS2 do not fit each "
                      "other)?"),
    }[key]


def local_time(tr: Translator, seconds: int) -> str:
    return tr.short_datetime(datetime.fromtimestamp(seconds, tz=UTC))


def fields_block(tr: Translator, app: Application) -> list[str]:
    kind = id_kind(app.values())
    return [f"{field_label(tr, f, app.applicant_type, kind)}: "
            f"<b>{html.escape(value_text(tr, app, f))}</b>" for f in form_fields(app.values())]


def documents_block(tr: Translator, items: list[DocItem], docs: list[Document]) -> list[str]:
    counts: dict[str, int] = {}
    for d in docs:
        counts[d.kind] = counts.get(d.kind, 0) + 1
    lines = []
    for item in items:
        count = counts.get(item.kind, 0)
        mark = "✅" if count else ("⬜" if item.required else "▫️")
        line = f"{mark} {html.escape(doc_label(tr, item.kind))}"
        if count > 1 or item.expected > 1:
            line += f" ({count}/{item.expected})" if item.expected > 1 else f" ({count})"
        lines.append(line)
    return lines


def app_checklist(app: Application) -> list[DocItem]:
    return checklist(app.path, app.applicant_type, app.category, app.acting)


def missing_items(app: Application, docs: list[Document]) -> list[str]:
    return missing_required(app_checklist(app), {d.kind for d in docs})


def vin_year_text(tr: Translator, vin: str, year: int, years: tuple[int, ...]) -> str:
    return tr._("⚠️ The VIN's 10th character ({char}) stands for model year {years}, but the "
                "year of manufacture is {year}. Please check both.", char=vin[9],
                years=" / ".join(str(y) for y in years), year=year)


def review_text(tr: Translator, app: Application, docs: list[Document],
                duplicates: list[str], year_mismatch: tuple[int, ...] = ()) -> str:
    lines = [tr._("<b>Check your application</b>"), ""] + fields_block(tr, app)
    lines += ["", tr._("<b>Documents</b>")] + documents_block(tr, app_checklist(app), docs)
    if app.vin_warning:
        lines += ["", tr._("⚠️ The VIN's check digit does not match; you confirmed it is "
                           "right as typed.")]
    if year_mismatch and app.vin and app.year:
        lines += ["", vin_year_text(tr, app.vin, app.year, year_mismatch)]
    if duplicates:
        lines += ["", tr._("⚠️ You already have an application with this VIN: {numbers}. "
                           "Submit only if this is really a new application.",
                           numbers=", ".join(duplicates))]
    lines += ["", tr._("Press a field to change it, or submit.")]
    return "\n".join(lines)


def history_line(tr: Translator, change: StatusChange,
                 actors: dict[int, str] | None = None) -> str:
    """`actors`: staff see who made each change (names by user id, already escaped)."""
    if change.event == "documents_received":
        names = ", ".join(doc_label(tr, k) for k in change.kinds)
        line = f"{local_time(tr, change.at)}: " + html.escape(
            tr._("📥 documents received: {names}", names=names))
    else:
        line = f"{local_time(tr, change.at)}: {html.escape(status_label(tr, change.to_status))}"
        if change.comment:
            line += f" — {html.escape(clip(change.comment, COMMENT_SHOWN))}"
    if actors is not None and change.actor_id in actors:
        line += f" · {actors[change.actor_id]}"
    return line


def card_text(tr: Translator, app: Application, docs: list[Document],
              history: list[StatusChange], actors: dict[int, str] | None = None) -> str:
    """`actors`: staff see who made each change (names by user id, already escaped)."""
    lines = [tr._("<b>Application {number}</b>", number=app.number),
             tr._("Status: <b>{status}</b>", status=status_label(tr, app.status)), ""]
    lines += fields_block(tr, app)
    lines += ["", tr._("<b>Documents</b>")] + documents_block(tr, app_checklist(app), docs)
    to_follow = [k for k in app.documents_to_follow if k in missing_items(app, docs)]
    if to_follow and app.status not in ("approved", "rejected", "withdrawn"):
        lines.append(tr._("⏳ Documents to follow: {names}", names=html.escape(", ".join(
            doc_label(tr, k) for k in to_follow))))
    lines += ["", tr._("<b>History</b>")]
    if len(history) > HISTORY_SHOWN:  # a card stays one message however long the history
        earlier = len(history) - HISTORY_SHOWN
        lines.append(tr.ngettext("… {n} earlier change", "… {n} earlier changes", earlier))
    lines += [history_line(tr, change, actors) for change in history[-HISTORY_SHOWN:]]
    return "\n".join(lines)


DOC_BUTTONS = 8  # document buttons on a card; more are listed a page at a time
ALBUM = 10       # files sendMediaGroup takes at once


def document_rows(tr: Translator, app_id: int, docs: list[Document], item_prefix: str,
                  list_data: str) -> list[list[tuple[str, str]]]:
    """A button per checklist item that has files (pressing it re-sends them: an album for
    several), at most DOC_BUTTONS; past that, one button to the full list (`list_data`)."""
    counts: dict[str, int] = {}
    for d in docs:
        counts[d.kind] = counts.get(d.kind, 0) + 1
    kinds = list(counts)
    shown = kinds if len(kinds) <= DOC_BUTTONS else kinds[:DOC_BUTTONS - 1]
    # An item with more files than an album holds opens the paged list instead.
    rows = [[(clip(f"📄 {doc_label(tr, k)}", 50) + (f" ({counts[k]})" if counts[k] > 1 else ""),
              f"{item_prefix}:{app_id}:{k}" if counts[k] <= ALBUM else list_data)]
            for k in shown]
    if len(shown) < len(kinds):
        rows.append([(tr.ngettext("📄 All documents ({n})", "📄 All documents ({n})",
                                  len(docs)), list_data)])
    return rows


def documents_page(tr: Translator, app: Application, docs: list[Document], number: int,
                   file_prefix: str, page_prefix: str, back: tuple[str, str]
                   ) -> tuple[str, list[list[tuple[str, str]]]]:
    """One page of an application's documents: the text and the buttons."""
    size = DOC_BUTTONS
    shown, before, after = page(docs, number, size)
    rows = [[(clip(f"📄 {doc_label(tr, d.kind)} · {local_time(tr, d.uploaded_at)}", 60),
              f"{file_prefix}:{d.id}")] for d in shown]
    nav = ([("◀️", f"{page_prefix}:{number - 1}")] if before else []) + \
        ([("▶️", f"{page_prefix}:{number + 1}")] if after else [])
    text = tr._("<b>Documents of {number}</b>, page {page} of {pages}", number=app.number,
                page=number + 1, pages=max(1, -(-len(docs) // size)))
    return text, rows + ([nav] if nav else []) + [[back]]
