"""The certification content as immutable data: the guide's questions, routes, outcomes and
items, the reference entries and the sources (domain.content_files reads and checks them
from content/*.toml)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

LANGUAGES = ("kk", "ru", "zh")
CONTENT_DIR = Path(__file__).parent.parent / "content"
# What an outcome's first screen shows of its items: the next things to do and the money line.
FIRST_SCREEN = ("next", "cost")
# The sections an outcome opens as buttons (sources are worked out from what is cited).
SECTIONS = ("documents", "checks", "requirements", "money", "steps")
ITEM_SECTIONS = FIRST_SCREEN + SECTIONS
# Requirements come in two groups: what the user's own vehicle will be checked for, and what
# its type must meet (the maker's approvals and test reports show that).
GROUPS = ("vehicle", "type")
STATUSES = ("confirmed", "unconfirmed")
KINDS = ("regulation", "document", "category", "term")
VALUE = re.compile(r"[a-z0-9]{1,12}")

Text = dict[str, str]  # language -> text
Raw = dict[str, Any]  # a table as TOML gives it
Condition = tuple[tuple[str, frozenset[str]], ...]  # question -> values it must have


class ContentError(Exception):
    """Broken content; the message names the file, the node and the field."""


def decided(when: Condition, answers: dict[str, str]) -> bool | None:
    """Whether `when` holds for these answers: True, False, or None while a question it
    looks at is still unanswered."""
    unknown = False
    for question, values in when:
        if question not in answers:
            unknown = True
        elif answers[question] not in values:
            return False
    return None if unknown else True


@dataclass(frozen=True)
class Edge:
    to: str
    when: Condition = ()

    def matches(self, answers: dict[str, str]) -> bool:
        return all(answers.get(q) in values for q, values in self.when)


def first_match(edges: tuple[Edge, ...], answers: dict[str, str]) -> str:
    return next(e.to for e in edges if e.matches(answers))


@dataclass(frozen=True)
class Option:
    value: str
    label: Text          # on the button
    short: Text          # in the answers line of an outcome: "physical person, for myself"
    edges: tuple[Edge, ...]

    def next(self, answers: dict[str, str]) -> str:
        return first_match(self.edges, answers)


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    short: Text          # what the answer is about, as a fact: "Importer", "Origin"
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
class Route:
    """A node that asks nothing: it sends the walk on by the answers given so far (where
    several answers lead to the same decision, it is written once)."""
    id: str
    edges: tuple[Edge, ...]

    def next(self, answers: dict[str, str]) -> str:
        return first_match(self.edges, answers)


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
    apply: bool          # whether "Apply with these answers" is offered


@dataclass(frozen=True)
class Item:
    section: str
    outcomes: frozenset[str]
    when: Condition
    text: Text | None
    ref: str | None
    sources: tuple[str, ...]
    reviewed: date
    status: str
    group: str | None = None

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
class Source:
    """Where a rule comes from: its public address, or else its exact number and date (both
    also named in its title, which is written in each language)."""
    id: str
    title: Text
    url: str | None = None
    number: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Content:
    start: str
    questions: dict[str, Question]
    outcomes: dict[str, Outcome]
    items: tuple[Item, ...]
    entries: dict[str, Entry]
    sources: dict[str, Source]
    routes: dict[str, Route] = field(default_factory=dict)
    # How a term is written out the first time a message uses it, per language:
    # {"SBKTS": {"zh": "车辆结构安全证书（SBKTS / СБКТС）"}} (services.content_texts.first_use).
    terms: dict[str, Text] = field(default_factory=dict)
    _remaining: dict[tuple[str, tuple[tuple[str, str], ...]], int] = field(
        default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def conditioned(self) -> frozenset[str]:
        """The questions some edge's condition looks at (the rest never change a way)."""
        edges = [e for q in self.questions.values() for o in q.options for e in o.edges]
        edges += [e for r in self.routes.values() for e in r.edges]
        return frozenset(q for e in edges for q, _ in e.when)

    def resolve(self, node: str, answers: dict[str, str]) -> str:
        """Through any routes to the question or outcome they send these answers to."""
        while node in self.routes:
            node = self.routes[node].next(answers)
        return node

    def remaining(self, node: str, answers: dict[str, str]) -> int:
        """The questions left on the longest way from `node` that these answers still allow
        (an outcome: 0). Shown on every step ("step 2 of 6"), so kept once worked out."""
        key = (node, tuple(sorted((q, a) for q, a in answers.items() if q in self.conditioned)))
        known = self._remaining.get(key)
        if known is None:
            known = self._remaining[key] = self._longest(node, answers)
        return known

    def _longest(self, node: str, answers: dict[str, str]) -> int:
        if node in self.outcomes:
            return 0
        if node in self.routes:
            return max(self.remaining(to, answers)
                       for to in _possible(self.routes[node].edges, answers))
        question = self.questions[node]
        best = 0
        for option in question.options:
            given = {**answers, question.id: option.value}
            best = max(best, 1 + max(self.remaining(to, given)
                                     for to in _possible(option.edges, given)))
        return best

    def node_kind(self, node: str) -> str | None:
        if node in self.questions:
            return "question"
        if node in self.routes:
            return "route"
        if node in self.outcomes:
            return "outcome"
        return None


def _possible(edges: tuple[Edge, ...], answers: dict[str, str]) -> list[str]:
    """Where edges tried in order may lead, given what is known: up to the first that
    surely matches, leaving out those that surely do not."""
    found = []
    for edge in edges:
        holds = decided(edge.when, answers)
        if holds is False:
            continue
        found.append(edge.to)
        if holds:
            break
    return found
