"""5,000 random updates from 36 users (kk, ru, zh): texts of every shape, real and forged
button presses (random callback data, numbers too large, empty), files true and false,
stickers, contacts, edits, blocks and unblocks, presses on inline-mode messages, updates
the library cannot parse. The bot must end with no ERROR in its log, no "Sorry" reply,
every reply in the user's language, and no request the emulator (strict as Telegram)
refused, beyond the harmless ones a double tap causes. Fixed seeds: a failure replays."""
from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections import Counter
from zoneinfo import ZoneInfo

from domain.content_files import load
from emulator import poison
from emulator.control import Control
from emulator.faults import Faults
from i18n import LANGUAGES, Catalogues
from tests.languages import evidence, written_in

USERS_PER_LANGUAGE = 12
UPDATES = 5000
FAILURE = "Sorry, something went wrong on our side. Please try again; what you entered so " \
          "far is saved."
TEXTS = ["привет", "你好", "сәлем", "R100", "r 1OO", "батарея", "电池", "GB/T 20234", "IPXXB",
         "870512300122", "+86 138 0013 8000", "+77011234567", "1HGCM82633A004352",
         "LRW3E7FS0NC123456", "BYD", "2024", "85,4", "Айгерим Нурланова", "⬅️ Назад",
         "<b>жирный</b> & <i>", "</code>", "&amp;", "/start", "/start guide_", "/start x" * 9,
         "/guide", "/apply", "/my", "/req", "/req GB/T", "/req " + "R" * 300, "/cancel",
         "/help", "/language", "/mydata", "/mute", "/unmute", "/nope", "/app ²", "/grant ²",
         "/app 99999999999999999999999", "/queue", "/export", "/broadcast", "😀" * 50,
         "EV-2026-000001", "E12345678", "没有", "сколько стоит растаможка?", " ", "\u200b"]
FORGED = ["", "x", "menu", "my:v:99999999999999999999999", "my:v:", "my:f:-1", "ap:v:",
          "ap:v:year:1", "ap:e:nope", "g:a:who:", "g:a:zz:yy", "g:o:" + "a" * 60, "st:t:1:x:y",
          "st:q:0:0", "bs:a:status:draft", "bc:p:1", "lang:xx", "role:admin", "req:e:nope",
          "req:s:" + "z" * 58, "ap:c:maybe", "my:k:1:../etc", "x:all", "xp:all:999999"]
SWITCHES = {"lang:kk", "lang:ru", "lang:zh", "del:yes"}
SOURCE_TITLES = sorted({title for source in load().sources.values()
                        for title in source.title.values()}, key=len, reverse=True)
PDF, PNG, JPEG = b"%PDF-1.4\n%fuzz\n", b"\x89PNG\r\n\x1a\nfuzz", b"\xff\xd8\xff\xe0fuzz"
FILES = [("scan.pdf", PDF, "application/pdf", "document"),
         ("invoice.pdf.exe", b"MZ\x90\x00fuzz", "application/pdf", "document"),
         ("plate.png", PNG, "image/png", "document"), ("car.jpg", JPEG, "image/jpeg", "photo"),
         ("huge.pdf", None, "application/pdf", "document")]
# What a double tap or a late press makes Telegram refuse, which the bot expects.
HARMLESS = ("message is not modified", "query is too old")


def without_sources(reply: str) -> str:
    """The reply less the titles of sources: official titles keep their own language."""
    for title in SOURCE_TITLES:
        reply = reply.replace(title, " ")
    return reply


def without_echoes(reply: str, said: list[str]) -> str:
    """The reply less what the user typed and the bot quoted back (whole or clipped): the
    user's words are in whatever language the user chose."""
    for text in said:
        # The longest prefix of what was said that the reply quotes: a prefix in the reply
        # has every shorter one in it too, so it is found by bisection (the whole echo goes,
        # however the bot clipped it).
        low, high = 0, min(len(text), len(reply))
        while low < high:
            middle = (low + high + 1) // 2
            if text[:middle] in reply:
                low = middle
            else:
                high = middle - 1
        if low >= 3:
            reply = reply.replace(text[:low], " ")
    return reply


def random_text(rng: random.Random) -> str:
    if rng.random() < 0.75:
        return rng.choice(TEXTS)
    alphabet = "abcXYZ019 ӘәҢңЁёЖж中文字\n<>&\"'/:._-😀\u0301"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, rng.choice((8, 60, 4000)))))


