"""My applications: the list, a card with history, adding a missing document, withdrawal.

Every callback names an application or document by id, and every handler loads it
with the user's id (get_owned / document_owned): forged callback data reaches
nothing that is not the user's own, and gets the same answer as a missing one.

callback_data: my:list, my:v:<id> view, my:a:<id> add a document, my:k:<id>:<kind> the
kind to add, my:w:<id> withdraw (ask), my:wy:<id> withdraw (confirmed), my:f:<doc> file.
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain import applications as domain
from handlers import fallback, start, uploads
from handlers import application_render as render
from handlers.base import BotContext, answer, keyboard, named, send, show
from storage.conversations import Conversation

FLOW = "add_document"


def _id(update: Update, position: int = 2) -> int | None:
    parts = update.callback_query.data.split(":")
    try:
        return int(parts[position])
    except (IndexError, ValueError):
        return None


async def refuse(update: Update, ctx: BotContext) -> None:
    """The same words for someone else's application and a missing one: nothing leaks."""
    await answer(update, ctx.tr._("Application not found."), alert=True)


@named("my:list")
async def my_list(update: Update, ctx: BotContext) -> None:
    await answer(update)
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
    app = await ctx.repos.applications.get_owned(_id(update) or 0, ctx.user.id)
    if app is None:
        await refuse(update, ctx)
        return
    await answer(update)
    await show_card(update, ctx, app)


async def show_card(update: Update, ctx: BotContext, app) -> None:
    """The user's own application (already loaded with their id) with its documents."""
    tr = ctx.tr
    docs = await ctx.repos.applications.documents(app.id)
    history = await ctx.repos.applications.history(app.id)
    rows = [[(f"📄 {render.doc_label(tr, d.kind)}"[:60], f"my:f:{d.id}")] for d in docs]
    if domain.can_add_documents(app.status):
        rows.append([(tr._("📎 Add a document"), f"my:a:{app.id}")])
    if domain.can_withdraw(app.status):
        rows.append([(tr._("↩️ Withdraw the application"), f"my:w:{app.id}")])
    rows.append([(tr._("⬅️ My applications"), "my:list")])
    await show(update, ctx, render.card_text(tr, app, docs, history), keyboard(rows))


@named("my:file")
async def my_file(update: Update, ctx: BotContext) -> None:
    document = await ctx.repos.applications.document_owned(_id(update) or 0, ctx.user.id)
    if document is None:
        await refuse(update, ctx)
        return
    await answer(update)
    await ctx.bot.send_document(update.effective_chat.id, document.file_id,
                                caption=render.doc_label(ctx.tr, document.kind))


@named("my:add")
async def my_add(update: Update, ctx: BotContext) -> None:
    app = await ctx.repos.applications.get_owned(_id(update) or 0, ctx.user.id)
    if app is None:
        await refuse(update, ctx)
        return
    await answer(update)
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
    parts = update.callback_query.data.split(":")
    app = await ctx.repos.applications.get_owned(_id(update) or 0, ctx.user.id)
    kinds = [i.kind for i in render.app_checklist(app)] if app else []
    if app is None or len(parts) != 4 or parts[3] not in kinds:
        await refuse(update, ctx)
        return
    await answer(update)
    conv = Conversation(ctx.user.id, FLOW, "upload", {"app": app.id, "kind": parts[3]})
    await ctx.repos.conversations.save(conv, ctx.now())
    await show(update, ctx, ctx.tr._("Send <b>{name}</b> as a photo or a PDF file (up to 20 MB).",
                                     name=render.doc_label(ctx.tr, parts[3])),
               keyboard([[(ctx.tr._("✖️ Cancel"), f"my:v:{app.id}")]]))


@named("my:upload")
async def on_upload(update: Update, ctx: BotContext) -> None:
    data = ctx.conv.data
    app = await ctx.repos.applications.get_owned(data.get("app", 0), ctx.user.id)
    if app is None or not domain.can_add_documents(app.status):
        await ctx.repos.conversations.clear(ctx.user.id)
        await send(update, ctx, ctx.tr._("Documents can no longer be added to this "
                                         "application."), start.menu_markup(ctx))
        return
    check = await uploads.attach(update, ctx, app.id, data["kind"])
    if not check.ok:
        await send(update, ctx, "❗ " + render.error_text(ctx.tr, check.error, check.value),
                   keyboard([[(ctx.tr._("✖️ Cancel"), f"my:v:{app.id}")]]))
        return
    await ctx.repos.conversations.clear(ctx.user.id)
    await send(update, ctx, ctx.tr._("✅ Attached to {number}: {name}", number=app.number,
                                     name=render.doc_label(ctx.tr, data["kind"])))
    await show_card(update, ctx, app)


@named("my:withdraw")
async def my_withdraw(update: Update, ctx: BotContext) -> None:
    confirmed = update.callback_query.data.startswith("my:wy:")
    app = await ctx.repos.applications.get_owned(_id(update) or 0, ctx.user.id)
    if app is None:
        await refuse(update, ctx)
        return
    tr = ctx.tr
    if not domain.can_withdraw(app.status):
        await answer(update, tr._("This application can no longer be withdrawn."), alert=True)
        return
    await answer(update)
    if not confirmed:
        await show(update, ctx, tr._("Withdraw application {number}? The centre stops working "
                                     "on it; this cannot be undone.", number=app.number),
                   keyboard([[(tr._("↩️ Yes, withdraw"), f"my:wy:{app.id}")],
                             [(tr._("⬅️ No, keep it"), f"my:v:{app.id}")]]))
        return
    changed = await ctx.repos.applications.change_status(
        app.id, app.status, "withdrawn", ctx.user.id, "", ctx.now())
    if not changed:  # the centre changed it meanwhile: show what it is now
        await send(update, ctx, tr._("The status has just changed; here it is now."))
    await show_card(update, ctx, await ctx.repos.applications.get_owned(app.id, ctx.user.id))


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("my", my_list, filters=private))
    app.add_handler(CallbackQueryHandler(my_list, pattern=r"^my:list$"))
    app.add_handler(CallbackQueryHandler(my_view, pattern=r"^my:v:"))
    app.add_handler(CallbackQueryHandler(my_file, pattern=r"^my:f:"))
    app.add_handler(CallbackQueryHandler(my_add, pattern=r"^my:a:"))
    app.add_handler(CallbackQueryHandler(my_kind, pattern=r"^my:k:"))
    app.add_handler(CallbackQueryHandler(my_withdraw, pattern=r"^my:wy?:"))
    fallback.FLOW_INPUT[FLOW] = on_upload
