"""The user's own data: /mydata sends all of it as a file; /deletemydata erases it.

Applications the centre already works on are anonymised rather than dropped (the
centre must keep its records), and the user is told so.
"""
from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain.money_data import to_data
from handlers.base import BotContext, answer, callback, chat_id, named, send, show
from handlers.registry import Registry
from services.keyboards import keyboard


async def collect(ctx: BotContext) -> dict[str, Any]:
    repos, user_id = ctx.repos, ctx.user.id
    apps = await repos.applications.of_user(user_id)
    draft = await repos.applications.draft_of(user_id)
    conv = await repos.conversations.get(user_id)
    user = await repos.users.get(user_id)
    data: dict[str, Any] = {"user": dataclasses.asdict(user) if user else None,
            "consents": await repos.consents.of_user(user_id),
            "conversation": dataclasses.asdict(conv) if conv else None,
            "applications": []}
    for app in apps + ([draft] if draft else []):
        data["applications"].append({
            **dataclasses.asdict(app),
            "documents": [dataclasses.asdict(d)
                          for d in await repos.applications.documents(app.id)],
            "history": [dataclasses.asdict(h)
                        for h in await repos.applications.history(app.id)]})
    data["reminders"] = await repos.outbox.of_chat(user_id)
    data["broadcast_deliveries"] = await repos.broadcasts.deliveries_of(user_id)
    data["cost_estimates"] = [
        {"created_at": saved.created_at, "rate_source": saved.rate_source,
         "rate_day": saved.rate_day.isoformat() if saved.rate_day else None,
         "application_id": saved.application_id, "estimate": to_data(saved.estimate)}
        for saved in await repos.estimates.of_user(user_id)]
    return data


@named("mydata")
async def my_data(update: Update, ctx: BotContext) -> None:
    data = json.dumps(await collect(ctx), ensure_ascii=False, indent=2).encode("utf-8")
    await ctx.bot.send_document(chat_id(update), io.BytesIO(data),
                                filename=f"my-data-{ctx.user.id}.json",
                                caption=ctx.tr._("Everything stored about you, as JSON."))


@named("deletemydata")
async def delete_my_data(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    # What goes, what stays and why, before the user decides (storage erase_user does it).
    await send(update, ctx, tr._(
        "<b>Delete your data?</b>\n\n"
        "<b>Deleted:</b> your profile (Telegram name, language, settings), consents, drafts "
        "with their documents, cost estimates, reminders, and the record of announcements "
        "sent to you.\n\n"
        "<b>Anonymised:</b> applications the centre is already working on. They lose your "
        "name, IIN/BIN and phone, every document you uploaded, and the centre's comments to "
        "you.\n\n"
        "<b>Kept, without your personal data:</b> the vehicle data, the status history and "
        "the number of the document issued, because the centre must keep records of the "
        "certification work it has done.\n\n"
        "This cannot be undone."),
        keyboard([[(tr._("🗑 Yes, delete my data"), "del:yes")],
                  [(tr._("⬅️ No, keep it"), "menu")]]))


@named("deletemydata:yes")
async def confirm_delete(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    tr = ctx.tr
    anonymised = await ctx.repos.applications.erase_user(ctx.user.id, ctx.now())
    text = tr._("Your data is deleted.")
    if anonymised:
        text += "\n" + tr.ngettext(
            "{n} application the centre is working on was anonymised, not deleted: it keeps "
            "the vehicle data and history, without your personal data.",
            "{n} applications the centre is working on were anonymised, not deleted: it keeps "
            "the vehicle data and history, without your personal data.", anonymised)
    text += "\n" + tr._("If you write to me again, we start afresh with /start.")
    ctx.user = None
    await show(update, ctx, text)


@named("mute")
async def mute(update: Update, ctx: BotContext) -> None:
    await ctx.repos.users.set_muted(ctx.user.id, True)
    await send(update, ctx, ctx.tr._("🔕 Reminders are off. Status changes of your applications "
                                     "still reach you. /unmute turns reminders back on."))


@named("unmute")
async def unmute(update: Update, ctx: BotContext) -> None:
    await ctx.repos.users.set_muted(ctx.user.id, False)
    await send(update, ctx, ctx.tr._("🔔 Reminders are on again."))


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.add(CommandHandler("mydata", my_data, filters=private))
    registry.add(CommandHandler("deletemydata", delete_my_data, filters=private))
    registry.add(CallbackQueryHandler(confirm_delete, pattern=callback("del:yes")))
    registry.add(CommandHandler("mute", mute, filters=private))
    registry.add(CommandHandler("unmute", unmute, filters=private))
