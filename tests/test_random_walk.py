"""A user (or a staff member) doing random things, as people do: every press, text, file,
sticker, edit or command gets an answer in their language, and the bot never fails
("something went wrong") or logs an error. Seeds are fixed, so a failure replays exactly."""
from __future__ import annotations

import logging
import random
from zoneinfo import ZoneInfo

import pytest

from i18n import Catalogues
from tests.desk_helpers import applicant_with_application, staff_member

TEXTS = ["привет", "R100", "батарея", "电池", "870512300122", "+77011234567",
         "1HGCM82633A004352", "BYD", "2024", "85,4", "Айгерим Нурланова", "⬅️ Назад",
         "<b>жирный</b> & <i>", "x" * 4000, "/start", "/guide", "/apply", "/my", "/req",
         "/req GB/T", "/cancel", "/help", "/language", "/mydata", "/deletemydata", "/nope",
         "/start guide_abc", "/app EV-2026-000001", "/queue"]
STAFF_TEXTS = ["/queue", "/app EV-2026-000001", "/app EV-2026-000002", "/export", "/broadcast",
               "/broadcasts", "01.12.2026 10:00, Алматы", "32.13.2026 10:00", "KZ-7 000123",
               "Нужен инвойс", "/reload", "/grant 5", "/revoke 5"]
CONTENT: list[dict[str, object]] = [{"sticker": "🚗"}, {"voice": True}, {"location": {"latitude": 43.2, "longitude": 76.9}}]
FAILURE = "Sorry, something went wrong on our side. Please try again; what you entered so far " \
          "is saved."


async def act(user, rng: random.Random, typed: list[int], texts: list[str]):
    """One random action; returns what the bot did in answer. `typed`: the ids of the
    user's text messages (those can be edited)."""
    pressable = [(mid, b["callback_data"]) for mid, m in user.messages.items()
                 for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                 for b in row if "callback_data" in b]
    roll = rng.random()
    if pressable and roll < 0.5:
        newest = max(mid for mid, _ in pressable)  # mostly the newest message, as people do
        choices = [p for p in pressable if p[0] == newest] if rng.random() < 0.8 else pressable
        message_id, data = rng.choice(choices)
        return await user.press_data(data, message_id, expect=0)
    if roll < 0.8:
        replies = await user.send(rng.choice(texts))
        typed.append(user.last_sent)
        return replies
    if roll < 0.87:
        return await user.send_content(**rng.choice(CONTENT))
    if roll < 0.92:
        return await user.send_content(contact={"phone_number": "77011234567", "first_name": "A",
                                                "user_id": user.user_id})
    if roll < 0.96:
        return await user.send_file("scan.pdf", b"%PDF-1.4 " + bytes(rng.randrange(256)
                                                                    for _ in range(32)),
                                    "application/pdf")
    if typed:
        return await user.edit(rng.choice(typed), rng.choice(TEXTS[:12]))
    return await user.send("/start")


async def walk(user, lang: str, seed: int, texts: list[str], caplog, steps: int = 60) -> None:
    rng = random.Random(seed)
    failure = Catalogues(ZoneInfo("Asia/Almaty")).get(lang)._(FAILURE)
    caplog.set_level(logging.ERROR)
    typed: list[int] = []
    for step in range(steps):
        replies = await act(user, rng, typed, texts)
        answered = replies.events or (replies.callback and replies.callback["answered"])
        assert answered, f"step {step}: no answer"
        assert all(failure not in (e.get("text") or "") for e in replies.events), f"step {step}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()


@pytest.mark.parametrize("lang,seed", [("ru", 1), ("kk", 2), ("zh", 3)])
async def test_random_actions_all_get_an_answer(person, bot, caplog, lang, seed):
    user = await person(lang)
    await user.send("/start")
    await walk(user, lang, seed, TEXTS, caplog)


@pytest.mark.parametrize("seed", [4, 5])
async def test_random_staff_actions_all_get_an_answer(person, bot, client, caplog, seed):
    """On a queue of three applications: taking, rejecting, requesting documents, dates,
    exports, broadcasts, in any order."""
    for lang in ("kk", "ru", "zh"):
        await applicant_with_application(person, bot, lang)
    staff = await staff_member(client)
    await walk(staff, "ru", seed, TEXTS + STAFF_TEXTS * 3, caplog)
