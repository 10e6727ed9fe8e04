"""VIN, IIN/BIN, phone and the other checks: known-good values and near misses."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.validators import (
    VIN_ALPHABET,
    Upload,
    check_battery,
    check_bin,
    check_content,
    check_foreign_registration,
    check_iin,
    check_name,
    check_passport,
    check_person_id,
    check_phone,
    check_shared_phone,
    check_short_text,
    check_upload,
    check_uscc,
    check_vin,
    check_year,
    file_kind,
    uscc_check_character,
    vin_check_digit,
    vin_model_years,
    vin_year_mismatch,
)

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "1HGCM82633A004352", "11111111111111111",
                                 "1m8gdm9axkp-042788", " 1M8G DM9A XKP0 42788 "])
def test_known_good_vins(vin):
    check = check_vin(vin)
    assert check.ok and check.warning is None and isinstance(check.value, str) \
        and len(check.value) == 17


def test_vin_check_digit_by_hand():
    # 1M8GDM9A?KP042788: 1·8+4·7+8·6+7·5+4·4+4·3+9·2+1·10+2·9+7·8+0·7+4·6+2·5+7·4+8·3+8·2 = 351,
    # 351 mod 11 = 10 -> "X"
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"


@pytest.mark.parametrize("vin,error", [
    ("1M8GDM9AXKP04278", "vin_length"),
    ("1M8GDM9AXKP0427889", "vin_length"),
    ("1M8GDM9AXKP04278O", "vin_letters_ioq"),
    ("IM8GDM9AXKP042788", "vin_letters_ioq"),
    ("1M8GDM9AXKP04278Ж", "vin_characters"),
])
def test_vin_near_misses(vin, error):
    assert check_vin(vin).error == error


def test_chinese_vin_must_pass_the_check_digit_others_only_warn():
    body = "LRW3E7FS?NC123456"
    good = body.replace("?", vin_check_digit(body.replace("?", "0")))
    assert check_vin(good).ok and check_vin(good).warning is None
    wrong = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    assert check_vin(wrong).error == "vin_check_digit_china"
    other = "1HGCM82634A004352"  # Honda, check digit off by one
    assert check_vin(other).ok and check_vin(other).warning == "vin_check_digit"


@given(st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17))
def test_any_vin_with_its_check_digit_passes(vin):
    fixed = vin[:8] + vin_check_digit(vin) + vin[9:]
    assert check_vin(fixed).ok and check_vin(fixed).warning is None


@pytest.mark.parametrize("iin", ["870512300122", "870512 300122"])
def test_known_good_iin(iin):
    # digits·(1..11): 8+14+0+20+5+12+21+0+0+10+22 = 112, 112 mod 11 = 2
    assert check_iin(iin, TODAY).value == "870512300122"


@pytest.mark.parametrize("iin,error", [
    ("87051230012", "id_format"),
    ("87051230012a", "id_format"),
    ("870512300123", "id_check_digit"),      # last digit off
    ("870512700122", "iin_century"),         # 7th digit must be 1-6
    ("871312300122", "iin_birth_date"),      # month 13
    ("870230300122", "iin_birth_date"),      # 30 February
    ("301231500122", "iin_birth_date"),      # born in 2030
])
def test_iin_near_misses(iin, error):
    assert check_iin(iin, TODAY).error == error


def test_bin_with_the_second_weights():
    # 0,5,0,6,4,0,0,0,4,3,2 · (1..11) = 142, mod 11 = 10 -> weights 3..11,1,2: 135, mod 11 = 3
    assert check_bin("050640004323").ok
    assert check_bin("050640004324").error == "id_check_digit"
    assert check_bin("051340004323").error == "bin_structure"  # month 13
    assert check_bin("050670004323").error == "bin_structure"  # type digit 7


@pytest.mark.parametrize("raw", ["+7 701 123 45 67", "87011234567", "+7(747)1234567",
                                 "77711234567", "7051234567", "+7 785 123 4567"])
def test_kazakh_mobiles(raw):
    value = check_phone(raw).value
    assert isinstance(value, str)
    assert value[:3] == "+77"


@pytest.mark.parametrize("raw,value", [
    ("+86 138 0013 8000", "+8613800138000"),     # China Mobile, as written on cards
    ("+86-138-0013-8000", "+8613800138000"),
    ("0086 13800138000", "+8613800138000"),      # the international prefix typed out
    ("+7 916 123 45 67", "+79161234567"),        # a Russian mobile (+7 is shared)
    ("+996 555 123 456", "+996555123456"),       # Kyrgyzstan
    ("+49 30 901820", "+4930901820"),            # a German landline
])
def test_phones_of_any_country_in_international_form(raw, value):
    assert check_phone(raw).value == value


@pytest.mark.parametrize("raw,error", [
    ("+7 727 250 00 00", "phone_not_kz_mobile"),  # Almaty landline
    ("8 916 123 45 67", "phone_not_kz_mobile"),   # national form: must be a Kazakh mobile
    ("+86 138 0013 800", "phone_format"),         # one digit short
    ("+1 202 555", "phone_format"),               # too short for the North American plan
    ("+999 123 456 789", "phone_format"),         # no such country code
    ("13800138000", "phone_format"),              # a Chinese mobile without +86: ambiguous
    ("+" + "1" * 50, "phone_format"),
    ("12345", "phone_format"),
    ("", "phone_format"),
])
def test_phone_near_misses(raw, error):
    assert check_phone(raw).error == error


def test_year_battery_and_names():
    assert check_year("2024", TODAY).value == 2024
    assert check_year("2027", TODAY).ok and check_year("2028", TODAY).error == "year_range"
    assert check_year("1989", TODAY).error == "year_range"
    assert check_year("twenty", TODAY).error == "year_format"
    assert check_battery("75,5").value == 75.5 and check_battery("60 kWh").value == 60
    assert check_battery("0").error == "battery_range"
    assert check_battery("много").error == "battery_format"
    assert check_name("  Айгерим   Нұрланқызы ").value == "Айгерим Нұрланқызы"
    assert check_name("1").error == "name_format"
    assert check_name("Ж" * 5000).error == "name_too_long"
    assert check_name("Ж" * 5000).value == (200, 5000)  # the rule and what was sent
    assert check_name("Ж" * 200).ok
    assert check_short_text("e:NS1").value == "e:NS1"
    assert check_short_text("x" * 61).error == "text_too_long"


def test_shared_contacts_are_taken_as_telegram_verified_them():
    assert check_shared_phone("8613800138000").value == "+8613800138000"
    assert check_shared_phone("+77011234567").value == "+77011234567"
    assert check_shared_phone("123").error == "phone_format"


# Published examples: GB 32100-2015's own (91350100M000100Y43) and business licences of
# Huawei, BYD and Tencent as shown in the national enterprise credit information system.
@pytest.mark.parametrize("code", ["91350100M000100Y43", "914403001922038216",
                                  "91440300192317458F", "9144030071526726XG",
                                  "9144 0300 1923 1745 8f"])
def test_known_good_uscc(code):
    check = check_uscc(code)
    assert check.ok and check.value == code.replace(" ", "").upper()


def test_uscc_check_character_by_hand():
    # values·(3^i mod 31): 9·1+1·3+3·9+5·27+0·19+1·26+0·16+0·17+21(M)·20+0·29+0·25+0·13
    # +1·8+0·24+0·10+30(Y)·30+4·28 = 1640; 1640 mod 31 = 28; 31 - 28 = 3
    assert uscc_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code,error", [
    ("91350100M000100Y4", "uscc_length"),
    ("91350100M000100Y433", "uscc_length"),
    ("91350100M000100Y44", "uscc_check_character"),   # last character off by one
    ("91350100M000100Y34", "uscc_check_character"),   # two characters swapped
    ("91350100M0001O0Y43", "uscc_characters"),        # the letter O is not used
    ("91350100M000100I43", "uscc_characters"),        # nor I
    ("9135A100M000100Y43", "uscc_structure"),         # division code is six digits
    ("914403001922038217", "uscc_check_character"),
])
def test_uscc_near_misses(code, error):
    assert check_uscc(code).error == error


@pytest.mark.parametrize("raw,country,value", [
    ("E12345678", "cn", "E12345678"),
    ("EA1234567", "cn", "EA1234567"),
    ("g 1234 5678", "cn", "G12345678"),
    ("N12345678", "kz", "N12345678"),
    ("751234567", "ru", "751234567"),
    ("C01X00T47", "de", "C01X00T47"),   # Germany's specimen passport number
    ("AB123456", None, "AB123456"),
])
def test_passports(raw, country, value):
    assert check_passport(raw, country).value == value


@pytest.mark.parametrize("raw,country,error", [
    ("E1234567", "cn", "passport_format_cn"),     # one digit short
    ("EO1234567", "cn", "passport_format_cn"),    # O is not used after E
    ("P12345678", "cn", "passport_format_cn"),
    ("N1234567", "kz", "passport_format_kz"),
    ("75123456", "ru", "passport_format_ru"),
    ("ABCDEFG", "de", "passport_characters"),    # no digit at all
    ("E12", None, "passport_length"),
    ("E12345678901234", None, "passport_length"),
    ("Е12345678", "cn", "passport_characters"),   # a Cyrillic Е
    ("没有", None, "passport_characters"),
])
def test_passport_near_misses(raw, country, error):
    assert check_passport(raw, country).error == error


def test_foreign_registration_numbers_and_a_representatives_identity():
    assert check_foreign_registration("HRB 12345 B").value == "HRB 12345 B"
    assert check_foreign_registration("1027700132195").ok       # a Russian OGRN
    assert check_foreign_registration("ООО").error == "registration_format"
    assert check_foreign_registration("ABC").error == "registration_format"
    assert check_foreign_registration("1" * 41).error == "registration_length"
    assert check_person_id("870512300122", TODAY).value == "870512300122"
    assert check_person_id("870512300123", TODAY).error == "id_check_digit"
    assert check_person_id("E12345678", TODAY).value == "E12345678"


@pytest.mark.parametrize("vin,years", [
    ("LRW3E7FS0NC123456", (1992, 2022)),   # N
    ("LGXCE6CB6R0000001", (1994, 2024)),   # R
    ("1HGCM82633A004352", (2003, 2033)),   # 3
    ("WVWZZZ1JZXW000001", (1999, 2029)),   # X
])
def test_vin_model_year_character(vin, years):
    assert vin_model_years(vin) == years


def test_vin_year_mismatch_allows_a_year_either_side_and_the_30_year_cycle():
    vin = "LRW3E7FS0NC123456"  # N: 2022 (or 1992)
    assert vin_year_mismatch(vin, 2022) == ()
    assert vin_year_mismatch(vin, 2021) == () and vin_year_mismatch(vin, 2023) == ()
    assert vin_year_mismatch(vin, 1992) == ()
    assert vin_year_mismatch(vin, 2024) == (1992, 2022)
    assert vin_year_mismatch("LRW3E7FS0BC123456", 2023) == (1981, 2011)  # B
    assert vin_year_mismatch("LRW3E7FS0UC123456", 2023) == ()       # U: no year code


def test_uploads():
    pdf = Upload("f1", "u1", "a.pdf", "application/pdf", 1000, False)
    photo = Upload("f2", "u2", None, None, 2000, True)
    assert check_upload(pdf, {}).ok and check_upload(photo, {}).ok
    assert check_upload(Upload("f3", "u3", "a.docx", "application/msword", 10, False),
                        {}).error == "file_type"
    assert check_upload(Upload("f4", "u4", "b.pdf", "application/pdf", 21 * 2**20, False),
                        {}).error == "file_too_big"
    assert check_upload(pdf, {"u1": "contract"}).value == "contract"


def test_scans_claimed_as_jpeg_or_png_are_looked_at_too():
    claims: list[tuple[str | None, str | None]] = [
        ("scan.png", "image/png"), ("scan.jpg", "image/jpeg"), ("SCAN.JPEG", None),
        ("scan.PDF", "application/octet-stream")]
    for name, mime in claims:
        assert check_upload(Upload("f", "u", name, mime, 10, False), {}).ok, name
    claims = [("a.zip", "application/zip"), ("clip.mp4", "video/mp4"), (None, None)]
    for name, mime in claims:
        assert check_upload(Upload("f", "u", name, mime, 10, False), {}).error == "file_type"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize("content,kind", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
    (b"\xff\xd8\xff\xe1\x00\x18Exif", "jpeg"),
    (PNG, "png"),
])
def test_file_kind_by_content(content, kind):
    assert file_kind(content) == kind
    assert check_content(content).value == kind


@pytest.mark.parametrize("content", [
    b"", b"MZ\x90\x00\x03\x00\x00\x00",      # a Windows executable, whatever its name
    b"%PDF", b"%PDF 1.4", b"%pdf-1.4", b" %PDF-1.4", b"\xef\xbb\xbf%PDF-1.4",  # near misses
    b"\xff\xd8", b"\xff\xd8\xfe", b"\xd8\xff\xff",
    PNG[:7], b"\x89PNG\r\n\x1a\x0b", b"\x89png\r\n\x1a\n", b"PNG\r\n\x1a\n",
    b"PK\x03\x04docx", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP", b"{\\rtf1",
])
def test_anything_else_is_refused_by_content(content):
    assert file_kind(content) is None
    assert check_content(content).error == "file_content"


def test_date_examples_are_valid_answers_and_odd_hours_are_noticed():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from domain.dates import example_slot, format_when, outside_hours, parse_when
    tz = ZoneInfo("Asia/Almaty")
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=tz)
    assert format_when(example_slot(friday, tz), tz) == "30.11.2026 10:30"  # Monday
    tuesday = datetime(2026, 12, 1, 23, 50, tzinfo=tz)
    example = example_slot(tuesday, tz)
    assert format_when(example, tz) == "02.12.2026 10:30"
    assert parse_when(format_when(example, tz), tz) == example and example > tuesday
    assert not outside_hours(example, tz)
    assert outside_hours(datetime(2026, 11, 28, 10, 30, tzinfo=tz), tz)   # a Saturday
    assert outside_hours(datetime(2026, 11, 30, 22, 0, tzinfo=tz), tz)    # at night
    assert outside_hours(datetime(2026, 11, 30, 18, 30, tzinfo=tz), tz)   # after hours
    assert not outside_hours(datetime(2026, 11, 30, 18, 0, tzinfo=tz), tz)
