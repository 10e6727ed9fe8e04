"""Input validation: VIN, IIN/BIN, Kazakh mobile phone, year, battery, names, files.

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
    """A Kazakh mobile number, typed (+7…, 8…, 7…) or shared as a contact; E.164 back."""
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]  # 8 is the national trunk prefix
    if len(digits) == 10:
        digits = "7" + digits
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return Check(error="phone_format")
    national = str(number.national_number)
    if number.country_code != 7 or len(national) != 10:
        return Check(error="phone_format")
    if not KZ_MOBILE.fullmatch(national):
        return Check(error="phone_not_kz_mobile")
    return Check(value=f"+7{national}")


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


def check_name(raw: str, min_len: int = 2, max_len: int = 200) -> Check:
    text = " ".join(raw.split())
    if not min_len <= len(text) <= max_len or not any(c.isalpha() for c in text):
        return Check(error="name_format")
    return Check(value=text)


def check_short_text(raw: str) -> Check:
    """A make or a model: short, any characters ("001", "3", "e:NS1" are real models)."""
    text = " ".join(raw.split())
    if not 1 <= len(text) <= 60:
        return Check(error="name_format")
    return Check(value=text)


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
