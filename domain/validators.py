"""Input validation: VIN (with its model year), IIN/BIN, passports, foreign company numbers
(China's unified social credit code), phones of any country, year, battery, names, files.

Each check returns a Check: the normalised value, or an error code the handler
turns into a sentence in the user's language; a VIN may also carry a warning
the user can confirm (a failed check digit outside China).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_VALUES = {**{str(d): d for d in range(10)},
              **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMN", range(1, 6), strict=True)),
              "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
# A file sent as a document is looked at only if it claims to be one of these (by MIME type
# or name): no point downloading a video or an archive. Its content decides (file_kind).
DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}
DOCUMENT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")
# How each accepted kind of file begins, and the MIME type recorded for it.
SIGNATURES = {"pdf": b"%PDF-", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}
MIME_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
KZ_MOBILE = re.compile(r"7(0\d|47|6\d|7\d|85)\d{7}")


@dataclass(frozen=True)
class Check:
    value: object = None
    error: str | None = None      # e.g. "vin_length"
    warning: str | None = None    # e.g. "vin_check_digit": the user may confirm

    @property
    def ok(self) -> bool:
        return self.error is None


def vin_check_digit(vin: str) -> str:
    total = sum(VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True)) % 11
    return "X" if total == 10 else str(total)


def check_vin(raw: str) -> Check:
    vin = re.sub(r"[\s-]", "", raw).upper()
    if len(vin) != 17:
        return Check(error="vin_length", value=len(vin))
    if any(c in "IOQ" for c in vin):
        return Check(error="vin_letters_ioq")
    if any(c not in VIN_ALPHABET for c in vin):
        return Check(error="vin_characters")
    if vin[8] != vin_check_digit(vin):
        if vin.startswith("L"):  # China (GB 16735) uses the same check digit: it must pass
            return Check(error="vin_check_digit_china", value=vin)
        return Check(value=vin, warning="vin_check_digit")
    return Check(value=vin)


def _kz_check_digit(digits: list[int]) -> int | None:
    """IIN/BIN check digit: weights 1..11, then 3..11,1,2 if the first gives 10; None if
    both do."""
    first = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if first != 10:
        return first
    weights = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    second = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return None if second == 10 else second


def check_iin(raw: str, today: date) -> Check:
    digits = re.sub(r"\s", "", raw)
    if not re.fullmatch(r"\d{12}", digits):
        return Check(error="id_format")
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}.get(digits[6])
    if century is None:
        return Check(error="iin_century")
    try:
        born = date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return Check(error="iin_birth_date")
    if born > today:
        return Check(error="iin_birth_date")
    if _kz_check_digit([int(d) for d in digits[:11]]) != int(digits[11]):
        return Check(error="id_check_digit")
    return Check(value=digits)


def check_bin(raw: str) -> Check:
    digits = re.sub(r"\s", "", raw)
    if not re.fullmatch(r"\d{12}", digits):
        return Check(error="id_format")
    if not 1 <= int(digits[2:4]) <= 12 or digits[4] not in "456" or digits[5] not in "0123":
        return Check(error="bin_structure")
    if _kz_check_digit([int(d) for d in digits[:11]]) != int(digits[11]):
        return Check(error="id_check_digit")
    return Check(value=digits)


def check_phone(raw: str) -> Check:
    """A phone number typed by the user; E.164 back. International form (+86 138 0013 8000,
    0086…, 00 7…) for any country; without a country code, Kazakh national forms (8 7xx…,
    7xx…), which must then be a Kazakh mobile (a landline is not reachable by the centre's
    SMS and calls go unanswered at night)."""
    text = raw.strip()
    if len(text) > 40:
        return Check(error="phone_format")
    digits = re.sub(r"\D", "", text)
    international = text.startswith("+") or digits.startswith("00")
    if international:
        digits = digits[2:] if digits.startswith("00") and not text.startswith("+") else digits
        try:
            number = phonenumbers.parse("+" + digits)
        except phonenumbers.NumberParseException:
            return Check(error="phone_format")
        if not phonenumbers.is_valid_number(number):
            return Check(error="phone_format")
        if number.country_code == 7 and phonenumbers.region_code_for_number(number) == "KZ" \
                and not KZ_MOBILE.fullmatch(str(number.national_number)):
            return Check(error="phone_not_kz_mobile")
        return Check(value=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]  # 8 is the national trunk prefix
    if len(digits) == 10:
        digits = "7" + digits
    if len(digits) != 11 or digits[0] != "7":
        return Check(error="phone_format")
    national = digits[1:]
    if not KZ_MOBILE.fullmatch(national):
        return Check(error="phone_not_kz_mobile")
    return Check(value=f"+7{national}")


def check_shared_phone(raw: str) -> Check:
    """The user's own number shared with Telegram's contact button: Telegram has verified
    it, so any country is taken as it is (only put in E.164 form)."""
    digits = re.sub(r"\D", "", raw)
    if not 5 <= len(digits) <= 15:
        return Check(error="phone_format")
    return Check(value="+" + digits)


def check_year(raw: str, today: date) -> Check:
    text = raw.strip()
    if not re.fullmatch(r"\d{4}", text):
        return Check(error="year_format")
    year = int(text)
    if not 1990 <= year <= today.year + 1:
        return Check(error="year_range", value=year)
    return Check(value=year)


def check_battery(raw: str) -> Check:
    text = raw.strip().replace(",", ".").lower().removesuffix("kwh").removesuffix("квт·ч").strip()
    try:
        kwh = float(text)
    except ValueError:
        return Check(error="battery_format")
    if not 1 <= kwh <= 400:
        return Check(error="battery_range")
    return Check(value=round(kwh, 1))


NAME_MAX = 200   # characters in a person's or a company's name
SHORT_MAX = 60   # a make or a model


def check_name(raw: str, min_len: int = 2, max_len: int = NAME_MAX) -> Check:
    text = " ".join(raw.split())
    if len(text) > max_len:
        return Check(error="name_too_long", value=(max_len, len(text)))
    if len(text) < min_len or not any(c.isalpha() for c in text):
        return Check(error="name_format")
    return Check(value=text)


def check_short_text(raw: str) -> Check:
    """A make or a model: short, any characters ("001", "3", "e:NS1" are real models)."""
    text = " ".join(raw.split())
    if len(text) > SHORT_MAX:
        return Check(error="text_too_long", value=(SHORT_MAX, len(text)))
    if not text:
        return Check(error="name_format")
    return Check(value=text)


# --- identity documents of foreign applicants ------------------------------------------

# China's ordinary passports: E + 8 digits (2012-2017), E + a letter (not I, O) + 7 digits
# (from 2017), the older G + 8 digits; Kazakhstan's: N + 8 digits; Russia's foreign
# passport: 9 digits. Others: ICAO 9303 document numbers, letters and digits.
PASSPORT_FORMATS = {
    "cn": re.compile(r"E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8}"),
    "kz": re.compile(r"N\d{8}"),
    "ru": re.compile(r"\d{9}"),
}
PASSPORT_MIN, PASSPORT_MAX = 5, 12


def check_passport(raw: str, country: str | None = None) -> Check:
    number = re.sub(r"[\s-]", "", raw).upper()
    if not re.fullmatch(r"[A-Z0-9]+", number):
        return Check(error="passport_characters")
    if not PASSPORT_MIN <= len(number) <= PASSPORT_MAX:
        return Check(error="passport_length", value=(PASSPORT_MIN, PASSPORT_MAX, len(number)))
    if not any(c.isdigit() for c in number):
        return Check(error="passport_characters")
    pattern = PASSPORT_FORMATS.get(country or "")
    if pattern is not None and not pattern.fullmatch(number):
        return Check(error=f"passport_format_{country}")
    return Check(value=number)


# GB 32100-2015: 18 characters of this alphabet (no I, O, S, V, Z); the 18th is a check
# character: weights 3^i mod 31, check = 31 - (sum mod 31), 31 written as 0.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_check_character(code: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(raw: str) -> Check:
    """China's unified social credit code (统一社会信用代码), as on the business licence."""
    code = re.sub(r"[\s-]", "", raw).upper()
    if len(code) != 18:
        return Check(error="uscc_length", value=len(code))
    if any(c not in USCC_ALPHABET for c in code):
        return Check(error="uscc_characters")
    if not code[2:8].isdigit():  # the registering authority's administrative division
        return Check(error="uscc_structure")
    if uscc_check_character(code) != code[17]:
        return Check(error="uscc_check_character")
    return Check(value=code)