class Fuzzer:
    def __init__(self, world, seed: int):
        self.world, self.control = world, Control(world, Faults(world.stats))
        self.rng = random.Random(seed)
        self.typed: dict[int, list[int]] = {}
        self.said: dict[int, list[str]] = {}  # what each user typed (echoes are not the bot's)

    def buttons(self, user: int) -> list[tuple[int, str]]:
        """The buttons on the bot's messages to the user, but those that change the
        user's language (choosing one, deleting their data): every reply must then be in
        the user's own language (switching languages has tests of its own)."""
        found = []
        for (chat, mid), message in list(self.world.messages.items()):
            if chat == user and message.get("from", {}).get("id") == self.world.bot_id:
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                    found += [(mid, b["callback_data"]) for b in row
                              if "callback_data" in b and b["callback_data"] not in SWITCHES]
        return found

    async def act(self, user: int) -> str | None:
        """One random action; returns a callback query id when it was a press."""
        rng, world = self.rng, self.world
        roll = rng.random()
        buttons = self.buttons(user)
        if buttons and roll < 0.40:
            newest = max(mid for mid, _ in buttons)
            pick = [b for b in buttons if b[0] == newest] if rng.random() < 0.8 else buttons
            mid, data = rng.choice(pick)
            update = await world.press(user, mid, data)
            return str(update["callback_query"]["id"])
        if roll < 0.47:
            # Telegram sends presses only for the bot's own messages (a modified client can
            # send any data, not another message).
            mids = [mid for (chat, mid), m in list(world.messages.items())
                    if chat == user and m.get("from", {}).get("id") == world.bot_id]
            if not mids:
                return None
            data = rng.choice(FORGED)
            update = await world.press(user, rng.choice(mids), data, forge=True)
            return str(update["callback_query"]["id"])
        if roll < 0.80:
            text = random_text(rng)
            _, message = await world.user_message(user, self.control._content({"text": text}))
            self.typed.setdefault(user, []).append(message["message_id"])
            self.said.setdefault(user, []).append(text)
        elif roll < 0.86:
            name, body, mime, kind = rng.choice(FILES)
            spec: dict[str, object] = {"file_name": name, "mime_type": mime}
            if body is None:
                spec["size"] = 25 * 1024 * 1024
            else:
                spec["content"] = base64.b64encode(body).decode()
            await world.user_message(user, self.control._content({kind: spec}))
        elif roll < 0.90:
            content: dict[str, object] = rng.choice([{"sticker": "🚗"}, {"voice": True},
                                  {"location": {"latitude": 43.2, "longitude": 76.9}},
                                  {"contact": {"phone_number": "+8613800138000",
                                               "first_name": "A", "user_id": user}},
                                  {"contact": {"phone_number": "77011234567",
                                               "first_name": "B", "user_id": user + 1}}])
            await world.user_message(user, self.control._content(content))
        elif roll < 0.94 and self.typed.get(user):
            text = random_text(rng)[:200]
            await world.user_edit(user, rng.choice(self.typed[user]), text)
            self.said.setdefault(user, []).append(text)
        elif roll < 0.96:
            await world.set_blocked(user, True)
            await world.set_blocked(user, False)
        elif roll < 0.98:
            query_id = world.new_callback_id()
            world.callbacks[query_id] = {"answered": False, "late_answers": 0,
                                         "created": time.monotonic(), "text": None}
            await world.push_update({"callback_query": {
                "id": query_id, "from": world.users[user], "chat_instance": "inline",
                "inline_message_id": f"AAAA{user}", "data": rng.choice(FORGED[1:])}})
            return query_id
        elif roll < 0.985:
            kind = rng.choice(sorted(poison.KINDS))
            await world.push_update(poison.build(kind, world.users[user], world.bot_user()))
        else:
            await world.user_message(user, self.control._content({"text": "/start"}))
        return None


async def test_five_thousand_random_updates(emulator, bot, caplog):
    caplog.set_level(logging.WARNING)
    world = emulator.world
    languages = {}
    for n, lang in enumerate(LANGUAGES * USERS_PER_LANGUAGE):
        user = 850000 + n
        world.add_user(user, f"U{n}", lang, started=True)
        languages[user] = lang
    fuzzer = Fuzzer(world, 5000)
    sent: Counter[int] = Counter()

    async def person(user: int) -> None:
        await world.user_message(user, fuzzer.control._content({"text": "/start"}))
        while sum(sent.values()) < UPDATES:
            before = len(world.events)
            query = await fuzzer.act(user)
            sent[user] += 1
            deadline = time.monotonic() + 3
            # As a person does: wait for the answer (or for the button's spinner to end).
            while time.monotonic() < deadline:
                if query is not None and world.callbacks.get(query, {}).get("answered"):
                    break
                if any(e.get("chat_id") == user for e in world.events[before:]):
                    break
                await asyncio.sleep(0.01)

    await asyncio.gather(*(person(user) for user in languages))
    await asyncio.sleep(1.0)  # the last answers
    assert sum(sent.values()) >= UPDATES

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage()[:300] for r in errors[:3]]
    catalogues = Catalogues(ZoneInfo("Asia/Almaty"))
    failures = {catalogues.get(lang)._(FAILURE) for lang in LANGUAGES}
    # The language picker speaks all three on purpose (the user's language is not known).
    picker = [catalogues.get(lang)._("Choose your language:") for lang in LANGUAGES]
    wrong_language = []
    for event in world.events:
        user, text = event.get("chat_id"), event.get("text") or ""
        assert not any(f in text for f in failures), text[:200]
        if user not in languages or event["type"] not in ("send", "edit") or not text:
            continue
        own = without_sources(without_echoes(text, fuzzer.said.get(user, [])))
        if not any(line in text for line in picker) and not written_in(own, languages[user]):
            wrong_language.append((user, languages[user], evidence(own), text[:80]))
    assert not wrong_language, wrong_language[:3]
    refused = {k: n for k, n in world.refusals.items()
               if not any(h in k for h in HARMLESS) and " 403 " not in k}
    assert not refused, refused  # 403: users blocked the bot in the fuzz; nothing else
