"""How the guide looks: a question step, an outcome split under Telegram's limits,
and the outcome as a plain-text checklist file."""
from __future__ import annotations

import html
from datetime import date

from domain import guide
from domain.content import Content, Item
from i18n import Translator
from services.content_texts import Sources, unconfirmed

LIMIT = 4000  # under Telegram's 4096, measured on the HTML (never shorter than the text)


def section_title(tr: Translator, section: str) -> str:
    return {
        "documents": tr._("📄 Documents to prepare"),
        "requirements": tr._("🔬 Technical requirements"),
        "checks": tr._("⚠️ Check and keep in mind"),
        "money": tr._("💰 Money (2026 figures)"),
        "steps": tr._("🧭 Steps"),
        "where": tr._("📍 Where"),
    }[section]


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


def outcome_blocks(tr: Translator, content: Content, walk: guide.Walk, html_mode: bool = True
                   ) -> list[str]:
    """The outcome as blocks (header, one per section, sources), each a few lines."""
    result = guide.result(content, walk)
    if result is None:
        raise ValueError("the walk has not reached an outcome")
    outcome = result.outcome

    def esc(text: str) -> str:
        return html.escape(text) if html_mode else text

    def bold(text: str) -> str:
        return f"<b>{text}</b>" if html_mode else text.upper()

    def italic(text: str) -> str:
        return f"<i>{text}</i>" if html_mode else text

    sources = Sources(content)
    answers = walk.current_answers()
    header = [bold(tr._("✅ Your path: {title}", title=outcome.title[tr.language])),
              esc(outcome.summary[tr.language]) + " " + sources.cite(outcome.sources)]
    documents = sum(len(items) for section, items in result.sections if section == "documents")
    if documents:
        header.append(tr.ngettext("You will need {n} document or set of data.",
                                  "You will need {n} documents or sets of data.", documents))
    header.append("")
    header.append(italic(tr._("Your answers:")))
    for qid in walk.path:
        label = content.questions[qid].label(answers[qid])[tr.language]
        header.append(f"• {esc(label)}")
    blocks = ["\n".join(header)]
    for section, items in result.sections:
        lines = [bold(section_title(tr, section))]
        for item in items:
            line = f"• {esc(item_text(tr, content, item))} {sources.cite(item.sources)}"
            if item.status == "unconfirmed":
                line += " ⚠️ " + italic(unconfirmed(tr))
            lines.append(line)
        blocks.append("\n".join(lines))
    reviewed = min([outcome.reviewed] + [i.reviewed for i in result.items])
    # Translated messages are already HTML (their values escaped): only content is escaped here.
    footer = [bold(tr._("Sources"))] + [esc(s) for s in sources.listing()]
    footer.append(italic(tr._("Rules last reviewed: {date}", date=tr.date(reviewed))))
    blocks.append("\n".join(footer))
    return blocks


def pack(blocks: list[str], limit: int = LIMIT) -> list[str]:
    """Join blocks into as few messages as fit; split a block by lines only if it must."""
    pieces = [piece for block in blocks
              for piece in ([block] if len(block) <= limit else _split_lines(block, limit))]
    return _greedy(pieces, "\n\n", limit)


def _split_lines(block: str, limit: int) -> list[str]:
    lines = []
    for line in block.split("\n"):
        while len(line) > limit:  # a single over-long line: cut it (never happens with our content)
            lines.append(line[:limit])
            line = line[limit:]
        lines.append(line)
    return _greedy(lines, "\n", limit)


def _greedy(pieces: list[str], separator: str, limit: int) -> list[str]:
    """Pieces joined by `separator` into as few strings of at most `limit` as they fit."""
    joined: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            joined.append(current)
            current = piece
    if current:
        joined.append(current)
    return joined


def outcome_messages(tr: Translator, content: Content, walk: guide.Walk) -> list[str]:
    return pack(outcome_blocks(tr, content, walk))


def checklist_file(tr: Translator, content: Content, walk: guide.Walk, today: date) -> bytes:
    """The outcome as a UTF-8 text file with checkboxes, for printing or forwarding."""
    lines = [tr._("EV certification checklist"), tr.date(today), ""]
    for block in outcome_blocks(tr, content, walk, html_mode=False):
        for line in html.unescape(block).split("\n"):  # translations are HTML-escaped
            lines.append("☐ " + line[2:] if line.startswith("• ") else line)
        lines.append("")
    return "\r\n".join(lines).encode("utf-8-sig")  # BOM + CRLF: opens right in Notepad too
