"""My applications: the list, a card with history, adding a missing document, withdrawal.

Every callback names an application or document by id, and every handler loads it
with the user's id (get_owned / document_owned): forged callback data reaches
nothing that is not the user's own, and gets the same answer as a missing one.

callback_data: my:list, my:v:<id> view, my:a:<id> add a document, my:k:<id>:<kind> the
kind to add, my:w:<id> withdraw (ask), my:wy:<id> withdraw (confirmed), my:f:<doc> file.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain import applications as domain
from domain.applications import Application
from handlers import flows, uploads
from handlers.base import BotContext, answer, callback, chat_id, message_of, named, send, show
from handlers.flows import Flow
from handlers.menu import menu_markup
from handlers.registry import Registry
from services import application_texts as render
from services import workflow
from services.keyboards import keyboard

ID = r"(\d{1,12})"


class UploadStep(StrEnum):
    UPLOAD = "upload"  # waiting for the file


@dataclass
class UploadState:
    app: int
    kind: str
    group: str | None = None  # the album being received


FLOW = Flow("add_document", UploadStep, UploadState)


async def refuse(update: Update, ctx: BotContext) -> None:
    """The same words for someone else's application and a missing one: nothing leaks."""
    await answer(update, ctx, ctx.tr._("Application not found."), alert=True)


async def owned(ctx: BotContext) -> Application | None:
    """The application the pressed button names, if it is the user's own."""
    return await ctx.repos.applications.get_owned(int(ctx.matched()), ctx.user.id)


async def leave_upload(ctx: BotContext) -> None:
    """Out of "send the file" (it stays on after a file, for more pages or an album)."""
    if FLOW.at(ctx) is not None:
        await flows.end(ctx)


