"""Reading content/*.toml into domain.content's data, and checking everything a user
could trip over: every node reachable, every option leading to an existing node, no
cycles, every condition on a real question and answer, every text in kk, ru and zh, every
rule with a source and a review date, every source with its address or its number and
date. A problem raises ContentError naming file, node and field.
"""
from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from domain.content import (
    CONTENT_DIR,
    GROUPS,
    ITEM_SECTIONS,
    KINDS,
    LANGUAGES,
    SECTIONS,
    STATUSES,
    VALUE,
    Condition,
    Content,
    ContentError,
    Edge,
    Entry,
    Item,
    Option,
    Outcome,
    Question,
    Raw,
    Route,
    Source,
    Text,
)

URL = re.compile(r"https?://[^\s\"<>]+")


class _Reader:
    """Field access that names file, node and field in every error."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, node: str, field: str, problem: str) -> ContentError:
        return ContentError(f"{self.file}: node '{node}', field '{field}': {problem}")

    def text(self, raw: Raw, node: str, field: str, partial: bool = False) -> Text:
        """A text in kk, ru and zh (`partial`: in those of them it gives)."""
        value = raw.get(field)
        if not isinstance(value, dict):
            raise self.fail(node, field, "missing (needs kk, ru and zh)")
        for lang in LANGUAGES:
            if partial and lang not in value:
                continue
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                raise self.fail(node, f"{field}.{lang}", "missing translation")
        extra = set(value) - set(LANGUAGES)
        if extra:
            raise self.fail(node, field, f"unknown language {sorted(extra)}")
        return {lang: value[lang].strip() for lang in LANGUAGES if lang in value}

    def day(self, raw: Raw, node: str, default: date | None) -> date:
        value = raw.get("reviewed", default)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, date):
            return value
        raise self.fail(node, "reviewed", "missing or not a date YYYY-MM-DD")

    def sources(self, raw: Raw, node: str, known: dict[str, Source], required: bool = True
                ) -> tuple[str, ...]:
        value = raw.get("sources", [])
        if not isinstance(value, list) or (required and not value):
            raise self.fail(node, "sources", "at least one source is required")
        for source in value:
            if source not in known:
                raise self.fail(node, "sources", f"unknown source '{source}'")
        return tuple(value)

    def status(self, raw: Raw, node: str) -> str:
        value = raw.get("status", "confirmed")
        if value not in STATUSES:
            raise self.fail(node, "status", f"expected one of {', '.join(STATUSES)}")
        return str(value)


def read_toml(path: Path) -> Raw:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{path.name}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path.name}: {exc}") from None


def load(directory: Path = CONTENT_DIR) -> Content:
    sources = _load_sources(read_toml(directory / "sources.toml"))
    entries = _load_entries(read_toml(directory / "reference.toml"), sources)
    guide = read_toml(directory / "guide.toml")
    reader = _Reader("guide.toml")
    default_day = reader.day(guide, "(file)", None)
    questions = {qid: _load_question(reader, qid, raw)
                 for qid, raw in guide.get("questions", {}).items()}
    routes = {rid: Route(id=rid, edges=_load_edges(reader, rid, raw.get("next")))
              for rid, raw in guide.get("routes", {}).items()}
    outcomes = {oid: _load_outcome(reader, oid, raw, sources, default_day)
                for oid, raw in guide.get("outcomes", {}).items()}
    items = tuple(_load_item(reader, i, raw, sources, entries, outcomes, questions, default_day)
                  for i, raw in enumerate(guide.get("items", []), 1))
    start = guide.get("start")
    if not isinstance(start, str) or start not in questions:
        raise reader.fail("(file)", "start", f"'{start}' is not a question")
    terms = {term: reader.text(guide.get("terms", {}), "terms", term, partial=True)
             for term in guide.get("terms", {})}
    content = Content(start=start, questions=questions, outcomes=outcomes, items=items,
                      entries=entries, sources=sources, routes=routes, terms=terms)
    _check_graph(reader, content)
    return content


def _load_sources(raw: Raw) -> dict[str, Source]:
    """A source needs its public address, or else its exact number and date (which its
    title must then name, in every language, so that a reader can find it)."""
    reader = _Reader("sources.toml")
    result = {}
    for sid, source in raw.get("sources", {}).items():
        if not isinstance(source, dict):
            raise reader.fail(sid, "(node)", "expected a table")
        title = reader.text(source, sid, "title")
        url, number, day = (source.get(k) for k in ("url", "number", "date"))
        for key, value in (("url", url), ("number", number), ("date", day)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise reader.fail(sid, key, "expected a non-empty string")
        if url is not None and not URL.fullmatch(url):
            raise reader.fail(sid, "url", f"not a web address: {url!r}")
        if url is None:
            if number is None or day is None:
                raise reader.fail(sid, "url", "a source needs its address, or its number "
                                              "and date")
            for lang in LANGUAGES:
                if number not in title[lang]:
                    raise reader.fail(sid, f"title.{lang}", f"does not name number {number!r}")
        result[sid] = Source(id=sid, title=title, url=url, number=number, date=day)
    return result


def _load_question(reader: _Reader, qid: str, raw: Raw) -> Question:
    options = []
    for n, opt in enumerate(raw.get("options", []), 1):
        node = f"{qid}.options[{n}]"
        value = opt.get("value")
        if not isinstance(value, str) or not VALUE.fullmatch(value):
            raise reader.fail(node, "value", "expected 1-12 characters of a-z 0-9")
        options.append(Option(value=value, label=reader.text(opt, f"{qid}.{value}", "label"),
                              short=reader.text(opt, f"{qid}.{value}", "short"),
                              edges=_load_edges(reader, f"{qid}.{value}", opt.get("next"))))
    if not options:
        raise reader.fail(qid, "options", "a question needs at least one option")
    if len({o.value for o in options}) != len(options):
        raise reader.fail(qid, "options", "option values must be unique")
    return Question(id=qid, text=reader.text(raw, qid, "text"),
                    short=reader.text(raw, qid, "short"), options=tuple(options))


def _load_edges(reader: _Reader, node: str, raw: object) -> tuple[Edge, ...]:
    if isinstance(raw, str):
        return (Edge(to=raw),)
    if not isinstance(raw, list) or not raw:
        raise reader.fail(node, "next", "missing (a node id, or a list of {when, to})")
    edges = []
    for edge in raw:
        if not isinstance(edge, dict) or not isinstance(edge.get("to"), str):
            raise reader.fail(node, "next", "each entry needs 'to'")
        edges.append(Edge(to=edge["to"], when=_when(reader, node, edge.get("when", {}))))
    if edges[-1].when:
        raise reader.fail(node, "next", "the last entry must have no 'when' (the default)")
    return tuple(edges)


def _when(reader: _Reader, node: str, raw: object) -> Condition:
    if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
        raise reader.fail(node, "when", "expected {question = [values]}")
    return tuple((q, frozenset(v)) for q, v in sorted(raw.items()))


def _load_outcome(reader: _Reader, oid: str, raw: Raw, sources: dict[str, Source],
                  default_day: date) -> Outcome:
    sections = tuple(raw.get("sections", []))
    for section in sections:
        if section not in SECTIONS:
            raise reader.fail(oid, "sections", f"unknown section '{section}'")
    apply = raw.get("apply", False)
    if not isinstance(apply, bool):
        raise reader.fail(oid, "apply", "expected true or false")
    return Outcome(id=oid, path=str(raw.get("path", oid.upper())),
                   title=reader.text(raw, oid, "title"), summary=reader.text(raw, oid, "summary"),
                   sources=reader.sources(raw, oid, sources),
                   reviewed=reader.day(raw, oid, default_day), status=reader.status(raw, oid),
                   sections=sections, apply=apply)


def _load_item(reader: _Reader, n: int, raw: Raw, sources: dict[str, Source],
               entries: dict[str, Entry], outcomes: dict[str, Outcome],
               questions: dict[str, Question], default_day: date) -> Item:
    node = f"items[{n}]"
    section = raw.get("section")
    if section not in ITEM_SECTIONS:
        raise reader.fail(node, "section", f"expected one of {', '.join(ITEM_SECTIONS)}")
    targets = raw.get("outcomes", [])
    if not targets or any(t not in outcomes for t in targets):
        raise reader.fail(node, "outcomes", f"unknown or missing outcome in {targets}")
    group = raw.get("group")
    if (section == "requirements") != (group is not None) or \
            (group is not None and group not in GROUPS):
        raise reader.fail(node, "group", f"requirements (only) need one of {', '.join(GROUPS)}")
    ref = raw.get("ref")
    when = _when(reader, node, raw.get("when", {}))
    _check_condition(reader, node, "when", when, questions)
    if ref is not None:
        if ref not in entries:
            raise reader.fail(node, "ref", f"unknown reference entry '{ref}'")
        entry = entries[ref]
        return Item(section=section, outcomes=frozenset(targets), when=when, text=None, ref=ref,
                    sources=entry.sources, reviewed=entry.reviewed, status=entry.status,
                    group=group)
    return Item(section=section, outcomes=frozenset(targets), when=when,
                text=reader.text(raw, node, "text"), ref=None,
                sources=reader.sources(raw, node, sources),
                reviewed=reader.day(raw, node, default_day), status=reader.status(raw, node),
                group=group)


def _check_condition(reader: _Reader, node: str, field: str, when: Condition,
                     questions: dict[str, Question]) -> None:
    for question, values in when:
        if question not in questions:
            raise reader.fail(node, field, f"condition on unknown question '{question}'")
        unknown = values - {o.value for o in questions[question].options}
        if unknown:
            raise reader.fail(node, field, f"'{question}' has no option {sorted(unknown)}")


def _load_entries(raw: Raw, sources: dict[str, Source]) -> dict[str, Entry]:
    reader = _Reader("reference.toml")
    default_day = reader.day(raw, "(file)", None)
    entries = {}
    for eid, entry in raw.get("entries", {}).items():
        if entry.get("kind") not in KINDS:
            raise reader.fail(eid, "kind", f"expected one of {', '.join(KINDS)}")
        names = entry.get("names")
        if not isinstance(names, list) or not names:
            raise reader.fail(eid, "names", "at least one name is required")
        keywords = entry.get("keywords", {})
        for lang in LANGUAGES:
            if not isinstance(keywords.get(lang), list) or not keywords[lang]:
                raise reader.fail(eid, f"keywords.{lang}", "missing translation")
        entries[eid] = Entry(
            id=eid, kind=entry["kind"], names=tuple(names),
            keywords={lang: tuple(keywords[lang]) for lang in LANGUAGES},
            title=reader.text(entry, eid, "title"), summary=reader.text(entry, eid, "summary"),
            body=reader.text(entry, eid, "body"), sources=reader.sources(entry, eid, sources),
            reviewed=reader.day(entry, eid, default_day), status=reader.status(entry, eid))
    return entries


def _edges(content: Content, node: str) -> list[tuple[str, Edge]]:
    """A question's or a route's edges, each with the node name errors give it."""
    if node in content.routes:
        return [(node, e) for e in content.routes[node].edges]
    if node in content.questions:
        return [(f"{node}.{o.value}", e) for o in content.questions[node].options
                for e in o.edges]
    return []


def _check_graph(reader: _Reader, content: Content) -> None:
    """Every edge lands on a node, its conditions on real questions and answers; no
    cycles; every question, route and outcome reachable."""
    if set(content.routes) & (set(content.questions) | set(content.outcomes)) or \
            set(content.questions) & set(content.outcomes):
        raise reader.fail("(file)", "(ids)", "questions, routes and outcomes need distinct ids")
    for node in list(content.questions) + list(content.routes):
        for name, edge in _edges(content, node):
            if content.node_kind(edge.to) is None:
                raise reader.fail(name, "next", f"leads to '{edge.to}', which does not exist")
            _check_condition(reader, name, "next", edge.when, content.questions)
    state: dict[str, str] = {}  # node -> "open" while on the DFS stack, "done" after

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == "open":
            cycle = " -> ".join(trail[trail.index(node):] + [node])
            raise reader.fail(node, "next", f"cycle: {cycle}")
        if state.get(node) == "done":
            return
        state[node] = "open"
        for _, edge in _edges(content, node):
            visit(edge.to, trail + [node])
        state[node] = "done"

    visit(content.start, [])
    for node in list(content.questions) + list(content.routes) + list(content.outcomes):
        if node not in state:
            raise reader.fail(node, "(node)", "unreachable from the start question")