def check_foreign_registration(raw: str) -> Check:
    """A foreign company's registration number: too many national formats to check more
    than its shape (letters, digits, spaces, - / .; at least one digit)."""
    text = " ".join(raw.split()).upper()
    if len(text) > 40:
        return Check(error="registration_length", value=(40, len(text)))
    if len(text) < 3 or not re.fullmatch(r"[A-Z0-9][A-Z0-9 ./-]*", text) \
            or not any(c.isdigit() for c in text):
        return Check(error="registration_format")
    return Check(value=text)


def check_person_id(raw: str, today: date) -> Check:
    """A representative's own identity: an IIN (12 digits) or a passport number."""
    digits = re.sub(r"\s", "", raw)
    if re.fullmatch(r"\d{12}", digits):
        return check_iin(digits, today)
    return check_passport(raw)


# --- VIN model year ------------------------------------------------------------------

# Position 10 of a VIN (ISO 3779, and China's GB 16735) is the model year: letters from
# 1980 (A) and digits 1-9 for 2001-2009, repeating every 30 years.
VIN_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def vin_model_years(vin: str) -> tuple[int, ...]:
    """The years the VIN's 10th character can stand for (one per 30-year cycle), from
    1980 to 2039; () if it is no year code (some makers outside China use it otherwise)."""
    if len(vin) != 17 or vin[9] not in VIN_YEAR_CODES:
        return ()
    first = 1980 + VIN_YEAR_CODES.index(vin[9])
    return tuple(y for y in (first, first + 30) if y <= 2039)


