"""A terminal chat with the bot through the emulator: type as a Telegram user would.

  text or /command     send it
  #N                   press button N of the latest message that has buttons
  :contact +7701…      share a phone number (as Telegram's "share contact" button)
  :file PATH           send a file as a document;  :photo PATH  as a photo
  :sticker  :voice  :location                       send those
  :new LANG            become a new user whose Telegram language is LANG (kk, ru, zh, en…)
  :help  :quit
"""
from __future__ import annotations

import asyncio
import mimetypes
import re
import sys
from pathlib import Path

from emulator.client import EmulatorClient, Person, button_labels

BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


def render(event: dict) -> str:
    text = event.get("html") or event.get("text") or ""
    text = re.sub(r"</?b>", lambda m: RESET if m.group(0).startswith("</") else BOLD, text)
    text = re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&amp;", "&").replace("&quot;", '"')
    head = {"send": "bot", "edit": "bot (edited)", "delete": "bot (deleted a message)"}
    lines = [f"{DIM}── {head.get(event['type'], event['type'])} ──{RESET}"]
    if event.get("kind") in ("document", "photo"):
        lines.append(f"[{event['kind']} {event.get('file_id')}]")
    if text:
        lines.append(text)
    for row in (event.get("reply_markup") or {}).get("keyboard", []):
        for button in row:  # a reply keyboard: share-contact typed as :contact, others as text
            label = button["text"] if isinstance(button, dict) else button
            hint = " (type :contact)" if isinstance(button, dict) and \
                button.get("request_contact") else ""
            lines.append(f"[{label}]{hint}")
    number = 0
    for row in (event.get("reply_markup") or {}).get("inline_keyboard", []):
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button['text']}")
        lines.append("  ".join(cells))
    return "\n".join(lines)


async def chat(url: str, log_file: str) -> None:
    client = EmulatorClient(url)
    person = await Person(client, language_code=None, first_name="You").join()
    print(__doc__)
    print(f"Bot log: {log_file}. You are user {person.user_id} (no Telegram language: "
          f"the bot asks). Start with /start.\n")
    loop = asyncio.get_running_loop()
    try:
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
                person = await act(person, client, line)
            except (AssertionError, OSError, ValueError) as exc:
                print(f"! {exc}")
    finally:
        await client.close()


async def act(person: Person, client: EmulatorClient, line: str) -> Person:
    if line == ":help":
        print(__doc__)
        return person
    if line.startswith(":new"):
        lang = line.split()[1] if len(line.split()) > 1 else None
        person = await Person(client, language_code=lang, first_name="You").join()
        print(f"You are now user {person.user_id} with Telegram language {lang or 'none'}.")
        return person
    if re.fullmatch(r"#\d+", line):
        messages = [m for m in person.messages.values() if button_labels(m.get("reply_markup"))]
        if not messages:
            raise ValueError("no message with buttons yet")
        markup = messages[-1]["reply_markup"]
        buttons = [b for row in markup["inline_keyboard"] for b in row]
        index = int(line[1:]) - 1
        if not 0 <= index < len(buttons):
            raise ValueError(f"choose 1..{len(buttons)}")
        replies = await person.press_data(buttons[index]["callback_data"],
                                          messages[-1]["message_id"], expect=0)
        if replies.callback and replies.callback.get("text"):
            print(f"{DIM}(popup){RESET} {replies.callback['text']}")
    elif line.startswith(":contact"):
        phone = line.split(maxsplit=1)[1] if " " in line else "+77011234567"
        replies = await person.send_content(contact={"phone_number": phone, "first_name": "You",
                                                     "user_id": person.user_id})
    elif line.startswith((":file ", ":photo ")):
        command, path = line[1:].split(maxsplit=1)
        kind = "document" if command == "file" else "photo"
        data = Path(path).expanduser().read_bytes()
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        replies = await person.send_file(Path(path).name, data, mime, kind=kind)
    elif line in (":sticker", ":voice"):
        replies = await person.send_content(**{line[1:]: "🙂" if line == ":sticker" else True})
    elif line == ":location":
        replies = await person.send_content(location={"latitude": 49.95, "longitude": 82.61})
    else:
        replies = await person.send(line, timeout=10, settle=0.3)
    for event in replies.events:
        if event.get("kind") == "markup" and not event.get("reply_markup"):
            continue  # an old message lost its buttons: nothing new to read
        print(render(event), flush=True)
    return person
