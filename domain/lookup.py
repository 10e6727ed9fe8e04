"""Finding reference entries by number or keyword, in any of the three languages.

A query is normalised before anything is compared: full-width characters (ＧＢ／Ｔ), case,
spaces, dashes and slashes ("UN R-100" = "r100", "GB/T" = "gbt"), Cyrillic letters typed
for Latin ones in an identifier (Р100, М1, ГБ/Т), a Latin O or Cyrillic О typed for zero
(R1OO), and Kazakh case endings after a dash (R100-ге, ЭПТС-ті). Entry names get the same
treatment, so both sides always meet in one form.

A query is cut into units: identifiers (the longest run of words that spells an entry's
name: "r 100", "gb/t 18487") and words (compared with the entries' keywords and titles,
tolerant of word endings and small typos, rapidfuzz). Every unit counts: the entry that
explains most of them comes first. An identifier typed in full matches only that number
(R134 never finds R13-H); a typo in a number is tried only when nothing matches exactly.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from domain.content import Content, Entry

MIN_SCORE = 50  # of 100: at least half of what was typed is explained by the entry
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
PREFIXES = ("unece", "ece", "un", "oon", "оон")  # "oon": ООН in an identifier's form
CJK = re.compile(r"[\u3400-\u9fff]+")
EDITION = re.compile(r"^(.*\d{3,}(?:\.\d+)?)[-:](?:19|20)\d\d$")
SEPARATORS = re.compile(r"[\s,;:!?()\[\]{}«»\"'`、，。？！：；（）【】《》“”‘’]+")
# Cyrillic letters that look like (or are typed for) the Latin letters of identifiers.
HOMOGLYPHS = str.maketrans("авекмнорстухлгбі", "abekmnorctyxlgbi")
# Kazakh case endings (and a few Russian ones) written after a dash: "R100-ге", "ЭПТС-ті".
ENDINGS = frozenset("""
ге ке ға қа на не а е ны ні ты ті ды ді ң тың тің дың дің ның нің да де та те нда нде
дан ден тан тен нан нен мен бен пен ға ғы гі сы сі ы і у ом ой ом ам ах ов ов
""".split())
# Words that say nothing about which entry is meant.
STOPWORDS = frozenset("""
что такое это как какие какой какая каковы по о об про для на в во и или ли мне нужен нужна
нужно нужны требования требование правила правило стандарт стандарты регламент расскажи
покажи найти найди инфо информация
не деген туралы бойынша талаптары талаптар талабы қандай үшін және ма ме ба бе па пе керек
қалай бұл ол
к с у от до при со ко
what is the a an of for about requirements requirement standard rule rules show find me
""".split())
ZH_STOP = ("什么是", "是什么", "什么", "关于", "查询", "的要求", "要求", "请问", "介绍", "一下",
           "类车辆", "类", "的", "是", "吗", "呢", "啊")
CYRILLIC_ENDINGS = tuple(sorted("""
ами ями ого его ому ему ыми ими ой ей ий ый ая яя ое ее ые ие ов ев ам ям ах ях ом ем
лар лер дар дер тар тер ның нің дың дің тың тің ға ге қа ке да де та те дан ден тан тен нан
нен ды ді ты ті ны ні сы сі мен бен пен ын ін а я о е ы и у ю ь
""".split(), key=len, reverse=True))


def fold(text: str) -> str:
    """Full-width to plain (NFKC), lower case, ё as е, № dropped."""
    text = text.replace("№", " ")
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def identifier(text: str) -> str:
    """The one form of an identifier: "UN R-1OO" -> "unr100", "ГБ/Т 20234" -> "gbt20234".

    Letters and digits only; where digits occur, or Latin and Cyrillic letters mix,
    Cyrillic look-alikes become Latin and an O next to a digit becomes a zero."""
    key = NON_WORD.sub("", fold(text))
    latin = any("a" <= c <= "z" for c in key)
    if not any(c.isdigit() for c in key) and not (latin and re.search(r"[а-яё]", key)):
        return key  # a plain word (ЭПТС, SOS); a mixed one (IPХХВ) is an identifier
    key = key.translate(HOMOGLYPHS)
    previous = None
    while previous != key:  # "r1oo" -> "r10o" -> "r100"
        previous = key
        key = re.sub(r"(?<=\d)o", "0", key)
    return key


def squash(text: str) -> str:
    """Kept for callers that want the identifier form."""
    return identifier(text)


def stem(word: str) -> str:
    """A Cyrillic word without its ending ("батареи" -> "батаре", "тежегіштер" ->
    "тежегішт"): enough to meet the same word in another case or number."""
    if len(word) < 5 or not re.fullmatch(r"[а-яәғқңөұүһі]+", word):
        return word
    for ending in CYRILLIC_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[:-len(ending)]
    return word


def tokens(text: str) -> list[str]:
    """Words of a query as typed (folded), Kazakh endings after a dash dropped, Chinese runs
    apart from Latin and Cyrillic ones ("R100要求" -> "r100", "要求")."""
    found = []
    for raw in SEPARATORS.split(fold(text)):
        if "-" in raw:
            head, _, tail = raw.rpartition("-")
            if head and tail in ENDINGS:
                raw = head
        raw = EDITION.sub(r"\1", raw)  # "18487-2023", "60529:2013": the edition's year
        for part in re.split(r"([\u3400-\u9fff]+)", raw):
            part = part.strip("-./")
            if part:
                found.append(part)
    return found


def words(text: str) -> str:
    return " ".join(NON_WORD.sub(" ", fold(text)).split())


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float          # 0-100: how well it explains the words that name anything at all
    exact: bool = False   # every unit of the query names this entry exactly
    coverage: float = 1.0  # 0-1: the share of all typed units it explains (free text: ≥ 0.5)


@dataclass
class _Keys:
    entry: Entry
    names: set[str] = field(default_factory=set)
    phrases: set[str] = field(default_factory=set)     # whole keywords and titles, folded
    words: set[str] = field(default_factory=set)       # their words, stemmed
    title_words: set[str] = field(default_factory=set)  # the words of its titles, stemmed
    cjk: set[str] = field(default_factory=set)         # Chinese keywords


class Index:
    """Search keys prepared once per content load, so a query only compares strings."""

    def __init__(self, content: Content):
        self.entries = list(content.entries.values())
        self._keys: list[_Keys] = []
        self._all_names: set[str] = set()
        for entry in self.entries:
            keys = _Keys(entry)
            for name in entry.names:
                key = identifier(name)
                keys.names.add(key)
                for prefix in PREFIXES:
                    if key.startswith(prefix) and len(key) > len(prefix):
                        keys.names.add(key[len(prefix):])
            phrases = [k for lang in entry.keywords for k in entry.keywords[lang]]
            phrases += [entry.title[lang] for lang in entry.title]
            for phrase in phrases:
                keys.phrases.add(words(phrase))
                for part in tokens(phrase):
                    if CJK.fullmatch(part):
                        keys.cjk.add(part)
                    else:  # "краш-тест": as one word and as two
                        keys.words.add(stem(NON_WORD.sub("", part)))
                        keys.words.update(stem(p) for p in NON_WORD.split(part) if p)
            for title in entry.title.values():
                keys.title_words.update(stem(NON_WORD.sub("", part)) for part in tokens(title)
                                        if not CJK.fullmatch(part))
                keys.title_words.update(part for part in tokens(title) if CJK.fullmatch(part))
            keys.words.discard("")
            self._all_names |= keys.names
            self._keys.append(keys)
        self._longest_name = max((len(n) for n in self._all_names), default=0)

    def _name_key(self, key: str) -> str | None:
        """The name this key spells, with or without a prefix ("ООН 38.3" = "38.3")."""
        if key in self._all_names:
            return key
        for prefix in PREFIXES:
            if key.startswith(prefix) and key[len(prefix):] in self._all_names:
                return key[len(prefix):]
        return None

    def units(self, query: str) -> tuple[list[str], list[str]]:
        """Identifiers (as keys) and the other words of a query."""
        parts = tokens(query)
        ids: list[str] = []
        rest: list[str] = []
        i = 0
        while i < len(parts):
            for j in range(min(len(parts), i + 5), i, -1):  # the longest run naming an entry
                key = self._name_key(identifier("".join(parts[i:j])))
                if key is not None and (j - i == 1 or not CJK.search(key)):
                    ids.append(key)
                    i = j
                    break
            else:
                rest.append(parts[i])
                i += 1
        meaningful = []
        for word in rest:
            if CJK.fullmatch(word):
                for stop in ZH_STOP:
                    word = word.replace(stop, " ")
                meaningful += word.split()
            elif word not in STOPWORDS:
                meaningful.append(word)
        return ids, meaningful

    def search(self, query: str, limit: int = 6, minimum: float = MIN_SCORE) -> list[Match]:
        """The best entries for a query, best first; `minimum` (of 100) lower for
        suggestions ("did you mean") than for answers."""
        ids, rest = self.units(query)
        if not ids and not rest:
            # Only stop words ("что такое"): try them as words after all.
            rest = [t for t in tokens(query)]
        total = len(ids) + len(rest)
        if not total:
            return []
        fuzzy_ids = [] if ids else [identifier(w) for w in rest if _looks_like_id(w)]
        rows: list[list[tuple[float, int]]] = []
        named: set[int] = set()  # the units that name some entry (the others are noise)
        for keys in self._keys:
            per_unit: list[tuple[float, int]] = []
            for key in ids:
                if key in keys.names:
                    per_unit.append((1.0, 1))
                elif any(_extends(name, key) for name in keys.names):
                    per_unit.append((0.6, 0))  # "gb/t" of GB/T 27930, "r13" of R13-H
                else:
                    per_unit.append((0.0, 0))
            per_unit += [_word_score(word, keys, fuzzy_ids) for word in rest]
            named |= {n for n, (got, _) in enumerate(per_unit) if got > 0}
            rows.append(per_unit)
        meaningful = len(named) or total
        scored: list[tuple[float, int, int, int, Match]] = []
        for order, (keys, per_unit) in enumerate(zip(self._keys, rows, strict=True)):
            points = sum(got for got, _ in per_unit)
            exact_units = sum(exact for _, exact in per_unit)
            id_hits = sum(exact for _, exact in per_unit[:len(ids)])
            bonus = 0.0
            if rest and (words(" ".join(rest)) in keys.phrases or
                         words(query) in keys.phrases):
                bonus = 0.5  # the words as typed are one of its keywords
            elif rest and len(rest) == 1 and rest[0] in keys.cjk:
                bonus = 0.5
            if rest and all(_stemmed(w) in keys.title_words for w in rest):
                bonus += 0.25  # and they are what the entry is called
            score = 100.0 * points / meaningful
            if score >= minimum and points > 0:
                match = Match(entry=keys.entry, score=min(score, 100.0),
                              exact=exact_units == total and (bool(ids) or bonus > 0),
                              coverage=min(points / total, 1.0))
                scored.append((-(points + bonus), -id_hits, -exact_units, order, match))
        scored.sort(key=lambda item: item[:4])
        return [m for *_, m in scored[:limit]]


def _extends(name: str, key: str) -> bool:
    """Whether a name goes on from an identifier typed in full: with letters or digits after
    a name without digits ("gbt" -> "gbt27930"), with letters after a number ("r13" ->
    "r13h"), never with more digits ("r10" is not "r100")."""
    if len(name) <= len(key) or not name.startswith(key):
        return False
    return not any(c.isdigit() for c in key) or not name[len(key)].isdigit()


def _stemmed(word: str) -> str:
    return word if CJK.fullmatch(word) else stem(NON_WORD.sub("", word))


def _looks_like_id(word: str) -> bool:
    key = identifier(word)
    return len(key) >= 3 and any(c.isdigit() for c in key) and any(c.isalpha() for c in key)


def _word_score(word: str, keys: _Keys, fuzzy_ids: list[str]) -> tuple[float, int]:
    """How well one typed word names this entry (0-1), and whether it does so exactly."""
    if CJK.fullmatch(word):
        best = 0.0
        for phrase in keys.cjk:
            if word == phrase:
                return 1.0, 1
            if len(word) >= 2 and word in phrase:
                best = max(best, 0.6 + 0.3 * len(word) / len(phrase))
            elif len(phrase) >= 2 and phrase in word:
                best = max(best, 0.5 + 0.4 * len(phrase) / len(word))
        return best, 0
    key = identifier(word)
    if key in keys.names:
        return 1.0, 1
    best = 0.0
    if key.isdigit() and len(key) >= 2:
        # A number alone ("правила 100", "27930"): the names that are that number.
        if any(re.sub(r"^[a-zа-яәғқңөұүһі]+", "", name) == key for name in keys.names):
            return 0.9, 1
        return 0.0, 0
    if key and any(c.isdigit() for c in key):
        for name in keys.names:
            # A prefix of a name, where the name goes on with letters ("r13" of "r13h")
            # or a separator, never with more digits ("r10" is not "r100").
            if len(key) >= 2 and _extends(name, key):
                best = max(best, 0.7)
            elif key in fuzzy_ids and len(key) >= 4 and fuzz.ratio(key, name) >= 80:
                best = max(best, 0.6 * fuzz.ratio(key, name) / 100)  # "r1000": a typo
        return best, 0
    plain = stem(NON_WORD.sub("", word))
    if not plain:
        return 0.0, 0
    if plain in keys.words:
        return 1.0, 1
    for name in keys.names:
        if len(key) >= 3 and name.startswith(key):
            best = max(best, 0.8)
    if len(plain) >= 4:
        for candidate in keys.words:
            if len(candidate) < 3:
                continue
            ratio = fuzz.ratio(plain, candidate)
            if ratio >= 80:
                best = max(best, ratio / 100 * 0.9)
            elif len(plain) >= 5 and candidate.startswith(plain):
                best = max(best, 0.75)
    return best, 0
