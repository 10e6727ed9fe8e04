"""The user's own data: /mydata sends a readable summary and all of it as a file (and the
uploaded files on request); /deletemydata says what is kept, anonymised and deleted, then
erases it.

Applications the centre already works on are anonymised rather than dropped (the
centre must keep its records), and the user is told so beforehand, application by
application.
"""
from __future__ import annotations

import dataclasses
import html
import io
import json
from datetime import UTC, datetime, tzinfo
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain.money_data import to_data
from handlers import uploads
from handlers.base import BotContext, answer, callback, chat_id, named, send, show
from handlers.registry import Registry
from i18n import Translator
from services import application_texts as render
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
    data["messages_with_the_centre"] = [
        {"application_id": thread.application_id,
         "messages": [{"from": "you" if m.kind == "in" else "centre", "text": m.text,
                       "file_type": m.file_type, "sent_at": m.at} for m in messages]}
        for thread, messages in await repos.threads.of_user(user_id)]
    return data


TIME_KEYS = ("first_seen", "last_seen")


def readable_times(value: Any, tz: tzinfo, key: str = "") -> Any:
    """Unix times (…_at, due_at) as ISO 8601 dates with the Almaty offset, all the way down."""
    if isinstance(value, dict):
        return {k: readable_times(v, tz, k) for k, v in value.items()}
    if isinstance(value, list):
        return [readable_times(v, tz, key) for v in value]
    if (key.endswith("_at") or key in TIME_KEYS) and isinstance(value, int) \
            and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC).astimezone(tz).isoformat()
    return value


def summary(tr: Translator, data: dict[str, Any], files: list[tuple[str | None, Any]]
            ) -> str:
    """What is stored, in words and dates, in the user's language."""
    def when(seconds: int | None) -> str:
        return render.local_time(tr, seconds) if seconds else "—"

    lines = [tr._("<b>Your data stored by the bot</b>")]
    user = data.get("user") or {}
    if user:
        lines.append(tr._("Profile: {name}, language {language}, since {date}",
                          name=str(user.get("first_name") or "—"),
                          language=user.get("language") or "—",
                          date=when(user.get("first_seen"))))
    for consent in data.get("consents", []):
        lines.append(tr._("Consent to personal data processing (version {version}): {date}",
                          version=consent["version"], date=when(consent["accepted_at"])))
    apps = data.get("applications", [])
    lines += ["", tr.ngettext("<b>{n} application</b>", "<b>{n} applications</b>", len(apps))]
    for app in apps:
        number = app.get("number") or tr._("draft")
        lines.append(f"• {html.escape(number)}: {render.status_label(tr, app['status'])}, "
                     f"{html.escape(' '.join(str(app.get(k) or '') for k in ('make', 'model')))}"
                     f" · VIN {app.get('vin') or '—'} · {when(app.get('updated_at'))}")
    lines += ["", tr.ngettext("<b>{n} uploaded file</b>", "<b>{n} uploaded files</b>",
                              len(files))]
    for number, doc in files[:60]:
        name = doc.file_name or (tr._("photo") if doc.sent_as == "photo" else tr._("file"))
        lines.append(f"• {html.escape(render.doc_label(tr, doc.kind))}: {html.escape(name)} · "
                     f"{when(doc.uploaded_at)} · {html.escape(number or tr._('draft'))}")
    if len(files) > 60:
        lines.append(tr._("… and {n} more (all in the file)", n=len(files) - 60))
    lines += ["", tr._("Reminders and notices: {reminders}. Announcements received: "
                       "{broadcasts}. Cost estimates: {estimates}.",
                       reminders=len(data.get("reminders", [])),
                       broadcasts=len(data.get("broadcast_deliveries", [])),
                       estimates=len(data.get("cost_estimates", [])))]
    lines += ["", tr._("Everything, with every field, is in the file below (JSON).")]
    return "\n".join(lines)


@named("mydata")
async def my_data(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    data = await collect(ctx)
    files = await ctx.repos.applications.documents_of_user(ctx.user.id)
    rows = [[(tr._("📎 Send me my files"), "md:f")]] if files else []
    await send(update, ctx, summary(tr, data, files), keyboard(rows) if rows else None)
    raw = json.dumps(readable_times(data, tr.tz), ensure_ascii=False, indent=2).encode("utf-8")
    await ctx.bot.send_document(chat_id(update), io.BytesIO(raw),
                                filename=f"my-data-{ctx.user.id}.json",
                                caption=tr._("Everything stored about you, as JSON."))


@named("mydata:files")
async def my_files(update: Update, ctx: BotContext) -> None:
    """Every file the user uploaded, back to them, item by item (photos as albums)."""
    await answer(update, ctx)
    files = await ctx.repos.applications.documents_of_user(ctx.user.id)
    if not files:
        await send(update, ctx, ctx.tr._("You have no uploaded files."))
        return
    groups: dict[tuple[int, str], list[Any]] = {}
    numbers: dict[int, str | None] = {}
    for number, doc in files:
        groups.setdefault((doc.application_id, doc.kind), []).append(doc)
        numbers[doc.application_id] = number
    for (app_id, kind), docs in groups.items():
        caption = render.doc_label(ctx.tr, kind) + " · " + (numbers[app_id] or
                                                             ctx.tr._("draft"))
        await uploads.resend(ctx, chat_id(update), docs, caption)


@named("deletemydata")
async def delete_my_data(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    apps = await ctx.repos.applications.of_user(ctx.user.id)
    issued = [a for a in apps if a.status == "approved"]
    others = [a for a in apps if a.status != "approved"]
    specific = []
    if issued:  # the holder of an issued document stays on the centre's record
        specific.append(tr._(
            "<b>Kept as the law requires:</b> for applications with an issued document, the "
            "holder's name and IIN/BIN (or passport) with the document number stay on the "
            "centre's record. Your phone, uploads and the centre's comments go. You will no "
            "longer see these applications in «My applications», so note their numbers now:")
            + "\n" + "\n".join(f"• {html.escape(a.number or '')}: "
                                f"{html.escape(a.certificate_number or '—')}" for a in issued))
    if others:
        specific.append(tr._("<b>Anonymised:</b> {numbers}", numbers=", ".join(
            a.number or "" for a in others)))
    # What goes, what stays and why, before the user decides (storage erase_user does it).
    await send(update, ctx, ("\n\n".join(specific) + "\n\n" if specific else "") + tr._(
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
    registry.add(CallbackQueryHandler(my_files, pattern=callback("md:f")))
    registry.add(CallbackQueryHandler(confirm_delete, pattern=callback("del:yes")))
    registry.add(CommandHandler("mute", mute, filters=private))
    registry.add(CommandHandler("unmute", unmute, filters=private))
