"""How the guide looks: a question step; an outcome as a phone-sized first screen (the route
in one sentence, the answers that decided it, the next three things to do, the money line)
with its sections one message each behind buttons; and the outcome as a printable file."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from domain import guide
from domain.content import Content, Item
from i18n import Translator, strip_tags
from services.content_texts import (
    UNCONFIRMED_MARK,
    Sources,
    first_use,
    unconfirmed,
    unconfirmed_legend,
)

FIRST_SCREEN_LIMIT = 1000   # characters after parsing: read on a phone without scrolling
NEXT_STEPS = 3
SOURCES = "sources"         # the section every outcome has: what its rules cite


def section_title(tr: Translator, section: str) -> str:
    return {
        "documents": tr._("📋 Documents to prepare"),
        "checks": tr._("⚠️ Check before you buy"),
        "requirements": tr._("🔬 Technical requirements"),
        "money": tr._("💰 Money (2026 figures)"),
        "steps": tr._("🧭 Steps, in order"),
        SOURCES: tr._("📚 Sources"),
    }[section]


def section_button(tr: Translator, section: str) -> str:
    return {
        "documents": tr._("📋 Documents"),
        "checks": tr._("⚠️ Checks"),
        "requirements": tr._("🔬 Requirements"),
        "money": tr._("💰 Money"),
        "steps": tr._("🧭 Steps"),
        SOURCES: tr._("📚 Sources"),
    }[section]


def group_title(tr: Translator, group: str) -> str:
    return {
        "vehicle": tr._("What your vehicle will be checked for"),
        "type": tr._("What the vehicle type must meet (the maker's approvals and test reports "
                     "show it)"),
    }[group]


def question_text(tr: Translator, content: Content, walk: guide.Walk) -> str:
    number, total = guide.step(content, walk)
    question = content.questions[guide.current_node(content, walk)]
    return (tr._("<b>📘 Certification guide</b> · step {n} of {total}", n=number, total=total)
            + f"\n\n<b>{html.escape(question.text[tr.language])}</b>")


def option_label(tr: Translator, content: Content, walk: guide.Walk, value: str) -> str:
    question = content.questions[guide.current_node(content, walk)]
    label = question.label(value)[tr.language]
    return f"✓ {label}" if walk.answers.get(question.id) == value else label


def item_text(tr: Translator, content: Content, item: Item) -> str:
    if item.ref is not None:
        return content.entries[item.ref].summary[tr.language]
    return item.text[tr.language] if item.text else ""


@dataclass(frozen=True)
class Answer:
    """Where a walk ended, with what each part of its outcome shows."""
    result: guide.Result
    answers: list[tuple[str, str]]     # (question id, value), in the order answered
    next_steps: list[Item]
    cost: list[Item]
    sections: dict[str, list[Item]]    # the outcome's sections that have items, in order
    sources: Sources                   # numbered over the whole outcome

    @property
    def buttons(self) -> list[str]:
        return [*self.sections, SOURCES]

    @property
    def reviewed(self) -> date:
        """The oldest review date of what the outcome shows."""
        return min([self.result.outcome.reviewed] + [i.reviewed for i in self.result.items])


def answer_of(content: Content, walk: guide.Walk) -> Answer:
    result = guide.result(content, walk)
    if result is None:
        raise ValueError("the walk has not reached an outcome")
    sections = dict(result.sections)
    next_steps = sections.pop("next", [])[:NEXT_STEPS]
    cost = sections.pop("cost", [])
    sources = Sources(content)
    for sid in result.outcome.sources:
        sources.number(sid)
    for item in [*next_steps, *cost, *(i for items in sections.values() for i in items)]:
        for sid in item.sources:
            sources.number(sid)
    answers = [(qid, walk.answers[qid]) for qid in walk.path]
    return Answer(result, answers, next_steps, cost, sections, sources)


def _marked(text: str, status: str) -> str:
    return f"{text} {UNCONFIRMED_MARK}" if status == "unconfirmed" else text


def _answers_line(tr: Translator, content: Content, answer: Answer) -> str:
    shorts = []
    for qid, value in answer.answers:
        option = content.questions[qid].option(value)
        if option is not None:
            shorts.append(option.short[tr.language])
    return " · ".join(html.escape(s) for s in shorts)


def first_screen(tr: Translator, content: Content, walk: guide.Walk) -> str:
    """The route in one sentence, the answers that decided it, the next three things to do
    and the money line: the whole answer on a phone, the details behind buttons."""
    answer = answer_of(content, walk)
    outcome = answer.result.outcome
    lang = tr.language
    marked = outcome.status == "unconfirmed" or any(
        i.status == "unconfirmed" for i in [*answer.next_steps, *answer.cost])
    lines = ["<b>" + tr._("✅ Your route: {title}", title=outcome.title[lang]) + "</b>",
             _marked(html.escape(outcome.summary[lang]), outcome.status),
             "<i>" + tr._("Your answers:") + "</i> " + _answers_line(tr, content, answer)]
    if answer.next_steps:
        lines += ["", "<b>" + tr._("Next:") + "</b>"]
        lines += [f"{n}. " + _marked(html.escape(item_text(tr, content, item)), item.status)
                  for n, item in enumerate(answer.next_steps, 1)]
    for item in answer.cost:
        lines += ["", "💰 " + _marked(html.escape(item_text(tr, content, item)), item.status)]
    if marked:
        lines.append(unconfirmed_legend(tr))
    lines.append("<i>" + tr._("Details: the buttons below. Rules reviewed: {date}",
                               date=tr.date(answer.reviewed)) + "</i>")
    return first_use(content, lang, "\n".join(lines))


def section_text(tr: Translator, content: Content, walk: guide.Walk, section: str) -> str:
    """One section of the outcome, as one message: its items (requirements in their two
    groups), the unconfirmed ones marked, and the numbers of the sources they cite."""
    answer = answer_of(content, walk)
    outcome = answer.result.outcome
    lang = tr.language
    head = "<b>" + section_title(tr, section) + "</b> · " + html.escape(outcome.title[lang])
    if section == SOURCES:
        lines = [head, *answer.sources.listing(lang), "<i>" + tr._(
            "Rules last reviewed: {date}", date=tr.date(answer.reviewed)) + "</i>"]
        return first_use(content, lang, "\n".join(lines))
    items = answer.sections.get(section, [])
    lines = [head]
    if section == "documents":
        lines.append(tr.ngettext("You will need {n} document or set of data.",
                                 "You will need {n} documents or sets of data.", len(items)))
    group = None
    for item in items:
        if item.group is not None and item.group != group:
            group = item.group
            lines += ["", "<i>" + group_title(tr, group) + "</i>"]
        box = "☐" if section == "documents" else "•"
        lines.append(f"{box} " + _marked(html.escape(item_text(tr, content, item)),
                                         item.status))
    if any(i.status == "unconfirmed" for i in items):
        lines.append(unconfirmed_legend(tr))
    cited = [sid for item in items for sid in item.sources]
    lines.append("📚 " + tr._("Sources:") + " " + answer.sources.links(cited))
    return first_use(content, lang, "\n".join(lines))


def checklist_file(tr: Translator, content: Content, walk: guide.Walk, today: date) -> bytes:
    """The outcome as a clean printable UTF-8 text file in the user's language: the user's
    answers as facts, the next steps, documents with boxes to tick, the rest as lists, and
    the sources with their addresses."""
    answer = answer_of(content, walk)
    outcome = answer.result.outcome
    lang = tr.language

    wide = lang == "zh"  # Chinese punctuation: full-width colon and brackets
    colon, note = ("：", "（{}）") if wide else (": ", " ({})")

    def mark(item: Item) -> str:
        text = item_text(tr, content, item)
        return text + note.format(unconfirmed(tr)) if item.status == "unconfirmed" else text

    rule = "=" * 60
    lines = [strip_tags(tr._("EV certification checklist")), tr.date(today), rule,
             strip_tags(tr._("✅ Your route: {title}", title=outcome.title[lang])),
             outcome.summary[lang] + (note.format(unconfirmed(tr))
                                      if outcome.status == "unconfirmed" else ""),
             "", strip_tags(tr._("Your answers:"))]
    for qid, value in answer.answers:
        question = content.questions[qid]
        lines.append(f"  {question.short[lang]}{colon}{question.label(value)[lang]}")
    if answer.next_steps:
        lines += ["", strip_tags(tr._("Next:"))]
        lines += [f"  {n}. {mark(item)}" for n, item in enumerate(answer.next_steps, 1)]
    for item in answer.cost:
        lines += ["", f"💰 {mark(item)}"]
    for section, items in answer.sections.items():
        lines += ["", rule, strip_tags(section_title(tr, section)), ""]
        group = None
        for item in items:
            if item.group is not None and item.group != group:
                group = item.group
                lines.append(strip_tags(group_title(tr, group)))
            box = "☐" if section == "documents" else "-"
            lines.append(f"  {box} {mark(item)}")
    lines += ["", rule, strip_tags(section_title(tr, SOURCES)), ""]
    lines += [f"  {line}" for line in answer.sources.listing(lang, html_mode=False)]
    lines += ["", strip_tags(tr._("Rules last reviewed: {date}", date=tr.date(answer.reviewed)))]
    text = first_use(content, lang, "\r\n".join(lines))
    return text.encode("utf-8-sig")  # BOM + CRLF: opens right in Notepad too


def share_text(tr: Translator, content: Content, walk: guide.Walk) -> str:
    """What the share dialog puts next to the link (plain text)."""
    result = guide.result(content, walk)
    title = result.outcome.title[tr.language] if result else ""
    return html.unescape(tr._("My EV certification route: {title}", title=title))
