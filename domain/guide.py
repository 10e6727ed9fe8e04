"""Walking the guide: where a user is, what answering or going back does, and the outcome.

A Walk keeps the questions answered (in order) and every answer ever given, so
Back can show the previous answer; only answers on the current path count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from domain.content import FIRST_SCREEN, Content, Item, Outcome

PAYLOAD_PREFIX = "guide_"


@dataclass
class Walk:
    path: list[str] = field(default_factory=list)       # answered questions, in order
    answers: dict[str, str] = field(default_factory=dict)

    def current_answers(self) -> dict[str, str]:
        return {q: self.answers[q] for q in self.path}

    def to_data(self) -> dict[str, Any]:
        return {"path": list(self.path), "answers": dict(self.answers)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Walk:
        return cls(path=list(data.get("path", [])), answers=dict(data.get("answers", {})))


class StaleAnswer(Exception):
    """An answer to a question that is not the current one (old message, double tap)."""


def current_node(content: Content, walk: Walk) -> str:
    """The question the walk is at, or the outcome it has reached (never a route)."""
    node = content.start
    answers = walk.current_answers()
    for qid in walk.path:
        option = content.questions[qid].option(answers[qid])
        if option is None:
            raise StaleAnswer(qid)  # the content changed under a stored walk
        node = content.resolve(option.next(answers), answers)
    return node


def fits(content: Content, walk: Walk) -> bool:
    """Whether a stored walk still leads through this content (it may have been reloaded)."""
    node, answers = content.start, walk.current_answers()
    for qid in walk.path:
        question = content.questions.get(qid)
        option = question.option(answers[qid]) if question and qid == node else None
        if option is None:
            return False
        node = content.resolve(option.next(answers), answers)
    return True


def answer(content: Content, walk: Walk, qid: str, value: str) -> Walk:
    node = current_node(content, walk)
    if node != qid or content.questions[qid].option(value) is None:
        raise StaleAnswer(qid)
    return Walk(path=walk.path + [qid], answers={**walk.answers, qid: value})


def back(walk: Walk) -> Walk:
    return Walk(path=walk.path[:-1], answers=dict(walk.answers))


def step(content: Content, walk: Walk) -> tuple[int, int]:
    """(this step's number, total steps on the longest way from here that the answers
    given so far still allow)."""
    done = len(walk.path)
    return done + 1, done + content.remaining(current_node(content, walk),
                                              walk.current_answers())


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    # The first screen's (next, cost), then the outcome's sections in its order; empty ones
    # left out.
    sections: list[tuple[str, list[Item]]]

    @property
    def items(self) -> list[Item]:
        return [item for _, items in self.sections for item in items]


def result(content: Content, walk: Walk) -> Result | None:
    node = current_node(content, walk)
    outcome = content.outcomes.get(node)
    if outcome is None:
        return None
    answers = walk.current_answers()
    sections = []
    for section in FIRST_SCREEN + outcome.sections:
        items = [i for i in content.items
                 if i.section == section and i.applies(outcome.id, answers)]
        if items:
            sections.append((section, items))
    return Result(outcome=outcome, sections=sections)


def encode(walk: Walk) -> str:
    """A deep-link payload ([A-Za-z0-9_-], ≤ 64) that reopens this walk."""
    payload = PAYLOAD_PREFIX + "-".join(walk.answers[q] for q in walk.path)
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload):
        raise ValueError(f"not a deep-link payload: {payload!r}")
    return payload


def decode(content: Content, values: str) -> Walk | None:
    """The walk a payload (without its prefix) describes, or None if it no longer fits."""
    walk = Walk()
    for value in values.split("-") if values else []:
        node = current_node(content, walk)
        if node not in content.questions:
            return None
        try:
            walk = answer(content, walk, node, value)
        except StaleAnswer:
            return None
    return walk


def all_walks(content: Content) -> list[Walk]:
    """Every way through the guide to an outcome (for tests and content checks)."""
    finished: list[Walk] = []
    pending = [Walk()]
    while pending:
        walk = pending.pop()
        node = current_node(content, walk)
        if node in content.outcomes:
            finished.append(walk)
            continue
        for option in content.questions[node].options:
            pending.append(answer(content, walk, node, option.value))
    return finished
