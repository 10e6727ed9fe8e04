"""The cost estimate (/cost): what importing an EV costs, line by line, with its sources."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain.money_input import is_cost_question
from handlers.base import BotContext, callback, message_of, send
from handlers.cost import ask, result
from handlers.registry import Registry


async def cost_question(update: Update, ctx: BotContext) -> bool:
    """Text outside any flow that asks what importing costs ("сколько стоит растаможка?",
    "关税多少钱"): answer it with the estimate."""
    text = (message_of(update).text or "").strip()
    if not text or len(text) > 200 or not is_cost_question(text):
        return False
    await send(update, ctx, ctx.tr._("Let's estimate it: a few questions, and you get every "
                                     "payment with its formula and source."))
    await ask.begin(update, ctx)
    return True


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.flow(ask.FLOW, ask.INPUTS, default_input=ask.on_other, on_cancel=ask.on_cancel,
                  resume=ask.show_where)
    registry.add(CommandHandler("cost", ask.open_cost, filters=private))
    registry.add(CallbackQueryHandler(ask.open_cost, pattern=callback("cost:go")))
    registry.add(CallbackQueryHandler(ask.new_estimate, pattern=callback("cost:new")))
    registry.add(CallbackQueryHandler(ask.on_choice,
                                      pattern=callback(r"cost:a:([a-z]{1,12}):([A-Za-z0-9]{1,12})")))
    registry.add(CallbackQueryHandler(ask.on_keep, pattern=callback("cost:k")))
    registry.add(CallbackQueryHandler(ask.edit_answers, pattern=callback(r"cost:e:(\d{1,12})")))
    registry.add(CallbackQueryHandler(ask.on_back, pattern=callback("cost:b")))
    registry.add(CallbackQueryHandler(ask.on_cancel_button, pattern=callback("cost:x")))
    registry.add(CallbackQueryHandler(ask.copy_shared,
                                      pattern=callback(r"cost:c:([A-Za-z0-9_-]{1,32})")))
    registry.add(CallbackQueryHandler(result.history, pattern=callback("cost:h")))
    registry.add(CallbackQueryHandler(result.view, pattern=callback(r"cost:v:(\d{1,12})")))
    registry.add(CallbackQueryHandler(result.compare,
                                      pattern=callback(r"cost:w:(\d{1,12}):([a-z]{1,12})")))
    registry.add(CallbackQueryHandler(result.pick_application,
                                      pattern=callback(r"cost:p:(\d{1,12})")))
    registry.add(CallbackQueryHandler(result.attach,
                                      pattern=callback(r"cost:t:(\d{1,12}):(\d{1,12})")))
    registry.deep_link(result.SHARE_PREFIX, result.open_shared)
    registry.text_route(cost_question)
    registry.menu_entry(15, "cost:go", lambda tr: tr._("💰 Import cost estimate"))
    registry.command(25, "cost", lambda tr: tr._("What importing my vehicle costs"))
