"""The staff desk: the queue, an application's card, status changes, exports, roles."""
from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from domain.applications import STATUSES
from domain.status import STAFF
from handlers.base import callback
from handlers.desk import (
    case,
    conversation,
    exports,
    files,
    issued,
    queue,
    roles,
    search,
    stats,
    topics,
    transitions,
)
from handlers.desk.common import FLOW, DeskStep
from handlers.registry import Registry

ID = r"(\d{1,12})"
KEY = r"([a-z0-9_]{1,24})"
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
    registry.flow(conversation.FLOW, {conversation.MessageStep.REPLY: conversation.on_message,
                                      conversation.MessageStep.NOTE: conversation.on_message},
                  default_input=conversation.use_buttons, on_cancel=conversation.on_cancel)
    # The staff group's topics: before fallback's pointer to the private chat.
    registry.add(MessageHandler(filters.ChatType.SUPERGROUP & filters.IS_TOPIC_MESSAGE,
                                topics.topic_message))
    registry.flow(issued.FLOW, {issued.IssuedStep.FILE: issued.on_file},
                  default_input=issued.use_file, on_cancel=issued.on_cancel)
    registry.add(CallbackQueryHandler(issued.attach_start, pattern=callback(f"st:pdf:{ID}")))
    registry.add(CallbackQueryHandler(transitions.reschedule_start,
                                      pattern=callback(f"st:rs:{ID}")))
    registry.flow(roles.GRANT, {roles.GrantStep.WHO: roles.on_who},
                  on_cancel=conversation.on_cancel)
    registry.add(CommandHandler("mine", conversation.mine, filters=private))
    registry.add(CallbackQueryHandler(files.zip_files, pattern=callback(f"st:z:{ID}")))
    registry.add(CommandHandler("stats", stats.stats_command, filters=private))
    registry.add(CommandHandler("find", search.find_command, filters=private))
    registry.add(CallbackQueryHandler(conversation.thread_view, pattern=callback(f"st:th:{ID}")))
    registry.add(CallbackQueryHandler(conversation.reply_start, pattern=callback(f"st:r:{ID}")))
    registry.add(CallbackQueryHandler(conversation.note_start, pattern=callback(f"st:n:{ID}")))
    registry.add(CallbackQueryHandler(conversation.canned_preview,
                                      pattern=callback(f"st:cn:{ID}:{KEY}")))
    registry.add(CallbackQueryHandler(conversation.canned_send,
                                      pattern=callback(f"st:cs:{ID}:{KEY}")))
    registry.add(CallbackQueryHandler(conversation.assign,
                                      pattern=callback(f"st:as:{ID}:{ID}:{ID}")))
    registry.add(CallbackQueryHandler(conversation.assign_list, pattern=callback(f"st:al:{ID}")))
    registry.add(CallbackQueryHandler(conversation.mine, pattern=callback("st:my")))
    registry.add(CallbackQueryHandler(conversation.unanswered,
                                      pattern=callback("st:u:(\\d{1,4})")))
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
    registry.command(12, "mine", lambda tr: tr._("Staff: my cases"), staff=True)
    registry.command(14, "find", lambda tr: tr._("Staff: find by number, VIN, name, IIN/BIN, "
                                                 "phone"), staff=True)
    registry.command(16, "stats", lambda tr: tr._("Staff: statistics with a chart"),
                     staff=True)
    registry.command(30, "export", lambda tr: tr._("Staff: export applications (CSV, Excel)"),
                     staff=True)
