"""A terminal chat with the bot through the emulator: type as a Telegram user would.

  text or /command     send it
  #N                   press button N of the latest message printed with buttons (a link
                       button, shown as "label → URL", opens outside the chat: only its
                       address is shown)
  :contact +7701…      share a phone number (as Telegram's "share contact" button)
  :file PATH           send a file as a document;  :photo PATH  as a photo
  :sticker  :voice  :location                       send those
  :new LANG            become a user never seen before (not even in an earlier session),
                       whose Telegram language is LANG (kk, ru, zh, en…)
  :help  :quit

The bot's messages are printed as they arrive, reminders and broadcasts included.
You start as the same user every time local mode starts, so your chat carries on.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import mimetypes
import re
import sys
import time
from pathlib import Path

from emulator.client import EmulatorClient, Person
from emulator.screen import DIM, RESET, Screen, first_line, say

ANSWER_SECONDS = 5.0  # how long a press waits for the bot's answer (its popup, if any)
REPLY_SECONDS = 10.0  # how long a message sent waits for the bot's first reply


class UserIds:
    """User ids that no restart of local mode gives again.

    The first user of a session is always FIRST: the same person, whose chat carries on.
    Each :new user gets an id above every one given before: the last is kept in `path`
    (next to the local database), and `known`, the highest id that database holds, covers
    a database older than the file.
    """
    FIRST = 1_000_001

    def __init__(self, path: Path, known: int = 0):
        self.path = path
        self.known = known

    def new(self) -> int:
        try:
            last = int(self.path.read_text())
        except (FileNotFoundError, ValueError):  # none yet, or damaged: `known` still holds
            last = 0
        fresh = max(last, self.known, self.FIRST) + 1
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(f"{fresh}\n")
        partial.replace(self.path)  # whole or not at all, even if we are killed meanwhile
        return fresh


class Terminal:
    """The person typing, and the follower printing their chat."""

    def __init__(self, client: EmulatorClient, ids: UserIds, person: Person):
        self.client = client
        self.ids = ids
        self.screen = Screen(person)
        self.follower: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.person.join()
        self.follower = asyncio.create_task(self.screen.follow())

    async def become(self, person: Person) -> None:
        """Chat as `person` from now on: follow their chat instead of the last one."""
        await person.join()  # first: should it fail, the current chat is still followed
        await self.stop()
        self.screen = Screen(person)
        self.follower = asyncio.create_task(self.screen.follow())

    async def stop(self) -> None:
        if self.follower is not None:
            self.follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.follower

    @property
    def person(self) -> Person:
        return self.screen.person

    async def act(self, line: str) -> None:
        """Do what the line says. Replies are printed by the follower, as they come."""
        if line == ":help":
            say(__doc__ or "")
        elif line.startswith(":new"):
            lang = line.split()[1] if len(line.split()) > 1 else None
            await self.become(Person(self.client, user_id=self.ids.new(), language_code=lang,
                                     first_name="You"))
            say(f"You are now user {self.person.user_id} with Telegram language "
                f"{lang or 'none'}.")
        elif re.fullmatch(r"#\d+", line):
            await self.press(int(line[1:]))
        else:
            since = time.monotonic()
            await self.send(line)
            if not await self.screen.settle(since, REPLY_SECONDS):
                say(f"! no answer from the bot within {REPLY_SECONDS:g} s")

    async def send(self, line: str) -> None:
        """Send what the user wrote: a text or a command, or one of the `:` contents."""
        user_id, client = self.person.user_id, self.client
        if line.startswith(":contact"):
            phone = line.split(maxsplit=1)[1] if " " in line else "+77011234567"
            await client.send(user_id, contact={"phone_number": phone, "first_name": "You",
                                                "user_id": user_id})
        elif line.startswith((":file ", ":photo ")):
            command, path = line[1:].split(maxsplit=1)
            data = Path(path).expanduser().read_bytes()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            spec = {"file_name": Path(path).name, "mime_type": mime,
                    "content": base64.b64encode(data).decode()}
            await client.send(user_id, **{"document" if command == "file" else "photo": spec})
        elif line in (":sticker", ":voice"):
            await client.send(user_id, **{line[1:]: "🙂" if line == ":sticker" else True})
        elif line == ":location":
            await client.send(user_id, location={"latitude": 49.95, "longitude": 82.61})
        else:
            await client.send(user_id, text=line)

    async def press(self, number: int) -> None:
        message, buttons = self.screen.pressable()
        if not 1 <= number <= len(buttons):
            raise ValueError(f"choose 1..{len(buttons)}")
        button = buttons[number - 1]
        # Name the message: the one meant may not be the one last seen (it may have lost
        # its buttons since), and the user should know which they pressed.
        say(f"{DIM}(pressed [{number}] {button['text']} on “{first_line(message)}”){RESET}")
        if "callback_data" not in button:  # a link, or a kind the terminal cannot act out
            where = button.get("url")
            say(f"{DIM}(it opens a link outside the chat: {where}){RESET}" if where else
                f"{DIM}(this kind of button does nothing in the terminal){RESET}")
            return
        since = time.monotonic()
        result = await self.client.press(self.person.user_id, message["message_id"],
                                         button["callback_data"])
        answer = await self.answer_of(result["callback_query_id"])
        if answer is None:
            say(f"! the bot did not answer the press within {ANSWER_SECONDS:g} s")
        elif answer.get("text"):
            say(f"{DIM}({'alert' if answer.get('show_alert') else 'popup'}){RESET} "
                f"{answer['text']}")
        await self.screen.settle(since, first=0.3)  # a press may change nothing but a popup

    async def answer_of(self, query_id: str) -> dict | None:
        """The bot's answer to a press (Telegram's spinner stops then), or None."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ANSWER_SECONDS
        while loop.time() < deadline:
            state = await self.client.callback(query_id)
            if state["answered"]:
                return state
            await asyncio.sleep(0.05)
        return None


async def chat(url: str, log_file: str, ids: UserIds) -> None:
    client = EmulatorClient(url)
    terminal = Terminal(client, ids, Person(client, user_id=ids.FIRST, language_code=None,
                                            first_name="You"))
    try:
        await terminal.start()
        say(__doc__ or "")
        say(f"Bot log: {log_file}. Emulator: {url} (its control API, emulator/control.py, "
            f"can act as other users).")
        say(f"You are user {ids.FIRST} (no Telegram language: the bot asks, the first time). "
            f"Start with /start.\n")
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            if line == ":quit":
                break
            try:
                await terminal.act(line)
            except (AssertionError, OSError, ValueError) as exc:
                say(f"! {exc}")
    finally:
        await terminal.stop()
        await client.close()
