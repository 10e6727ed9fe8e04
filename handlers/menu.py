"""The main menu: its text, and its buttons from what features registered."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup

from handlers.base import BotContext
from i18n import Translator
from services.keyboards import keyboard


def menu_markup(ctx: BotContext) -> InlineKeyboardMarkup:
    """The main menu for this user: staff get their queue in it too."""
    return keyboard(ctx.registry.menu_rows(ctx.tr, ctx.is_staff))


def menu_text(tr: Translator) -> str:
    return tr._("<b>Main menu</b>\nChoose what you need. You can come back here any time "
                "with /start.")


def back_to_menu(tr: Translator) -> InlineKeyboardMarkup:
    return keyboard([[(tr._("⬅️ Main menu"), "menu")]])