def vin_year_mismatch(vin: str, year: int) -> tuple[int, ...]:
    """The VIN's model years if none fits the year of manufacture typed (a model year may
    run a year ahead of or behind the year the vehicle was built); () when it fits."""
    years = vin_model_years(vin)
    if not years or any(abs(y - year) <= 1 for y in years):
        return ()
    return years


@dataclass(frozen=True)
class Upload:
    file_id: str
    unique_id: str
    name: str | None
    mime_type: str | None
    size: int | None
    is_photo: bool


def check_upload(upload: Upload, known_unique_ids: dict[str, str]) -> Check:
    """What can be told before downloading: a photo, or a document claiming to be a PDF,
    JPEG or PNG; at most 20 MB; not the same file twice (value: the earlier kind). A
    document's content is checked next (file_kind): the claim alone proves nothing."""
    if not upload.is_photo and upload.mime_type not in DOCUMENT_TYPES \
            and not (upload.name or "").lower().endswith(DOCUMENT_SUFFIXES):
        return Check(error="file_type")
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        return Check(error="file_too_big")
    if upload.unique_id in known_unique_ids:
        return Check(error="file_duplicate", value=known_unique_ids[upload.unique_id])
    return Check(value=upload)


def file_kind(content: bytes) -> str | None:
    """"pdf", "jpeg" or "png" by the file's first bytes, whatever its name and MIME type
    say; None for anything else (an .exe renamed to .pdf, a Word file, an empty file)."""
    return next((kind for kind, magic in SIGNATURES.items() if content.startswith(magic)),
                None)


def check_content(content: bytes) -> Check:
    """A downloaded document: its kind (value), or file_content if it is none we accept."""
    kind = file_kind(content)
    return Check(value=kind) if kind else Check(error="file_content")
