"""What a message typed outside any flow is, when it is not a lookup: a greeting, an
application number, a VIN, or a question for the centre (contacts, address, hours, how
long it takes). Pure text rules in kk, ru, zh (and English); the handlers route on them."""
from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from domain.validators import vin_check_digit

# Greetings alone, or with a word or two ("привет, бот", "сәлеметсіз бе!", "你好啊").
GREETINGS = (
    "привет", "приветствую", "здравствуйте", "здравствуй", "здрасте", "добрый день",
    "доброе утро", "добрый вечер", "доброго дня", "салам", "салем", "hello", "hi", "hey",
    "good morning", "good afternoon", "сәлем", "сәлеметсіз бе", "сәлеметсіздер ме",
    "сәлеметсіз", "саламатсыз ба", "армысыз", "армысыздар", "қайырлы таң", "қайырлы күн",
    "қайырлы кеш", "ассалаумағалейкум", "ассалаумалейкум", "你好", "您好", "你们好", "嗨",
    "哈喽", "早上好", "下午好", "晚上好", "早", "在吗", "start", "начать", "бастау", "开始",
)
GREETING_TAIL = frozenset("бот bot ребята друзья всем вам там! ау а ақ 啊 呀 哦 呢 吗".split())
APPLICATION = re.compile(r"\b[EЕ][VВ][\s_-]?(20\d{2})[\s_-]?(\d{6,9})\b", re.IGNORECASE)
VIN_CANDIDATE = re.compile(r"(?<![A-Z0-9])[A-Z0-9]{17}(?![A-Z0-9])")


class Topic(StrEnum):
    CONTACTS = "contacts"  # address, phone, e-mail, where, map
    HOURS = "hours"        # when the centre works
    TIMING = "timing"      # how long certification takes


# Checked in this order: "когда работает" is hours, not timing; a word stem in a list is
# enough ("контакт" for контакты, контактный).
TOPIC_WORDS: tuple[tuple[Topic, tuple[str, ...]], ...] = (
    (Topic.HOURS, (
        "часы работы", "режим работы", "график работы", "время работы", "когда работает",
        "когда открыт", "во сколько открыва", "до скольки", "выходные", "жұмыс уақыт",
        "жұмыс кесте", "жұмыс істей", "қашан ашыл", "营业时间", "工作时间", "办公时间", "上班时间",
        "几点", "opening hours", "working hours", "open hours")),
    (Topic.TIMING, (
        "срок", "сколько времени", "сколько дней", "сколько ждать", "как долго", "как быстро",
        "когда будет готов", "когда готов", "мерзім", "қанша уақыт", "қанша күн", "қанша күт",
        "қашан дайын", "多久", "多长时间", "期限", "几天", "办理时间", "要多长", "how long",
        "deadline", "timeline", "timing")),
    (Topic.CONTACTS, (
        "контакт", "адрес", "телефон", "позвонить", "где находит", "где вы", "где центр",
        "как добраться", "как проехать", "почта", "e-mail", "email", "карта", "на карте",
        "байланыс", "мекенжай", "мекен-жай", "қайда орналас", "орталық қайда", "сіздер қайда",
        "хабарлас", "联系",
        "地址", "电话", "在哪", "邮箱", "位置", "地图", "怎么去", "contact", "address", "phone",
        "where are you")),
)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е").strip()


def is_greeting(text: str) -> bool:
    folded = re.sub(r"[\s!.,?¡¿！。，？~…():;\-👋🙂😊]+", " ", fold(text)).strip()
    if not folded or len(folded) > 40:
        return False
    for greeting in sorted(GREETINGS, key=len, reverse=True):
        if not folded.startswith(greeting):
            continue
        rest = folded[len(greeting):]
        if not rest.strip():
            return True
        chinese = greeting[-1] >= "\u3400"
        if (chinese or rest.startswith(" ")) and \
                all(word in GREETING_TAIL for word in rest.split()):
            return True
    return False


def application_number(text: str) -> str | None:
    """The application number in a message ("ev 2026 000001", "ЕВ-2026-000001"), written
    as the centre writes it (EV-2026-000001)."""
    match = APPLICATION.search(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    return f"EV-{match.group(1)}-{int(match.group(2)):06d}"


def vin_in(text: str) -> str | None:
    """A VIN typed alone or within a sentence (17 of A-H J-N P R-Z 0-9, letters and digits
    both, spaces and dashes inside allowed when it is the whole message)."""
    plain = unicodedata.normalize("NFKC", text).upper()
    whole = re.sub(r"[\s-]", "", plain)
    candidates = [whole] if len(whole) == 17 else VIN_CANDIDATE.findall(plain)
    for candidate in candidates:
        if re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", candidate) and \
                any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate
    return None


def vin_checks_out(vin: str) -> bool:
    """Whether its check digit (position 9) is right."""
    return vin[8] == vin_check_digit(vin)


def topic(text: str) -> Topic | None:
    folded = fold(text)
    if len(folded) > 200:
        return None
    for found, stems in TOPIC_WORDS:
        if any(stem in folded for stem in stems):
            return found
    return None
