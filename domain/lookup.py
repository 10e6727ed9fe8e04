"""Finding reference entries by number or keyword, in any of the three languages.

Tolerant of case, spaces, dashes and slashes ("UN R-100" = "r100", "GB/T" =
"gbt") and of small typos (rapidfuzz), for Latin, Cyrillic and Chinese alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from domain.content import Content, Entry

MIN_SCORE = 70
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
PREFIXES = ("unece", "ece", "un")


def squash(text: str) -> str:
    """Identifier form: lower case, letters and digits only ("UN R-100" -> "unr100")."""
    return NON_WORD.sub("", text.casefold().replace("ё", "е").replace("№", ""))


def words(text: str) -> str:
    return " ".join(NON_WORD.sub(" ", text.casefold().replace("ё", "е")).split())


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


class Index:
    """Search keys prepared once per content load, so a query only compares strings."""

    def __init__(self, content: Content):
        self.entries = list(content.entries.values())
        self._names: list[tuple[Entry, set[str]]] = []
        self._keywords: list[tuple[Entry, list[str]]] = []
        for entry in self.entries:
            names = set()
            for name in entry.names:
                key = squash(name)
                names.add(key)
                for prefix in PREFIXES:
                    if key.startswith(prefix) and len(key) > len(prefix):
                        names.add(key[len(prefix):])
            self._names.append((entry, names))
            phrases = [words(k) for lang in entry.keywords for k in entry.keywords[lang]]
            phrases += [words(entry.title[lang]) for lang in entry.title]
            self._keywords.append((entry, phrases))

    def search(self, query: str, limit: int = 6) -> list[Match]:
        key, phrase = squash(query), words(query)
        if not key:
            return []
        scores: dict[str, float] = {}
        for (entry, names), (_, phrases) in zip(self._names, self._keywords, strict=True):
            score = max(_name_score(key, names), _phrase_score(phrase, phrases))
            if score >= MIN_SCORE:
                scores[entry.id] = score
        order = {entry.id: n for n, entry in enumerate(self.entries)}
        ranked = sorted(scores, key=lambda eid: (-scores[eid], order[eid]))
        return [Match(entry=self.entries[order[eid]], score=scores[eid]) for eid in ranked[:limit]]


def _name_score(key: str, names: set[str]) -> float:
    best = 0.0
    for name in names:
        if key == name:
            return 100.0
        if len(key) >= 2 and name.startswith(key):
            best = max(best, 88.0)
        elif len(key) >= 3 and fuzz.ratio(key, name) >= 80:
            best = max(best, fuzz.ratio(key, name) * 0.9)  # "r1000", "r13g": typos in numbers
    return best


def _phrase_score(phrase: str, phrases: list[str]) -> float:
    best = 0.0
    tokens = phrase.split()
    for candidate in phrases:
        if phrase == candidate:
            return 95.0
        if len(phrase) >= 2 and phrase in candidate:
            best = max(best, 80.0 + 10.0 * len(phrase) / len(candidate))
        elif len(candidate) >= 3 and candidate in phrase:
            best = max(best, 75.0)
        elif len(phrase) >= 4:
            # Each word of the query against the phrase's words: typos and Kazakh endings.
            cand_tokens = candidate.split()
            per_token = [max(fuzz.ratio(t, c) for c in cand_tokens) for t in tokens]
            score = sum(per_token) / len(per_token)
            if min(per_token) >= 75:
                best = max(best, score * 0.9)
    return best
