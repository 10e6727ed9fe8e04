"""The form's documents: files for the checklist item on screen (an album stays with the
item it started on), Done / Skip, the list of items, removing and moving a file, and a file
sent while the form asks something else (the user says which item it is for).

callback_data: ap:s skip this item, ap:dn done with it, ap:d the documents (from the
review), ap:dl all items, ap:di:<kind> go to an item, ap:rm:<doc> remove a file, ap:mv move
(pick the file), ap:mf:<doc> the file to move, ap:mt:<kind> where to, ap:p:<kind> the item
for stray files (ap:p:- none).
"""
from __future__ import annotations

from telegram import Update

from domain import applications as domain
from domain.applications import Application
from handlers import uploads
from handlers.base import BotContext, message_of, named, send, show
from handlers.flows import decode, encode
from handlers.intake import navigate, screens
from handlers.intake.answers import pressed_at, reject
from handlers.intake.common import IntakeState, IntakeStep, draft_of, goto, shown
from services import application_texts as render
from services.keyboards import keyboard


def item_of(draft: Application, kind: str) -> domain.DocItem:
    items = render.app_checklist(draft)
    return next((i for i in items if i.kind == kind), items[0])


async def on_upload(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState
                    ) -> None:
    draft = await draft_of(ctx)
    if draft is None:
        await navigate.begin(update, ctx)
        return
    message = message_of(update)
    group = message.media_group_id
    # The rest of an album goes where its first file went, even after the form moved on.
    in_album = group is not None and group == state.group
    kind = (state.group_doc if in_album else state.doc) or render.app_checklist(draft)[0].kind
    check = await uploads.attach(update, ctx, draft.id, kind)
    if not check.ok:
        await reject(update, ctx, draft, step, state, check.error or "", check.value)
        return
    state.group, state.group_doc = (group, kind) if group else (None, None)
    docs = await ctx.repos.applications.documents(draft.id)
    count = sum(d.kind == kind for d in docs)
    note = ctx.tr._("✅ Attached: {name}", name=render.doc_label(ctx.tr, kind))
    if count > 1:
        note += f" ({count})"
    how = "edit" if in_album else "send"
    if state.doc == kind and count < item_of(draft, kind).expected:
        await screens.document_screen(update, ctx, draft, state, how, note)
        return
    following = navigate.next_document(draft, docs, state.skipped, kind)
    if following is None:
        if group is not None:  # the review comes after the whole album (Done), or the rest
            await screens.document_screen(update, ctx, draft, state, how, note)  # would stray
            return
        await send(update, ctx, note)
        await navigate.ask(update, ctx, draft, IntakeStep.REVIEW, fresh=True)
        return
    if state.doc == kind:
        state.doc = following
    await screens.document_screen(update, ctx, draft, state, how, note)


async def _next_item(update: Update, ctx: BotContext) -> None:
    """Past the item on screen: the next one without files."""
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, state = pressed
    await navigate.next_document_step(update, ctx, draft, state.skipped + [state.doc or ""],
                                      after=state.doc)


@named("apply:skip")
async def on_skip(update: Update, ctx: BotContext) -> None:
    await _next_item(update, ctx)


@named("apply:done")
async def on_done(update: Update, ctx: BotContext) -> None:
    """Done with the item on screen (it has files): the next one without files."""
    await _next_item(update, ctx)


@named("apply:documents")
async def on_documents(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx)
    if pressed is None:
        return
    draft, _ = pressed
    docs = await ctx.repos.applications.documents(draft.id)
    items = render.app_checklist(draft)
    have = {d.kind for d in docs}
    kind = next((i.kind for i in items if i.kind not in have), items[0].kind)
    await navigate.ask(update, ctx, draft, IntakeStep.DOCUMENTS, IntakeState(doc=kind))


