"""Application intake: consent, then one question per message, documents, review, submit."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain import applications as domain
from handlers import uploads
from handlers.base import BotContext, callback, message_of
from handlers.flows import InputHandler
from handlers.intake import answers, documents, submit
from handlers.intake.common import CHOICE_STEPS, FLOW, TEXT_STEPS, IntakeState, IntakeStep
from handlers.registry import Registry


def files_first(handler: InputHandler) -> InputHandler:
    """A photo or a document sent at a step that does not take one is asked about (which
    item is it?), never taken as that step's answer nor filed under a guessed item."""
    async def route(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState
                    ) -> None:
        if uploads.upload_of(message_of(update)) is not None:
            await documents.on_stray(update, ctx, step, state)
        else:
            await handler(update, ctx, step, state)
    return route


# Where typed or sent input goes at each step; steps not listed are answered with buttons.
INPUTS: dict[IntakeStep, InputHandler] = {
    **{step: files_first(answers.on_text) for step in TEXT_STEPS},
    IntakeStep.PHONE: files_first(answers.on_phone),
    IntakeStep.DOCUMENTS: documents.on_upload,
    IntakeStep.STRAY: files_first(documents.not_a_file),
    **{step: files_first(answers.use_buttons) for step in CHOICE_STEPS},
}


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    fields = "|".join(domain.FIELDS)
    registry.flow(FLOW, INPUTS, default_input=files_first(answers.use_buttons),
                  on_cancel=submit.on_cancel,
                  resume=answers.show_where)
    registry.add(CommandHandler("apply", answers.apply_command, filters=private))
    registry.add(CallbackQueryHandler(answers.apply_entry, pattern=callback("apply:new")))
    registry.add(CallbackQueryHandler(answers.on_consent, pattern=callback("ap:c:(yes|no)")))
    registry.add(CallbackQueryHandler(answers.on_choice,
                                      pattern=callback(f"ap:v:({fields}):([a-z0-9]{{1,12}})")))
    registry.add(CallbackQueryHandler(answers.on_vin_confirm, pattern=callback("ap:v([yn])")))
    registry.add(CallbackQueryHandler(answers.on_back, pattern=callback("ap:b")))
    registry.add(CallbackQueryHandler(answers.on_edit, pattern=callback(f"ap:e:({fields})")))
    registry.add(CallbackQueryHandler(submit.on_review, pattern=callback("ap:r")))
    registry.add(CallbackQueryHandler(documents.on_skip, pattern=callback("ap:s")))
    registry.add(CallbackQueryHandler(documents.on_documents, pattern=callback("ap:d")))
    registry.add(CallbackQueryHandler(submit.on_submit, pattern=callback("ap:(go|gf)")))
    registry.add(CallbackQueryHandler(answers.on_not_resident, pattern=callback("ap:nr")))
    registry.add(CallbackQueryHandler(answers.on_no_iin, pattern=callback("ap:ni")))
    registry.add(CallbackQueryHandler(documents.on_done, pattern=callback("ap:dn")))
    registry.add(CallbackQueryHandler(documents.on_items, pattern=callback("ap:dl")))
    kinds = "([a-z_]{1,32})"
    registry.add(CallbackQueryHandler(documents.on_item, pattern=callback(f"ap:di:{kinds}")))
    registry.add(CallbackQueryHandler(documents.on_remove, pattern=callback("ap:rm:([0-9]{1,12})")))
    registry.add(CallbackQueryHandler(documents.on_move, pattern=callback("ap:mv")))
    registry.add(CallbackQueryHandler(documents.on_move_file,
                                      pattern=callback("ap:mf:([0-9]{1,12})")))
    registry.add(CallbackQueryHandler(documents.on_move_to, pattern=callback(f"ap:mt:{kinds}")))
    registry.add(CallbackQueryHandler(documents.on_place,
                                      pattern=callback("ap:p:([a-z_]{1,32}|-)")))
    registry.add(CallbackQueryHandler(submit.on_discard, pattern=callback("ap:x([yn]?)")))
    registry.menu_entry(30, "apply:new", lambda tr: tr._("📝 Apply for certification"))
    registry.command(40, "apply", lambda tr: tr._("Apply for certification"))
