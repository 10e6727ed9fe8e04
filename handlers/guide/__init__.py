"""The certification guide: questions that lead to the user's route, and its outcome."""
from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain import guide
from handlers.base import callback
from handlers.guide import reminders, wizard
from handlers.registry import Registry


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.flow(wizard.FLOW, default_input=wizard.on_text, resume=wizard.show_where)
    registry.add(CommandHandler("guide", wizard.open_guide, filters=private))
    registry.add(CommandHandler("reload", wizard.reload_content, filters=private))
    registry.add(CallbackQueryHandler(wizard.open_guide, pattern=callback("g:menu")))
    registry.add(CallbackQueryHandler(wizard.on_answer,
                                      pattern=callback(r"g:a:([a-z0-9_]{1,32}):([a-z0-9]{1,12})")))
    registry.add(CallbackQueryHandler(wizard.on_back, pattern=callback("g:b")))
    registry.add(CallbackQueryHandler(wizard.on_restart, pattern=callback("g:r")))
    registry.add(CallbackQueryHandler(wizard.on_section,
                                      pattern=callback(r"g:s:(documents|checks|requirements|"
                                                       r"money|steps|sources)")))
    registry.add(CallbackQueryHandler(wizard.on_home, pattern=callback("g:h")))
    registry.add(CallbackQueryHandler(wizard.on_file, pattern=callback("g:f")))
    registry.add(CallbackQueryHandler(wizard.on_remind, pattern=callback("g:m")))
    registry.add(CallbackQueryHandler(wizard.on_reopen, pattern=callback(r"g:o:([a-z0-9-]{0,58})")))
    registry.add(CallbackQueryHandler(wizard.on_apply, pattern=callback("g:apply")))
    registry.add(CallbackQueryHandler(wizard.on_cost, pattern=callback("g:cost")))
    registry.add(CallbackQueryHandler(reminders.show_list, pattern=callback("g:rl")))
    registry.add(CallbackQueryHandler(reminders.cancel, pattern=callback(r"g:rx:(\d{1,18})")))
    registry.deep_link(guide.PAYLOAD_PREFIX, wizard.open_shared)
    registry.menu_entry(10, "g:menu", lambda tr: tr._("📘 Certification guide"))
    registry.menu_entry(45, "g:rl", lambda tr: tr._("⏰ My reminders"))
    registry.command(20, "guide", lambda tr: tr._("Which certification my vehicle needs"))
