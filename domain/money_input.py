"""What a user types into the cost estimate, read as they write it: a price with its
currency ("170 000 ¥", "17万元", "12 млн тг", "$25,500"), a year, an engine volume
("1.5", "1498 см³"), an exchange rate; and whether a message asks what importing costs."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_PRICE = Decimal(10) ** 11     # tenge or any currency: beyond it, a typo
MAX_RATE = Decimal(100_000)       # tenge per unit

# Lower-case marks of a currency; a mark inside another (元 in 美元) comes after it.
CURRENCY_MARKS: tuple[tuple[str, str], ...] = (
    ("人民币", "CNY"), ("美元", "USD"), ("欧元", "EUR"), ("卢布", "RUB"), ("坚戈", "KZT"),
    ("韩元", "KRW"), ("日元", "JPY"), ("円", "JPY"), ("₩", "KRW"), ("원", "KRW"),
    ("krw", "KRW"), ("вон", "KRW"), ("jpy", "JPY"), ("иен", "JPY"), ("йен", "JPY"),
    ("yen", "JPY"),
    ("юан", "CNY"), ("rmb", "CNY"), ("cny", "CNY"), ("¥", "CNY"), ("元", "CNY"),
    ("доллар", "USD"), ("usd", "USD"), ("$", "USD"),
    ("евро", "EUR"), ("eur", "EUR"), ("€", "EUR"),
    ("руб", "RUB"), ("rub", "RUB"), ("₽", "RUB"),
    ("тенге", "KZT"), ("теңге", "KZT"), ("kzt", "KZT"), ("тг", "KZT"), ("₸", "KZT"),
)
# Words that multiply the number before them (not the start of a longer word: "k" of "kzt").
MULTIPLIER = re.compile(r"(миллиарда|миллиардов|миллиард|млрд|миллионов|миллиона|миллион|млн|"
                        r"million|mln|亿|千万|百万|万|тысячи|тысяч|тыс|мың|千|k|w)"
                        r"(?![a-zа-яёәіңғүұқөһ])")
FACTORS = {"миллиарда": 10**9, "миллиардов": 10**9, "миллиард": 10**9, "млрд": 10**9,
           "миллионов": 10**6, "миллиона": 10**6, "миллион": 10**6, "млн": 10**6,
           "million": 10**6, "mln": 10**6, "亿": 10**8, "千万": 10**7, "百万": 10**6,
           "万": 10_000, "w": 10_000, "тысячи": 1000, "тысяч": 1000, "тыс": 1000, "мың": 1000,
           "千": 1000, "k": 1000}
# "17万5千", "17万5000": ten-thousands, then the rest.
WAN_AND_REST = re.compile(r"(\d+(?:[.,]\d+)?)\s*万\s*(\d+)\s*(千)?")
CHINESE_NUMERALS = re.compile(r"[一二三四五六七八九十百两零]")
NUMBER = re.compile(r"\d[\d\s.,'’]*")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")

# What makes a message a question about the payments (lower case, anywhere in it): the name
# of a payment, or a "how much" that is not about something else the estimate leaves out
# (freight, the certification itself). A question about documents is not one, even when it
# names customs ("какие документы нужны для растаможки?").
PAYMENT_WORDS = (
    "пошлин", "утильсбор", "утилизационн", "акциз", "ндс", "растаможк", "растаможи",
    "баж", "утилизациялық", "ққс", "关税", "增值税", "消费税", "回收利用费", "报废税", "税费",
    "清关费", "报关费",
)
HOW_MUCH_WORDS = (
    "сколько стоит", "сколько будет стоить", "сколько платить", "сколько заплатить",
    "стоимость", "how much", "cost", "қанша тұрады", "қанша төле", "қанша ақша", "多少钱",
    "费用", "要交多少", "要付多少", "花多少",
)
OTHER_TOPICS = (
    "доставк", "перевоз", "тасымал", "运费", "运输", "freight", "shipping", "сертифик",
    "сынақ", "испытан", "认证", "检测", "certif", "test",
)
DOCUMENT_WORDS = ("документ", "справк", "құжат", "文件", "材料", "document")


def normalize_number(digits: str) -> Decimal | None:
    """'120 000', '120,000', '1.234.567', '12,5', '25 500.50' as a Decimal."""
    text = SPACES.sub("", digits).replace("'", "").replace("’", "").rstrip(".,")
    if not text:
        return None
    separators = [c for c in text if c in ".,"]
    if separators:
        last = max(text.rfind("."), text.rfind(","))
        kinds = set(separators)
        if len(kinds) == 2:  # both: the last one is the decimal mark
            whole, fraction = text[:last], text[last + 1:]
            text = re.sub(r"[.,]", "", whole) + "." + fraction
        elif len(separators) > 1 or len(text) - last - 1 == 3:  # thousands only
            text = re.sub(r"[.,]", "", text)
        else:
            text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def find_currency(text: str) -> str | None:
    lowered = text.lower()
    for mark, code in CURRENCY_MARKS:
        if mark in lowered:
            return code
    return None


def parse_price(text: str) -> tuple[Decimal, str | None] | None:
    """The price and the currency it names (None: not named). None: no usable price (none
    typed, several numbers, a negative one, or Chinese numerals, which are not read)."""
    lowered = SPACES.sub(" ", text.lower()).strip()
    if CHINESE_NUMERALS.search(lowered):
        return None
    compound = WAN_AND_REST.search(lowered)
    if compound is not None:
        wan, rest = normalize_number(compound.group(1)), Decimal(compound.group(2))
        if wan is None:
            return None
        total = wan * 10_000 + rest * (1000 if compound.group(3) else 1)
        return (total, find_currency(lowered)) if 0 < total < MAX_PRICE else None
    match = NUMBER.search(lowered)
    if match is None or len(NUMBER.findall(lowered)) > 1 or "-" in lowered[:match.start()]:
        return None
    value = normalize_number(match.group())
    if value is None:
        return None
    multiplier = MULTIPLIER.match(lowered[match.end():].strip())
    if multiplier is not None:
        value *= FACTORS[multiplier.group(1)]
    if value <= 0 or value >= MAX_PRICE:
        return None
    return value, find_currency(lowered)


def parse_year(text: str, this_year: int) -> int | None:
    match = re.fullmatch(r"\s*((?:19|20)\d\d)\s*(?:г\.?|год|жыл|年)?\s*", text.lower())
    if match is None:
        return None
    year = int(match.group(1))
    return year if 1950 <= year <= this_year + 1 else None


def parse_engine(text: str) -> int | None:
    """Engine volume in cm³: '1498', '1498 см3', '1.5', '1,5 л', '1.5L'."""
    match = re.fullmatch(r"\s*(\d{1,5}(?:[.,]\d{1,3})?)\s*(см3|см³|cm3|cm³|cc|куб\.?\s*см|л|l|"
                         r"升|литр[а-я]*)?\s*", text.lower())
    if match is None:
        return None
    value = Decimal(match.group(1).replace(",", "."))
    unit = match.group(2) or ""
    if unit in ("л", "l", "升") or unit.startswith("литр") or (not unit and value < 20):
        value *= 1000
    cc = int(value)
    return cc if 50 <= cc <= 20_000 else None


def parse_rate(text: str) -> Decimal | None:
    """Tenge per unit, as typed ('70.59', '70,59', '5,3')."""
    match = re.fullmatch(r"\s*(\d{1,6}(?:[.,]\d{1,6})?)\s*(?:₸|тг|тенге|теңге|坚戈|kzt)?\s*",
                         text.lower())
    if match is None:
        return None
    value = Decimal(match.group(1).replace(",", "."))
    return value if 0 < value < MAX_RATE else None


def is_cost_question(text: str) -> bool:
    lowered = text.lower()
    if any(word in lowered for word in DOCUMENT_WORDS):
        return False
    return any(word in lowered for word in PAYMENT_WORDS) or (
        any(word in lowered for word in HOW_MUCH_WORDS)
        and not any(word in lowered for word in OTHER_TOPICS))
