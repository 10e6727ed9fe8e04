"""The certification content as immutable data: the guide's questions, outcomes and
items, the reference entries and the sources (domain.content_files reads and checks
them from content/*.toml)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

LANGUAGES = ("kk", "ru", "zh")
CONTENT_DIR = Path(__file__).parent.parent / "content"
SECTIONS = ("documents", "requirements", "checks", "money", "steps", "where")
STATUSES = ("confirmed", "unconfirmed")
KINDS = ("regulation", "document", "category", "term")
VALUE = re.compile(r"[a-z0-9]{1,12}")

Text = dict[str, str]  # language -> text
Raw = dict[str, Any]  # a table as TOML gives it


class ContentError(Exception):
    """Broken content; the message names the file, the node and the field."""


@dataclass(frozen=True)
class Edge:
    to: str
    when: tuple[tuple[str, frozenset[str]], ...] = ()

    def matches(self, answers: dict[str, str]) -> bool:
        return all(answers.get(q) in values for q, values in self.when)


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    edges: tuple[Edge, ...]

    def next(self, answers: dict[str, str]) -> str:
        return next(e.to for e in self.edges if e.matches(answers))


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    options: tuple[Option, ...]

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def label(self, value: str) -> Text:
        """The label of an option this question has (KeyError for one it has not)."""
        option = self.option(value)
        if option is None:
            raise KeyError(f"{self.id} has no option {value}")
        return option.label


@dataclass(frozen=True)
class Outcome:
    id: str
    path: str
    title: Text
    summary: Text
    sources: tuple[str, ...]
    reviewed: date
    status: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    section: str
    outcomes: frozenset[str]
    when: tuple[tuple[str, frozenset[str]], ...]
    text: Text | None
    ref: str | None
    sources: tuple[str, ...]
    reviewed: date
    status: str

    def applies(self, outcome: str, answers: dict[str, str]) -> bool:
        return outcome in self.outcomes and all(answers.get(q) in v for q, v in self.when)


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    names: tuple[str, ...]
    keywords: dict[str, tuple[str, ...]]
    title: Text
    summary: Text
    body: Text
    sources: tuple[str, ...]
    reviewed: date
    status: str


@dataclass(frozen=True)
class Content:
    start: str
    questions: dict[str, Question]
    outcomes: dict[str, Outcome]
    items: tuple[Item, ...]
    entries: dict[str, Entry]
    sources: dict[str, str]

    @functools.cached_property
    def depths(self) -> dict[str, int]:
        """For each node, the questions left on the longest way from it (an outcome: 0).
        Worked out once: every step of the guide shows it ("step 2 of 5")."""
        depths = dict.fromkeys(self.outcomes, 0)

        def depth(node: str) -> int:
            if node not in depths:
                options = self.questions[node].options
                depths[node] = 1 + max(depth(e.to) for o in options for e in o.edges)
            return depths[node]
        for node in self.questions:
            depth(node)
        return depths

    def node_kind(self, node: str) -> str | None:
        if node in self.questions:
            return "question"
        if node in self.outcomes:
            return "outcome"
        return None
