"""Typed text outside any flow that is not a question for the lookup: a greeting (the
welcome, or the menu), an application number (its card, for its owner and for staff only),
a VIN (the user's own applications with it). Registered before the other text routes."""
from __future__ import annotations

from telegram import Update

from domain.typed import application_number, is_greeting, vin_checks_out, vin_in
from handlers import start
from handlers.base import BotContext, message_of, send
from handlers.desk import case
from handlers.my_applications import show_card
from handlers.registry import Registry
from services import application_texts as render
from services.keyboards import Button, keyboard


async def greeting(update: Update, ctx: BotContext) -> bool:
    """"привет", "сәлем", "你好": the welcome for a newcomer, the menu for the others."""
    if not is_greeting(message_of(update).text or ""):
        return False
    await start.continue_start(update, ctx)
    return True


def _back(ctx: BotContext) -> list[list[Button]]:
    tr = ctx.tr
    return [[(tr._("📂 My applications"), "my:list"), (tr._("⬅️ Main menu"), "menu")]]


async def application(update: Update, ctx: BotContext) -> bool:
    """"EV-2026-000001": its card, when it is the user's own (or the user is staff); the
    same words for someone else's and a missing one, so nothing leaks."""
    number = application_number(message_of(update).text or "")
    if number is None:
        return False
    found = await ctx.repos.applications.by_number(number)
    if found is not None and found.status != "draft":
        if ctx.is_staff:
            await case.card(update, ctx, found, fresh=True)
            return True
        if found.user_id == ctx.user.id:
            await show_card(update, ctx, found)
            return True
    await send(update, ctx, ctx.tr._("You have no application {number}. Your applications "
                                     "are under «My applications».", number=number),
               keyboard(_back(ctx)))
    return True


async def vin(update: Update, ctx: BotContext) -> bool:
    """A VIN: the user's own applications with it (one opens at once)."""
    found_vin = vin_in(message_of(update).text or "")
    if found_vin is None:
        return False
    tr = ctx.tr
    apps = [a for a in await ctx.repos.applications.of_user(ctx.user.id) if a.vin == found_vin]
    if len(apps) == 1:
        await show_card(update, ctx, apps[0])
        return True
    if apps:
        rows: list[list[Button]] = [[(f"{a.number} · {render.status_label(tr, a.status)}",
                                      f"my:v:{a.id}")] for a in apps[:20]]
        await send(update, ctx, tr._("Your applications for VIN {vin}:",
                                     vin=found_vin), keyboard(rows + _back(ctx)))
        return True
    text = tr._("None of your applications has VIN {vin}.", vin=found_vin)
    if not vin_checks_out(found_vin):
        text += "\n" + tr._("Its check digit (the 9th character) does not match: please check "
                            "the VIN against the vehicle's plate.")
    rows = [[(tr._("📝 Apply for certification"), "apply:new")]] + _back(ctx)
    await send(update, ctx, text, keyboard(rows))
    return True


def register(registry: Registry) -> None:
    registry.text_route(greeting)
    registry.text_route(application)
    registry.text_route(vin)
