"""What the terminal chat shows: the bot's messages, printed the moment they arrive (a
reminder or a broadcast too, while the user is idle), and which message `#N` presses.

One reader follows the user's chat through the control API's long poll and prints each
event once; `#N` means the buttons of the latest printed message that still has some,
so it never presses a message the user has not seen.
"""
from __future__ import annotations

import asyncio
import re
import sys
import time

import aiohttp

from emulator.client import Person

BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")
# Short: the emulator finishes a long poll in flight before it stops, so quitting (or
# :new) waits for it at most this long. New events still end it at once.
POLL_SECONDS = 1.0


def say(text: str) -> None:
    """Print now: stdout is often a pipe (tests, `| tee`), where print would buffer."""
    print(text, flush=True)


def render(event: dict) -> str:
    text = event.get("html") or event.get("text") or ""
    text = re.sub(r"</?b>", lambda m: RESET if m.group(0).startswith("</") else BOLD, text)
    text = re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&amp;", "&").replace("&quot;", '"')
    head = {"send": "bot", "edit": "bot (edited)", "delete": "bot (deleted a message)"}
    lines = [f"{DIM}── {head.get(event['type'], event['type'])} ──{RESET}"]
    if event.get("kind") in ("document", "photo"):
        lines.append(f"[{event['kind']} {event.get('file_id')}]")
    if event.get("kind") == "venue" and event.get("venue"):
        point = event["venue"]["location"]
        lines.append(f"[map {point['latitude']}, {point['longitude']}]")
    if text:
        lines.append(text)
    for row in (event.get("reply_markup") or {}).get("keyboard", []):
        for button in row:  # a reply keyboard: share-contact typed as :contact, others as text
            label = button["text"] if isinstance(button, dict) else button
            hint = " (type :contact)" if isinstance(button, dict) and \
                button.get("request_contact") else ""
            lines.append(f"[{label}]{hint}")
    number = 0
    for row in inline_rows(event):
        cells = []
        for button in row:
            number += 1
            link = f" → {button['url']}" if "url" in button else ""  # opens it, sends nothing
            cells.append(f"[{number}] {button['text']}{link}")
        lines.append("  ".join(cells))
    return "\n".join(lines)


def inline_rows(message: dict) -> list[list[dict]]:
    return (message.get("reply_markup") or {}).get("inline_keyboard", [])


def first_line(message: dict, width: int = 50) -> str:
    """How a pressed button's message is named: its first line, shortened."""
    lines = [line.strip() for line in (message.get("text") or "").splitlines()]
    line = next((line for line in lines if line), f"[{message.get('kind') or 'message'}]")
    return line if len(line) <= width else line[:width - 1] + "…"


class Screen:
    """One user's chat as printed in the terminal."""

    def __init__(self, person: Person):
        self.person = person
        self.with_buttons: list[int] = []  # ids of messages printed with buttons, oldest first
        self.last_shown = 0.0  # time.monotonic() of the latest event printed

    async def follow(self) -> None:
        """Print the chat's events as they come, until cancelled."""
        person = self.person
        while True:
            try:
                found = await person.client.events(person.user_id, after=person.seq,
                                                   wait=POLL_SECONDS)
            except (aiohttp.ClientError, OSError, AssertionError) as exc:
                say(f"! reading the chat failed ({exc}); trying again")
                await asyncio.sleep(1)
                continue
            for event in found["events"]:  # no await in here: a cancel never splits a batch
                self.show(event)

    def show(self, event: dict) -> None:
        self.person.apply(event)  # seq moves past it: the next poll never returns it again
        message_id = event.get("message_id")
        if message_id in self.with_buttons:
            self.with_buttons.remove(message_id)
        if event.get("kind") == "markup" and not event.get("reply_markup"):
            return  # an old message lost its buttons: nothing new to read
        say(render(event))
        self.last_shown = time.monotonic()
        if event["type"] != "delete" and inline_rows(event):
            self.with_buttons.append(event["message_id"])

    async def settle(self, since: float, first: float, quiet: float = 0.3) -> bool:
        """Wait up to `first` seconds for the bot's answer to what was done at `since`, then
        for a pause. Lines piped in (a script) are so read once the bot has shown what they
        answer, as a person would wait; typing meanwhile is only held back. False: no
        answer came."""
        until = time.monotonic() + first
        while self.last_shown < since and time.monotonic() < until:
            await asyncio.sleep(0.02)
        until = time.monotonic() + 10  # a chat that never falls quiet must not hold input
        while time.monotonic() - self.last_shown < quiet and time.monotonic() < until:
            await asyncio.sleep(0.02)
        return self.last_shown >= since

    def pressable(self) -> tuple[dict, list[dict]]:
        """The message `#N` presses, and its buttons in the order they were numbered."""
        for message_id in reversed(self.with_buttons):
            message = self.person.messages.get(message_id)
            if message and inline_rows(message):
                return message, [button for row in inline_rows(message) for button in row]
        raise ValueError("no message with buttons yet")
