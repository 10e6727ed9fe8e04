"""How a broadcast's progress reads, and its control buttons (for the sender's progress
message and for staff's /broadcasts alike)."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup

from domain.broadcast import Broadcast
from i18n import Translator
from services.keyboards import keyboard


def progress_text(tr: Translator, broadcast: Broadcast, figures: dict[str, int],
                  rate: float) -> str:
    remaining = figures["pending"]
    status = {"sending": tr._("sending"), "paused": tr._("paused"),
              "cancelled": tr._("cancelled"), "done": tr._("finished"),
              "scheduled": tr._("scheduled")}[broadcast.status]
    lines = [tr._("📣 Broadcast #{id}: <b>{status}</b>", id=str(broadcast.id), status=status),
             tr._("Sent: {sent} · failed: {failed} · blocked: {blocked} · remaining: {remaining}",
                  sent=tr.number(figures["sent"]),
                  failed=tr.number(figures["failed"] + figures["not_found"]),
                  blocked=tr.number(figures["blocked"]), remaining=tr.number(remaining))]
    if broadcast.status == "sending" and remaining and rate > 0:
        lines.append(tr._("About {minutes} min left at {rate} messages/s.",
                          minutes=tr.number(max(1, round(remaining / rate / 60))),
                          rate=tr.number(round(rate, 1))))
    return "\n".join(lines)


def control_markup(tr: Translator, broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    if broadcast.status == "sending":
        return keyboard([[(tr._("⏸ Pause"), f"bc:p:{broadcast.id}"),
                          (tr._("✖️ Cancel"), f"bc:c:{broadcast.id}")]])
    if broadcast.status == "paused":
        return keyboard([[(tr._("▶️ Resume"), f"bc:r:{broadcast.id}"),
                          (tr._("✖️ Cancel"), f"bc:c:{broadcast.id}")]])
    return None
