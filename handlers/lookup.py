"""Engineer lookup: /req QUERY (or plain text outside any flow) finds regulations,
documents, categories and terms; the best matches come back as buttons.

callback_data: req:menu (ask), req:e:<entry> (open one), req:s:<query> (results again).
"""
from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain.lookup import Match
from handlers import flows
from handlers.base import BotContext, answer, callback, message_of, named, send, show
from handlers.contacts import ask_centre_button
from handlers.menu import back_to_menu
from handlers.registry import Registry
from services.content_texts import entry_text
from services.keyboards import Button, keyboard
from services.texts import clip

MAX_QUERY_BYTES = 44  # "req:e:<entry id ≤ 12>:<query>" must fit callback_data's 64 bytes
# A button label shows about this much on a phone; longer ones are cut at a word, with "…".
LABEL_CHARS = 60
FREE_TEXT_COVERAGE = 0.5


def with_query(prefix: str, query: str) -> str:
    """Carry the query in callback_data (for Back to results) when it fits."""
    return f"{prefix}:{query}" if len(query.encode()) <= MAX_QUERY_BYTES else prefix


def label(text: str) -> str:
    """A whole, readable button label: cut only at a word boundary, with an ellipsis."""
    return clip(text, LABEL_CHARS)


def results_markup(ctx: BotContext, matches: Sequence[Match], query: str
                   ) -> InlineKeyboardMarkup:
    tr = ctx.tr
    rows = [[(label(m.entry.title[tr.language]), with_query(f"req:e:{m.entry.id}", query))]
            for m in matches]
    rows.append([(tr._("🔎 New search"), "req:menu"), (tr._("⬅️ Main menu"), "menu")])
    return keyboard(rows)


def opens_at_once(matches: Sequence[Match]) -> bool:
    """One match, or one that every typed unit names exactly while the next does not."""
    return len(matches) == 1 or (matches[0].exact and not matches[1].exact)


async def show_results(update: Update, ctx: BotContext, query: str, fresh: bool,
                       as_list: bool = False, coverage: float = 0.0) -> bool:
    """Reply with the matches; False when nothing matched (the caller decides what then).

    An exact identifier (R138, ЭПТС) opens its entry at once, the others as "see also".
    `coverage`: the share of what was typed the best match must explain (free text asks for
    half: a sentence with one known word goes to the fallback's options instead).
    """
    matches = ctx.services.library.index.search(query)
    if not matches or matches[0].coverage < coverage:
        return False
    if opens_at_once(matches) and not as_list:
        await show_entry(update, ctx, matches[0].entry.id, query, fresh, also=matches[1:])
        return True
    text = ctx.tr._("Found for «{query}»: choose an entry.", query=clip(query, 100))
    put = send if fresh else show
    await put(update, ctx, text, results_markup(ctx, matches, query))
    return True


async def show_entry(update: Update, ctx: BotContext, entry_id: str, query: str | None,
                     fresh: bool, also: Sequence[Match] = ()) -> None:
    library, tr = ctx.services.library, ctx.tr
    entry = library.content.entries.get(entry_id)
    if entry is None:
        await answer(update, ctx, tr._("This entry no longer exists."), alert=True)
        return
    rows: list[list[Button]] = [
        [(label(tr._("See also: {title}", title=m.entry.title[tr.language])),
          with_query(f"req:e:{m.entry.id}", query or ""))] for m in also]
    if query and not also and len(library.index.search(query)) > 1:
        rows.append([(tr._("⬅️ Back to results"), f"req:s:{query}")])
    rows.append([(tr._("🔎 New search"), "req:menu"), (tr._("⬅️ Main menu"), "menu")])
    put = send if fresh else show
    await put(update, ctx, entry_text(tr, library.content, entry), keyboard(rows))


def ask_text(ctx: BotContext) -> str:
    return ctx.tr._("🔎 Type what you are looking for: a regulation number (R100, GB/T 20234), "
                    "a document (СБКТС), a category (M1) or a word (battery, brakes).")


@named("req")
async def req_command(update: Update, ctx: BotContext) -> None:
    query = " ".join(ctx.args or []).strip()
    if not query:
        await flows.park(ctx)  # the next text is the query, not an answer to a flow
        await send(update, ctx, ask_text(ctx), back_to_menu(ctx.tr))
        return
    if not await show_results(update, ctx, query, fresh=True):
        await not_found(update, ctx, query)


def options_rows(ctx: BotContext) -> list[list[Button]]:
    """Where to go when the lookup has nothing: never a lone "Main menu"."""
    tr = ctx.tr
    return [[(tr._("📘 Certification guide"), "g:menu"), (tr._("💰 Import cost estimate"),
                                                         "cost:go")],
            [(tr._("🔎 New search"), "req:menu"), ask_centre_button(tr)],
            [(tr._("⬅️ Main menu"), "menu")]]


async def not_found(update: Update, ctx: BotContext, query: str) -> None:
    await send(update, ctx, ctx.tr._("Nothing found for «{query}». Try a regulation number such "
                                     "as R100, or one word such as battery. The guide answers "
                                     "most questions about a vehicle, and the centre answers "
                                     "the rest.", query=clip(query, 100)),
               keyboard(options_rows(ctx)))


@named("req:menu")
async def req_menu(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await flows.park(ctx)
    await show(update, ctx, ask_text(ctx), back_to_menu(ctx.tr))


@named("req:entry")
async def req_entry(update: Update, ctx: BotContext) -> None:
    entry_id, query = ctx.matched(1), ctx.matched(2)
    await answer(update, ctx)
    await show_entry(update, ctx, entry_id, query or None, fresh=False)


@named("req:search")
async def req_search(update: Update, ctx: BotContext) -> None:
    query = ctx.matched()
    await answer(update, ctx)
    if not await show_results(update, ctx, query, fresh=False, as_list=True):
        await not_found(update, ctx, query)


async def free_text(update: Update, ctx: BotContext) -> bool:
    """Text outside any flow: treat it as a lookup when it matches something."""
    text = (message_of(update).text or "").strip()
    return bool(text) and len(text) <= 100 and \
        await show_results(update, ctx, text, fresh=True, coverage=FREE_TEXT_COVERAGE)


def register(registry: Registry) -> None:
    registry.add(CommandHandler("req", req_command, filters=filters.ChatType.PRIVATE))
    registry.add(CallbackQueryHandler(req_menu, pattern=callback("req:menu")))
    registry.add(CallbackQueryHandler(req_entry,
                                      pattern=callback(r"req:e:([\w-]{1,32})(?::([\s\S]+))?")))
    registry.add(CallbackQueryHandler(req_search, pattern=callback(r"req:s:([\s\S]+)")))
    registry.text_route(free_text)
    registry.menu_entry(20, "req:menu", lambda tr: tr._("🔎 Look up a requirement"))
    registry.command(30, "req", lambda tr: tr._("Look up a requirement: /req R100"))
