"""Which of kk, ru and zh a reply is written in, from the words only that language uses.

The three catalogues and the content give each language its vocabulary; a word found in
one language's vocabulary and neither other's is evidence for it. Chinese is recognised
by its characters. Names of the languages themselves, written in each (the picker, the
help), are not evidence of anything.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from babel.messages.pofile import read_po

from domain.content_files import load
from i18n import LANGUAGES, LOCALES_DIR

WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
CJK = re.compile(r"[\u4e00-\u9fff]")
NEUTRAL = {"қазақша", "русский", "english"}  # language names, shown in every language


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text) if not CJK.search(w)} - NEUTRAL


@functools.cache
def vocabulary() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for lang in LANGUAGES:
        with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
            for message in read_po(fp):
                strings = message.string if isinstance(message.string, tuple) \
                    else (message.string,)
                for string in strings:
                    found[lang] |= words(str(string or ""))
    content = load(Path(__file__).parent.parent / "content")
    texts = [q.text for q in content.questions.values()]
    texts += [o.label for q in content.questions.values() for o in q.options]
    texts += [o.short for q in content.questions.values() for o in q.options]
    texts += [q.short for q in content.questions.values()]
    texts += [s.title for s in content.sources.values()]
    texts += [o.title for o in content.outcomes.values()] + \
        [o.summary for o in content.outcomes.values()]
    texts += [i.text for i in content.items if i.text]
    texts += [e.title for e in content.entries.values()] + \
        [e.body for e in content.entries.values()] + \
        [e.summary for e in content.entries.values()]
    for text in texts:
        for lang in LANGUAGES:
            found[lang] |= words(text[lang])
    return found


@functools.cache
def distinctive() -> dict[str, frozenset[str]]:
    vocab = vocabulary()
    return {lang: frozenset(vocab[lang] - set().union(*(vocab[o] for o in LANGUAGES
                                                        if o != lang)))
            for lang in LANGUAGES}


def evidence(text: str) -> dict[str, int]:
    """How many distinctive words of each language the text has (zh: its characters)."""
    own = words(text)
    counts = {lang: len(own & distinctive()[lang]) for lang in LANGUAGES}
    counts["zh"] += len(CJK.findall(re.sub("中文", "", text)))
    return counts


def written_in(text: str, language: str) -> bool:
    """True unless the text shows more of another language than of `language`."""
    counts = evidence(text)
    return all(counts[language] >= counts[other] for other in LANGUAGES if other != language)
