"""Application intake: consent, then one question per message, documents, review, submit."""
from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain import applications as domain
from handlers.base import callback
from handlers.flows import InputHandler
from handlers.intake import answers, documents, submit
from handlers.intake.common import CHOICE_STEPS, FLOW, TEXT_STEPS, IntakeStep
from handlers.registry import Registry

# Where typed or sent input goes at each step; steps not listed are answered with buttons.
INPUTS: dict[IntakeStep, InputHandler] = {
    **{step: answers.on_text for step in TEXT_STEPS},
    IntakeStep.PHONE: answers.on_phone,
    IntakeStep.DOCUMENTS: documents.on_upload,
    **{step: answers.use_buttons for step in CHOICE_STEPS},
}


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    fields = "|".join(domain.FIELDS)
    registry.flow(FLOW, INPUTS, default_input=answers.use_buttons, on_cancel=submit.on_cancel,
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
    registry.add(CallbackQueryHandler(submit.on_submit, pattern=callback("ap:go")))
    registry.add(CallbackQueryHandler(submit.on_discard, pattern=callback("ap:x([yn]?)")))
    registry.menu_entry(30, "apply:new", lambda tr: tr._("📝 Apply for certification"))
    registry.command(40, "apply", lambda tr: tr._("Apply for certification"))
