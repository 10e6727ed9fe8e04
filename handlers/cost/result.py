"""A cost estimate once made: the result, comparing the other clearance ways, "My
estimates", sharing by link, and attaching one to an application.

callback_data: cost:h (my estimates), cost:v:<id> (one of mine), cost:w:<id>:<way> (the
same with another way), cost:p:<id> (choose an application), cost:t:<id>:<application>
(attach). Deep link:
/start cost_<token> opens a shared estimate.
"""
from __future__ import annotations

import dataclasses
from urllib.parse import quote

from telegram import InlineKeyboardMarkup, Update

from domain.money import ways_for
from handlers.base import BotContext, answer, named, send, show
from services import cost_texts as texts
from services import estimates
from services.keyboards import Button, Url, keyboard
from storage.estimates import SavedEstimate

SHARE_PREFIX = "cost_"
HISTORY_SHOWN = 10


def share_link(ctx: BotContext, saved: SavedEstimate) -> str:
    return f"https://t.me/{ctx.bot.username}?start={SHARE_PREFIX}{saved.token}"


def result_markup(ctx: BotContext, saved: SavedEstimate, attachable: bool
                  ) -> InlineKeyboardMarkup:
    tr, inputs = ctx.tr, saved.estimate.inputs
    rows: list[list[Button]] = []
    if inputs.origin == "outside":
        rows += [[(tr._("🔁 Compare: {way}", way=texts.way_short(tr, way)),
                   f"cost:w:{saved.id}:{way}")]
                 for way in ways_for(inputs.importer) if way != inputs.way]
    link = share_link(ctx, saved)
    share = Url(f"https://t.me/share/url?url={quote(link, safe='')}"
                f"&text={quote(texts.share_text(tr, saved), safe='')}")
    rows.append([(tr._("✏️ Change answers"), f"cost:e:{saved.id}"), (tr._("📤 Share"), share)])
    if attachable:
        rows.append([(tr._("📎 Attach to my application"), f"cost:p:{saved.id}")])
    rows += [[(tr._("🧮 New estimate"), "cost:new"), (tr._("📋 My estimates"), "cost:h")],
             [(tr._("⬅️ Main menu"), "menu")]]
    return keyboard(rows)


async def show_result(update: Update, ctx: BotContext, saved: SavedEstimate,
                      fresh: bool = False) -> None:
    text = texts.result_text(ctx.tr, saved, estimates.is_stale(ctx.services, saved))
    attachable = bool(await ctx.repos.applications.of_user(ctx.user.id))
    markup = result_markup(ctx, saved, attachable)
    await (send if fresh or update.callback_query is None else show)(update, ctx, text, markup)


@named("cost:history")
async def history(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    tr = ctx.tr
    saved = await ctx.repos.estimates.of_user(ctx.user.id, HISTORY_SHOWN)
    rows: list[list[Button]] = []
    if not saved:
        text = tr._("You have no estimates yet.")
    else:
        lines = [tr._("📋 <b>My estimates</b> (the latest {n}, with the rates of their day):",
                      n=str(len(saved)))]
        for n, item in enumerate(saved, 1):
            lines.append(f"{n}. {texts.history_line(tr, item)}")
            rows.append([(tr._("📄 Estimate {n}", n=str(n)), f"cost:v:{item.id}")])
        text = "\n".join(lines)
    rows += [[(tr._("🧮 New estimate"), "cost:new")], [(tr._("⬅️ Main menu"), "menu")]]
    await show(update, ctx, text, keyboard(rows))


async def mine(update: Update, ctx: BotContext) -> SavedEstimate | None:
    """The estimate a button names, if it is the user's own (else a polite refusal)."""
    saved = await ctx.repos.estimates.mine(int(ctx.matched(1)), ctx.user.id)
    if saved is None:
        await answer(update, ctx, ctx.tr._("This estimate is no longer available."), alert=True)
    return saved


@named("cost:view")
async def view(update: Update, ctx: BotContext) -> None:
    saved = await mine(update, ctx)
    if saved is not None:
        await answer(update, ctx)
        await show_result(update, ctx, saved, fresh=True)


@named("cost:compare")
async def compare(update: Update, ctx: BotContext) -> None:
    """The same vehicle by another way, as a new message under the first (to compare)."""
    saved = await mine(update, ctx)
    if saved is None:
        return
    inputs = saved.estimate.inputs
    way = ctx.matched(2)
    if inputs.origin != "outside" or way not in ways_for(inputs.importer):
        await answer(update, ctx, ctx.tr._("This button is no longer valid."), alert=True)
        return
    await answer(update, ctx)
    exchange = estimates.Exchange(saved.estimate.exchange, saved.rate_source, saved.rate_day)
    again = await estimates.make(ctx.services, ctx.user.id,
                                 dataclasses.replace(inputs, way=way), exchange)
    await show_result(update, ctx, again, fresh=True)


@named("cost:pick")
async def pick_application(update: Update, ctx: BotContext) -> None:
    saved = await mine(update, ctx)
    if saved is None:
        return
    await answer(update, ctx)
    tr = ctx.tr
    applications = (await ctx.repos.applications.of_user(ctx.user.id))[:20]
    if not applications:
        await send(update, ctx, tr._("You have no submitted applications yet."))
        return
    rows: list[list[Button]] = [[(f"{app.number} · {app.make or ''} {app.model or ''}".strip(),
                                  f"cost:t:{saved.id}:{app.id}")] for app in applications]
    rows.append([(tr._("⬅️ Main menu"), "menu")])
    await send(update, ctx, tr._("Attach the estimate to which application? Staff will see "
                                 "it with the application."), keyboard(rows))


@named("cost:attach")
async def attach(update: Update, ctx: BotContext) -> None:
    saved = await mine(update, ctx)
    if saved is None:
        return
    tr = ctx.tr
    if not await ctx.repos.estimates.attach(saved.id, ctx.user.id, int(ctx.matched(2))):
        await answer(update, ctx, tr._("This application is not yours or no longer exists."),
                     alert=True)
        return
    await answer(update, ctx, tr._("Attached."))
    await show(update, ctx, tr._("📎 The estimate is attached to your application."),
               keyboard([[(tr._("📋 My estimates"), "cost:h")],
                         [(tr._("⬅️ Main menu"), "menu")]]))


async def open_shared(update: Update, ctx: BotContext, token: str) -> None:
    """Deep link /start cost_<token>: someone's estimate, read only, and a way to make one's
    own from the same answers."""
    tr = ctx.tr
    saved = await ctx.repos.estimates.by_token(token)
    if saved is None:
        await send(update, ctx, tr._("This estimate is no longer available. Make your own:"),
                   keyboard([[(tr._("🧮 New estimate"), "cost:new")],
                             [(tr._("⬅️ Main menu"), "menu")]]))
        return
    text = tr._("🔗 A shared estimate:") + "\n\n" + texts.result_text(
        tr, saved, estimates.is_stale(ctx.services, saved))
    await send(update, ctx, text, keyboard([
        [(tr._("🧮 My own estimate with these answers"), f"cost:c:{token}")],
        [(tr._("⬅️ Main menu"), "menu")]]))
