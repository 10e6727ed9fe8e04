"""Broadcasts (staff): composing one, and controlling those on their way."""
from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain.broadcast import AUDIENCE_KINDS
from handlers.base import callback
from handlers.broadcasts import compose, control
from handlers.broadcasts.compose import FLOW, ComposeStep
from handlers.registry import Registry


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.flow(FLOW, {ComposeStep.TEXT: compose.on_text, ComposeStep.MEDIA: compose.on_media,
                         ComposeStep.WHEN: compose.on_when},
                  default_input=compose.use_buttons, on_cancel=compose.on_cancel)
    registry.add(CommandHandler("broadcast", compose.new, filters=private))
    registry.add(CommandHandler("broadcasts", control.history, filters=private))
    registry.add(CallbackQueryHandler(compose.skip, pattern=callback("bs:skip")))
    registry.add(CallbackQueryHandler(compose.choose_audience, pattern=callback(
        f"bs:a:({'|'.join(AUDIENCE_KINDS)})(?::([a-z_]{{1,24}}))?")))
    registry.add(CallbackQueryHandler(compose.confirm, pattern=callback("bs:(now|at|paid)")))
    registry.add(CallbackQueryHandler(compose.drop, pattern=callback("bs:x")))
    registry.add(CallbackQueryHandler(control.control,
                                      pattern=callback(r"bc:([prc]):(\d{1,12})")))
    registry.command(40, "broadcast", lambda tr: tr._("Staff: send an announcement"), staff=True)
    registry.command(50, "broadcasts", lambda tr: tr._("Staff: recent announcements"), staff=True)
