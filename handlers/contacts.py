"""The centre's card: /contacts, the menu entry, and typed questions about the centre
("контакты", "адрес центра", "часы работы", "сроки", "地址", "多久", "байланыс").

The card is built from content/centre.toml (staff edit it, /reload applies it); what the
centre has not published yet is said to be so, and the centre stays "announced" until staff
confirm it. The map is a venue message, sent when the card has a map point.

callback_data: centre (the card), centre:map (the venue).
"""
from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain.centre import Centre
from domain.typed import Topic, topic
from handlers.base import BotContext, answer, callback, chat_id, message_of, named, send, show
from handlers.registry import Registry
from i18n import Html, Translator
from services.content_texts import Sources, first_use, unconfirmed
from services.keyboards import Button, keyboard

CARD = "centre"
# Where "Ask the centre" leads: a general question to the centre's staff (handlers/ask.py).
ASK_CENTRE = "ask:0"


def ask_centre_button(tr: Translator) -> Button:
    return (tr._("✉️ Ask the centre"), ASK_CENTRE)


def not_published(tr: Translator) -> str:
    return tr._("not published yet")


def card_text(tr: Translator, ctx: BotContext, about: Topic | None = None) -> str:
    library = ctx.services.library
    centre: Centre = library.centre
    lang = tr.language
    lines = [f"<b>{html.escape(centre.name[lang])}</b>"]
    if centre.status == "announced":
        lines.append("⚠️ <i>" + tr._("Announced: the centre's accreditation and start date "
                                    "are {note}.", note=unconfirmed(tr)) + "</i>")
    lines.append("")
    if about is Topic.TIMING:
        lines += [tr._("⏱ <b>How long it takes</b>: Kazakhstan's timelines are not published "
                       "yet ({note}). For comparison, in Russia an SBKTS takes from a few days "
                       "to a few weeks. Once you apply, /my shows your application's status "
                       "at every step.", note=unconfirmed(tr)), ""]
    address = Html(html.escape(centre.address[lang])) if centre.address else \
        Html(tr._("{city} (the exact address is {missing})", city=centre.city[lang],
                  missing=not_published(tr)))
    lines.append(tr._("📍 Address: {address}", address=address))
    lines.append(tr._("📞 Phone: {phone}", phone=centre.phone or not_published(tr)))
    lines.append(tr._("✉️ E-mail: {email}", email=centre.email or not_published(tr)))
    hours = Html(tr._("{hours} (Kazakhstan time, UTC+5)", hours=centre.hours[lang])) \
        if centre.hours else not_published(tr)
    lines.append(tr._("🕘 Working hours: {hours}", hours=hours))
    if not centre.has_map:
        lines.append(tr._("🗺 Map: {missing}", missing=not_published(tr)))
    lines += ["", tr._("🧪 <b>Accredited laboratories</b>: {labs}", labs=centre.labs[lang])]
    sources = Sources(library.content)
    for sid in centre.sources:
        sources.number(sid)
    lines += ["", "<b>" + tr._("Sources") + "</b>", *sources.listing(lang),
              "<i>" + tr._("Last reviewed: {date}", date=tr.date(centre.reviewed)) + "</i>"]
    return first_use(library.content, lang, "\n".join(lines))


def card_markup(ctx: BotContext) -> InlineKeyboardMarkup:
    tr = ctx.tr
    rows: list[list[Button]] = []
    if ctx.services.library.centre.has_map:
        rows.append([(tr._("🗺 Show on the map"), "centre:map")])
    rows.append([(tr._("📘 Certification guide"), "g:menu"),
                 (tr._("📂 My applications"), "my:list")])
    rows.append([(tr._("⬅️ Main menu"), "menu")])
    return keyboard(rows)


@named("centre")
async def centre_card(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await show(update, ctx, card_text(ctx.tr, ctx), card_markup(ctx), preview=False)


@named("centre:map")
async def centre_map(update: Update, ctx: BotContext) -> None:
    centre = ctx.services.library.centre
    if not centre.has_map:  # the map point was taken out by a /reload since
        await answer(update, ctx, not_published(ctx.tr), alert=True)
        return
    await answer(update, ctx)
    lang = ctx.tr.language
    address = centre.address[lang] if centre.address else centre.city[lang]
    await ctx.bot.call("sendVenue", chat_id=chat_id(update), latitude=centre.latitude,
                       longitude=centre.longitude, title=centre.name[lang][:256],
                       address=address[:256])


async def centre_question(update: Update, ctx: BotContext) -> bool:
    """Typed text asking where the centre is, how to reach it, when it works or how long
    certification takes: the card (with the answer on timing first)."""
    text = (message_of(update).text or "").strip()
    about = topic(text) if text else None
    if about is None:
        return False
    await send(update, ctx, card_text(ctx.tr, ctx, about), card_markup(ctx), preview=False)
    return True


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.add(CommandHandler("contacts", centre_card, filters=private))
    registry.add(CallbackQueryHandler(centre_card, pattern=callback(CARD)))
    registry.add(CallbackQueryHandler(centre_map, pattern=callback("centre:map")))
    registry.text_route(centre_question)
    registry.menu_entry(55, CARD, lambda tr: tr._("📍 Contacts"))
    registry.command(65, "contacts", lambda tr: tr._("The centre's address, phone and hours"))