@named("my:list")
async def my_list(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await leave_upload(ctx)
    tr = ctx.tr
    apps = await ctx.repos.applications.of_user(ctx.user.id)
    draft = await ctx.repos.applications.draft_of(ctx.user.id)
    rows = [[(f"{a.number} · {render.status_label(tr, a.status)} · "
              f"{render.local_time(tr, a.updated_at)}", f"my:v:{a.id}")] for a in apps[:20]]
    if draft is not None:
        rows.append([(tr._("📝 Continue the draft"), "apply:new")])
    rows.append([(tr._("⬅️ Main menu"), "menu")])
    if apps:
        text = tr.ngettext("<b>My applications</b>: {n} application. Press one to see its "
                           "status and history.",
                           "<b>My applications</b>: {n} applications. Press one to see its "
                           "status and history.", len(apps))
    else:
        text = tr._("You have no submitted applications yet.")
    await show(update, ctx, text, keyboard(rows))


@named("my:view")
async def my_view(update: Update, ctx: BotContext) -> None:
    app = await owned(ctx)
    if app is None:
        await refuse(update, ctx)
        return
    await answer(update, ctx)
    await leave_upload(ctx)
    await show_card(update, ctx, app)


async def show_card(update: Update, ctx: BotContext, app: Application) -> None:
    """The user's own application (already loaded with their id) with its documents."""
    tr = ctx.tr
    docs = await ctx.repos.applications.documents(app.id)
    history = await ctx.repos.applications.history(app.id)
    rows = render.document_rows(tr, app.id, docs, "my:i", f"my:d:{app.id}:0")
    if domain.can_add_documents(app.status):
        rows.append([(tr._("📎 Add a document"), f"my:a:{app.id}")])
    if domain.can_withdraw(app.status):
        rows.append([(tr._("↩️ Withdraw the application"), f"my:w:{app.id}")])
    rows.append([(tr._("✉️ Write to the centre"), f"ask:{app.id}")])
    rows.append([(tr._("⬅️ My applications"), "my:list")])
    await show(update, ctx, render.card_text(tr, app, docs, history), keyboard(rows))


@named("my:documents")
async def my_documents(update: Update, ctx: BotContext) -> None:
    app = await owned(ctx)
    if app is None:
        await refuse(update, ctx)
        return
    await answer(update, ctx)
    docs = await ctx.repos.applications.documents(app.id)
    text, rows = render.documents_page(ctx.tr, app, docs, int(ctx.matched(2)), "my:f",
                                       f"my:d:{app.id}",
                                       (ctx.tr._("⬅️ Back"), f"my:v:{app.id}"))
    await show(update, ctx, text, keyboard(rows))


@named("my:file")
async def my_file(update: Update, ctx: BotContext) -> None:
    document = await ctx.repos.applications.document_owned(int(ctx.matched()), ctx.user.id)
    if document is None:
        await refuse(update, ctx)
        return
    await answer(update, ctx)
    await uploads.resend(ctx, chat_id(update), [document],
                         render.doc_label(ctx.tr, document.kind))


@named("my:item")
async def my_item(update: Update, ctx: BotContext) -> None:
    """Every file of one item of the user's own application (photos as albums)."""
    app = await owned(ctx)
    docs = [d for d in await ctx.repos.applications.documents(app.id)
            if d.kind == ctx.matched(2)] if app is not None else []
    if not docs:
        await refuse(update, ctx)
        return
    await answer(update, ctx)
    await uploads.resend(ctx, chat_id(update), docs, render.doc_label(ctx.tr, docs[0].kind))


@named("my:add")
async def my_add(update: Update, ctx: BotContext) -> None:
    app = await owned(ctx)
    if app is None:
        await refuse(update, ctx)
        return
    await answer(update, ctx)
    tr = ctx.tr
    if not domain.can_add_documents(app.status):
        await show(update, ctx, tr._("Documents can no longer be added to this application."),
                   keyboard([[(tr._("⬅️ My applications"), "my:list")]]))
        return
    have = {d.kind for d in await ctx.repos.applications.documents(app.id)}
    items = render.app_checklist(app)
    rows = [[((("✅ " if i.kind in have else "") + render.doc_label(tr, i.kind))[:60],
               f"my:k:{app.id}:{i.kind}")] for i in items]
    rows.append([(tr._("⬅️ Back"), f"my:v:{app.id}")])
    await show(update, ctx, tr._("Which document are you adding to {number}?",
                                 number=app.number), keyboard(rows))


@named("my:kind")
async def my_kind(update: Update, ctx: BotContext) -> None:
    app = await owned(ctx)
    kind = ctx.matched(2)
    if app is None or kind not in [i.kind for i in render.app_checklist(app)]:
        await refuse(update, ctx)
        return
    await answer(update, ctx)
    await FLOW.go(ctx, UploadStep.UPLOAD, UploadState(app.id, kind))
    await show(update, ctx, ctx.tr._("Send <b>{name}</b> as a photo or a PDF file (up to 20 MB).",
                                     name=render.doc_label(ctx.tr, kind)),
               keyboard([[(ctx.tr._("✖️ Cancel"), f"my:v:{app.id}")]]))


@named("my:upload")
async def on_upload(update: Update, ctx: BotContext, step: UploadStep, state: UploadState
                    ) -> None:
    app = await ctx.repos.applications.get_owned(state.app, ctx.user.id)
    if app is None or not domain.can_add_documents(app.status):
        await flows.end(ctx)
        await send(update, ctx, ctx.tr._("Documents can no longer be added to this "
                                         "application."), menu_markup(ctx))
        return
    check = await uploads.attach(update, ctx, app.id, state.kind)
    if not check.ok:
        await send(update, ctx, "❗ " + render.error_text(ctx.tr, check.error or "", check.value),
                   keyboard([[(ctx.tr._("✖️ Cancel"), f"my:v:{app.id}")]]))
        return
    docs = await ctx.repos.applications.documents(app.id)
    newest = max(docs, key=lambda d: d.id)
    asked_at = max(app.requested_at or 0, app.submitted_at or 0)
    since = [d for d in docs if d.kind == state.kind and d.uploaded_at >= asked_at]
    if len(since) == 1:  # the item's first file since it was asked for: staff hear once
        await workflow.documents_received(ctx.services, app, [state.kind], newest.id,
                                          ctx.user.id)
    group = message_of(update).media_group_id
    if group is not None and group == state.group:
        return  # the rest of an album: the first file's reply covers it
    state.group = group
    # The flow stays: more files (an album, more pages) go to the same item.
    await FLOW.go(ctx, UploadStep.UPLOAD, state)
    count = sum(d.kind == state.kind for d in docs)
    await send(update, ctx, ctx.tr._("✅ Attached to {number}: {name}", number=app.number,
                                     name=render.doc_label(ctx.tr, state.kind))
               + (f" ({count})" if count > 1 else ""))
    await show_card(update, ctx, app)


@named("my:withdraw")
async def my_withdraw(update: Update, ctx: BotContext) -> None:
    confirmed = ctx.matched(1) == "wy"
    app = await ctx.repos.applications.get_owned(int(ctx.matched(2)), ctx.user.id)
    if app is None:
        await refuse(update, ctx)
        return
    tr = ctx.tr
    if not domain.can_withdraw(app.status):
        await answer(update, ctx, tr._("This application can no longer be withdrawn."),
                     alert=True)
        return
    await answer(update, ctx)
    if not confirmed:
        await show(update, ctx, tr._("Withdraw application {number}? The centre stops working "
                                     "on it; this cannot be undone.", number=app.number),
                   keyboard([[(tr._("↩️ Yes, withdraw"), f"my:wy:{app.id}")],
                             [(tr._("⬅️ No, keep it"), f"my:v:{app.id}")]]))
        return
    changed = await workflow.change_status(ctx.services, app, app.status, "withdrawn",
                                           ctx.user.id, "")
    if not changed:  # the centre changed it meanwhile: show what it is now
        await send(update, ctx, tr._("The status has just changed; here it is now."))
    now = await ctx.repos.applications.get_owned(app.id, ctx.user.id)
    if now is not None:
        await show_card(update, ctx, now)


@named("my:refused")
async def not_found(update: Update, ctx: BotContext) -> None:
    """Any other my: button (forged or from an old message): nothing to see."""
    await refuse(update, ctx)


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.flow(FLOW, {UploadStep.UPLOAD: on_upload})
    registry.add(CommandHandler("my", my_list, filters=private))
    registry.add(CallbackQueryHandler(my_list, pattern=callback("my:list")))
    registry.add(CallbackQueryHandler(my_view, pattern=callback(f"my:v:{ID}")))
    registry.add(CallbackQueryHandler(my_file, pattern=callback(f"my:f:{ID}")))
    registry.add(CallbackQueryHandler(my_item, pattern=callback(f"my:i:{ID}:([a-z_]{{1,32}})")))
    registry.add(CallbackQueryHandler(my_documents,
                                      pattern=callback(f"my:d:{ID}:(\\d{{1,4}})")))
    registry.add(CallbackQueryHandler(my_add, pattern=callback(f"my:a:{ID}")))
    registry.add(CallbackQueryHandler(my_kind, pattern=callback(f"my:k:{ID}:([a-z_]{{1,32}})")))
    registry.add(CallbackQueryHandler(my_withdraw, pattern=callback(f"my:(wy?):{ID}")))
    registry.add(CallbackQueryHandler(not_found, pattern="^my:"))
    registry.menu_entry(40, "my:list", lambda tr: tr._("📂 My applications"))
    registry.command(50, "my", lambda tr: tr._("My applications and their status"))