@named("apply:items")
async def on_items(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, _ = pressed
    await screens.items(update, ctx, draft, "ap:di", ctx.tr._("Which document?"),
                        (ctx.tr._("⬅️ Back"), "ap:d"))


@named("apply:item")
async def on_item(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, state = pressed
    kind = ctx.matched()
    if kind not in [i.kind for i in render.app_checklist(draft)]:
        await navigate.resume(update, ctx)
        return
    await navigate.ask(update, ctx, draft, IntakeStep.DOCUMENTS,
                       IntakeState(doc=kind, skipped=state.skipped))


@named("apply:remove")
async def on_remove(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, state = pressed
    await ctx.repos.applications.remove_document(draft.id, int(ctx.matched()), ctx.now())
    await screens.document_screen(update, ctx, draft, state, "show")


@named("apply:move")
async def on_move(update: Update, ctx: BotContext) -> None:
    """Move a file: which one (of the item on screen)?"""
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, state = pressed
    tr = ctx.tr
    docs = [d for d in await ctx.repos.applications.documents(draft.id) if d.kind == state.doc]
    rows = [[(f"{i}. {screens.file_title(tr, d)}", f"ap:mf:{d.id}")]
            for i, d in enumerate(docs, 1)]
    await shown(ctx, await show(update, ctx, tr._("Which file do you want to move?"),
                                keyboard(rows + [[(tr._("⬅️ Back"), "ap:di:" + (state.doc or
                                                                               ""))]])))


@named("apply:move_file")
async def on_move_file(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, state = pressed
    state.moving = int(ctx.matched())
    await goto(ctx, IntakeStep.DOCUMENTS, state)
    await screens.items(update, ctx, draft, "ap:mt", ctx.tr._("Move it to which document?"),
                        (ctx.tr._("⬅️ Back"), "ap:di:" + (state.doc or "")))


@named("apply:move_to")
async def on_move_to(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, state = pressed
    kind = ctx.matched()
    if state.moving is not None and kind in [i.kind for i in render.app_checklist(draft)]:
        await ctx.repos.applications.move_document(draft.id, state.moving, kind, ctx.now())
    state.moving = None
    await screens.document_screen(update, ctx, draft, state, "show")


# --- a file sent while the form asks something else ---------------------------------------

async def on_stray(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState
                   ) -> None:
    """Ask which item the file is for instead of guessing; the question on screen waits."""
    draft = await draft_of(ctx)
    upload = uploads.upload_of(message_of(update))
    if draft is None or upload is None:
        await navigate.begin(update, ctx)
        return
    group = message_of(update).media_group_id
    if step is IntakeStep.STRAY:
        state.stray.append(uploads.upload_data(upload))
        same_album = group is not None and group == state.group
        state.group = group
        await screens.stray(update, ctx, draft, step, state, fresh=not same_album)
        return
    back = IntakeState(back_to=step.value, back_state=encode(state), group=group,
                       stray=[uploads.upload_data(upload)])
    await screens.stray(update, ctx, draft, IntakeStep.STRAY, back, fresh=True)


@named("apply:place")
async def on_place(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.STRAY)
    if pressed is None:
        return
    draft, state = pressed
    kind, tr = ctx.matched(), ctx.tr
    steps = {s.value: s for s in IntakeStep}
    back_to = steps.get(state.back_to or "", IntakeStep.REVIEW)
    back_state = decode(IntakeState, state.back_state)
    if kind != "-" and kind in [i.kind for i in render.app_checklist(draft)]:
        lines = []
        for data in state.stray:
            check = await uploads.attach_upload(ctx, draft.id, kind, uploads.upload_from(data))
            lines.append(tr._("✅ Attached: {name}", name=render.doc_label(tr, kind))
                         if check.ok else "❗ " + render.error_text(tr, check.error or "",
                                                                   check.value))
        await show(update, ctx, "\n".join(lines))
    else:
        await show(update, ctx, tr._("Not attached."))
    fresh_draft = await draft_of(ctx) or draft
    await navigate.ask(update, ctx, fresh_draft, back_to, back_state, fresh=True)


async def not_a_file(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState
                     ) -> None:
    """Text or a sticker while stray files wait for their item."""
    draft = await draft_of(ctx)
    if draft is None:
        await navigate.begin(update, ctx)
        return
    await send(update, ctx, "❗ " + render.error_text(ctx.tr, "use_buttons"))
    await screens.stray(update, ctx, draft, step, state, fresh=True)
