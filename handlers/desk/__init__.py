"""The staff desk: the queue, an application's card, status changes, exports, roles."""
from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from domain.applications import STATUSES
from domain.status import STAFF
from handlers.base import callback
from handlers.desk import case, exports, queue, roles, transitions
from handlers.desk.common import FLOW, DeskStep
from handlers.registry import Registry

ID = r"(\d{1,12})"
STATUSES_ALT = "|".join(STATUSES)
STATUS = f"({STATUSES_ALT})"
TO = f"({'|'.join(sorted({new for targets in STAFF.values() for new in targets}))})"


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.flow(FLOW, {DeskStep.SCHEDULE: transitions.on_schedule,
                         DeskStep.PLACE: transitions.on_place,
                         DeskStep.COMMENT: transitions.on_text,
                         DeskStep.CERTIFICATE: transitions.on_text,
                         DeskStep.REASON: transitions.on_text},
                  default_input=transitions.use_buttons, on_cancel=transitions.on_cancel)
    registry.add(CommandHandler("queue", queue.queue, filters=private))
    registry.add(CommandHandler("app", case.app_command, filters=private))
    registry.add(CommandHandler("export", exports.export_command, filters=private))
    registry.add(CommandHandler("grant", roles.grant, filters=private))
    registry.add(CommandHandler("revoke", roles.revoke, filters=private))
    registry.add(CallbackQueryHandler(queue.queue, pattern=callback("st:q")))
    registry.add(CallbackQueryHandler(queue.queue_page,
                                      pattern=callback(f"st:q:{STATUS}:(\\d{{1,4}})")))
    registry.add(CallbackQueryHandler(case.view, pattern=callback(f"st:v:{ID}")))
    registry.add(CallbackQueryHandler(case.resend_file, pattern=callback(f"st:f:{ID}")))
    registry.add(CallbackQueryHandler(case.resend_item,
                                      pattern=callback(f"st:i:{ID}:([a-z_]{{1,32}})")))
    registry.add(CallbackQueryHandler(case.documents,
                                      pattern=callback(f"st:d:{ID}:(\\d{{1,4}})")))
    registry.add(CallbackQueryHandler(transitions.transition,
                                      pattern=callback(f"st:t:{ID}:{STATUS}:{TO}")))
    registry.add(CallbackQueryHandler(transitions.toggle_document,
                                      pattern=callback("st:rd:([a-z_]{1,32})")))
    registry.add(CallbackQueryHandler(transitions.documents_done, pattern=callback("st:rdok")))
    registry.add(CallbackQueryHandler(transitions.no_comment, pattern=callback("st:nc")))
    registry.add(CallbackQueryHandler(exports.export_status,
                                      pattern=callback(f"x:(all|{STATUSES_ALT})")))
    registry.add(CallbackQueryHandler(exports.export_send,
                                      pattern=callback(f"xp:(all|{STATUSES_ALT}):(\\d{{1,4}})")))
    registry.menu_entry(100, "st:q", lambda tr: tr._("🗂 Application queue"), staff=True)
    registry.command(10, "queue", lambda tr: tr._("Staff: the application queue"), staff=True)
    registry.command(20, "app", lambda tr: tr._("Staff: open an application, /app EV-2026-000001"),
                     staff=True)
    registry.command(30, "export", lambda tr: tr._("Staff: export applications (CSV, Excel)"),
                     staff=True)
