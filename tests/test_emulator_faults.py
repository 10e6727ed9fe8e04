"""The emulator's fault mode (emulator/faults.py) and poison updates (emulator/poison.py),
seen by a plain python-telegram-bot Bot, as the bot would see them."""
from __future__ import annotations

import asyncio
import copy
import time
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from telegram import Bot, Update
from telegram.error import NetworkError, RetryAfter, TimedOut

from emulator import poison


@pytest.fixture
async def tg(emulator):
    bot = Bot(emulator.world.token, base_url=f"{emulator.url}/bot",
              base_file_url=f"{emulator.url}/file/bot")
    async with bot:
        yield bot


@pytest.fixture
async def chat(client):
    await client.add_users([{"id": 501, "first_name": "A", "started": True},
                            {"id": 502, "first_name": "B", "started": True}])
    return 501


async def raw_call(emulator, method: str, **params) -> tuple[int, Any]:
    """A Bot API call without PTB: the status and the body exactly as the emulator sent them."""
    url = f"{emulator.url}/bot{emulator.world.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=params) as resp:
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body


def seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else value


# --- faults on Bot API calls -------------------------------------------------------------
async def test_injected_500_is_telegram_shaped_and_next_n_is_exact(tg, client, emulator, chat):
    await client.set_faults({"fault": "error", "methods": ["sendMessage"], "next": 2}, seed=1)
    assert await raw_call(emulator, "sendMessage", chat_id=chat, text="x") == (
        500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await tg.send_message(chat, "lost")
    assert (await tg.get_me()).is_bot  # other methods are not hit
    assert (await tg.send_message(chat, "third goes through")).text == "third goes through"
    events = (await client.events(chat))["events"]
    assert [e["text"] for e in events] == ["third goes through"]  # fail_before: not delivered
    counters = await client.faults()
    assert counters["injected"] == {"error": 2} and counters["failed"] == 2
    assert counters["by_method"] == {"sendMessage": {"error": 2}}
    assert counters["rules"][0]["injected"] == 2 and not counters["rules"][0]["active"]
    stats = await client.stats()
    assert stats["fault:error"] == 2 and stats["fault:error:sendMessage"] == 2


async def test_timeout_beats_a_short_read_timeout_then_clearing_heals(tg, client, emulator):
    await client.set_faults({"fault": "timeout", "methods": ["getMe"], "hold": 30})
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await tg.get_me(read_timeout=0.3)
    final = await client.clear_faults()  # also answers the held request now
    assert final["injected"] == {"timeout": 1}
    assert (await tg.get_me()).is_bot
    assert time.monotonic() - started < 3
    assert (await client.faults())["injected"] == {}  # DELETE reset the counters


async def test_a_timeout_answers_504_when_the_hold_ends(client, emulator):
    await client.set_faults({"fault": "timeout", "hold": 0.2})
    started = time.monotonic()
    status, body = await raw_call(emulator, "getMe")
    assert time.monotonic() - started >= 0.2
    assert (status, body) == (504, {"ok": False, "error_code": 504,
                                    "description": "Gateway Timeout"})


async def test_slow_calls_answer_normally_later(tg, client, chat):
    await client.set_faults({"fault": "slow", "methods": ["send*"], "delay": 0.3})
    started = time.monotonic()
    assert (await tg.send_message(chat, "late")).text == "late"
    assert time.monotonic() - started >= 0.3
    assert (await client.faults())["injected"] == {"slow": 1}


async def test_flood_for_one_chat_affects_only_that_chat(tg, client, chat):
    await client.flood(2, chat_ids=[501])
    with pytest.raises(RetryAfter) as err:
        await tg.send_message(501, "flooded")
    assert 1 <= seconds(err.value.retry_after) <= 2  # what is left of the window
    assert (await tg.send_message(502, "fine")).text == "fine"
    assert (await tg.get_me()).is_bot  # a flood hits sends and edits only
    await client.flood(1, retry_after=7)  # a second, global storm with a fixed retry_after
    with pytest.raises(RetryAfter) as err:
        await tg.send_message(502, "now flooded too")
    assert seconds(err.value.retry_after) == 7
    assert (await client.faults())["injected"] == {"flood": 2}


async def test_outage_ends_by_itself_and_spares_the_control_api(tg, client, chat):
    await client.outage(0.4)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await tg.get_me()
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await tg.send_message(chat, "down")
    assert (await client.stats())["fault:outage"] == 2  # the control API still answers
    await asyncio.sleep(0.45)
    assert (await tg.send_message(chat, "back")).text == "back"
    assert [e["text"] for e in (await client.events(chat))["events"]] == ["back"]


async def test_nginx_html_page_instead_of_json(tg, client):
    await client.set_faults({"fault": "error", "status": 502, "html": True, "next": 1})
    with pytest.raises(NetworkError, match=r"Bad Gateway \(502\)"):
        await tg.get_me()


async def test_fail_after_delivers_the_message_and_still_errors(tg, client, chat):
    await client.set_faults({"fault": "error", "methods": ["sendMessage"], "next": 1,
                             "mode": "fail_after"})
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await tg.send_message(chat, "delivered, answer lost")
    await tg.send_message(chat, "delivered, answer lost")  # the client's retry: a repeat
    events = (await client.events(chat))["events"]
    assert [e["text"] for e in events] == ["delivered, answer lost"] * 2
    counters = await client.faults()
    assert counters["delivered_anyway"] == 1
    [entry] = counters["log"]
    assert entry["mode"] == "fail_after" and entry["message_id"] == events[0]["message_id"]
    assert entry["chat_id"] == chat and entry["method"] == "sendMessage"


async def test_fail_after_timeout_delivers_too(tg, client, chat):
    await client.set_faults({"fault": "timeout", "methods": ["sendMessage"], "hold": 0.1,
                             "mode": "fail_after", "next": 1})
    with pytest.raises(NetworkError, match="Gateway Timeout"):
        await tg.send_message(chat, "sent")
    assert [e["text"] for e in (await client.events(chat))["events"]] == ["sent"]


async def test_probability_is_deterministic_with_a_seed(client, emulator):
    async def pattern() -> list[int]:
        await client.set_faults({"fault": "error", "methods": ["getMe"], "probability": 0.5},
                                seed=20260101)
        statuses = [(await raw_call(emulator, "getMe"))[0] for _ in range(24)]
        await client.clear_faults()
        return statuses

    first = await pattern()
    assert first == await pattern()
    assert 200 in first and 500 in first


async def test_downloads_only_when_named(tg, client, chat):
    sent = await tg.send_document(chat, b"%PDF-1.4 x", filename="a.pdf")
    file = await tg.get_file(sent.document.file_id)
    await client.set_faults({"fault": "error"})  # every Bot API method, not downloads
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 x"
    await client.set_faults({"fault": "error", "methods": ["download"], "next": 1})
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await file.download_as_bytearray()
    assert (await client.faults())["by_method"] == {"download": {"error": 1}}


async def test_window_start_and_slow_then_fail_combine(client, emulator):
    await client.set_faults({"fault": "slow", "delay": 0.1},
                            {"fault": "error", "methods": ["getMe"], "start": 0.3})
    started = time.monotonic()
    assert (await raw_call(emulator, "getMe"))[0] == 200  # the error window is not open yet
    await asyncio.sleep(0.3)
    assert (await raw_call(emulator, "getMe"))[0] == 500
    assert time.monotonic() - started >= 0.5
    assert (await client.faults())["injected"] == {"slow": 2, "error": 1}


@pytest.mark.parametrize("spec", [
    {"rules": [{"fault": "eror"}]},
    {"rules": [{"fault": "error", "probabilty": 0.5}]},  # a typo must not silently pass
    {"rules": [{"fault": "slow", "mode": "fail_after"}]},
    {"rules": [{"fault": "outage"}]},
    {"rules": [{"fault": "error", "status": 404}]},
    {"rules": [{"fault": "error", "probability": 2}]},
    {"rules": [{"fault": "flood", "chat_ids": "501"}]},
    {"rulez": []},
])
async def test_bad_specs_are_refused(client, spec):
    with pytest.raises(AssertionError, match="400"):
        await client._post("faults", spec)


async def test_post_empty_spec_turns_faults_off_keeping_counters(tg, client):
    await client.set_faults({"fault": "error", "next": 1})
    with pytest.raises(NetworkError):
        await tg.get_me()
    counters = await client._post("faults", {})
    assert counters["rules"] == [] and counters["injected"] == {"error": 1}
    assert (await tg.get_me()).is_bot


# --- raw and poison updates --------------------------------------------------------------
EXCEPTIONS = {
    "forwarded_poll": "`persistent_id` is a required argument since Bot API 9.6",
    "poll": "`members_only` is a required argument since Bot API 10.0",
    "poll_answer": "`option_persistent_ids` is a required argument since Bot API 9.6",
    "restricted_member": "missing 1 required positional argument: 'can_edit_tag'",
    "restricted_chat_member": "`can_react_to_messages` is required and cannot be None",
}


def repaired(kind: str, update: dict) -> dict:
    """The same update with the fields PTB 22.8 wants: proof that they are the reason."""
    fixed = copy.deepcopy(update)
    if kind in ("forwarded_poll", "poll"):
        state = fixed["message"]["poll"] if kind == "forwarded_poll" else fixed["poll"]
        for i, option in enumerate(state["options"]):
            option.setdefault("persistent_id", f"opt{i}")
        state.setdefault("allows_revoting", False)
        state["members_only"] = False
    elif kind == "poll_answer":
        fixed["poll_answer"]["option_persistent_ids"] = ["opt1"]
    else:
        member = fixed["my_chat_member" if kind == "restricted_member"
                       else "chat_member"]["new_chat_member"]
        member.setdefault("can_edit_tag", False)
        member["can_react_to_messages"] = False
    return fixed


def test_every_poison_kind_is_checked():
    assert set(EXCEPTIONS) == set(poison.KINDS)


@pytest.mark.parametrize("kind", sorted(poison.KINDS))
async def test_poison_update_makes_ptb_raise(kind, tg):
    user = {"id": 501, "is_bot": False, "first_name": "A", "language_code": "ru"}
    update = {"update_id": 1, **poison.build(kind, user, (await tg.get_me()).to_dict())}
    for bot in (None, tg):  # as in the docs, and with a Bot as PTB's get_updates does
        with pytest.raises(TypeError, match=EXCEPTIONS[kind].replace("(", r"\(")
                           .replace(")", r"\)")):
            Update.de_json(copy.deepcopy(update), bot)
    assert Update.de_json(repaired(kind, update), tg).update_id == 1


@pytest.mark.parametrize("kind", sorted(poison.KINDS))
async def test_get_updates_returns_poison_like_any_update(kind, tg, client, emulator, chat):
    before = await client.send(chat, text="before")
    pushed = await client.poison_update(kind, user_id=chat)
    status, body = await raw_call(emulator, "getUpdates")
    assert status == 200 and body["ok"]
    assert [u["update_id"] for u in body["result"]] == [before["update_id"],
                                                        pushed["update_id"]]
    assert pushed["update_id"] == before["update_id"] + 1
    assert body["result"][1] == pushed["update"]
    assert (kind in ("forwarded_poll",)) == ("message" in pushed["update"])
    with pytest.raises(TypeError):  # one poison update and PTB loses the whole batch
        await tg.get_updates()


async def test_raw_update_keeps_or_assigns_update_id(client, emulator):
    first = await client.raw_update({"message_reaction_count": {
        "chat": {"id": -100123, "type": "supergroup", "title": "g"}, "message_id": 1,
        "date": 1767225600, "reactions": []}})
    assert isinstance(first["update_id"], int) and first["update_id"] > 0
    given = await client.raw_update({"update_id": 77, "poll_answer": {"poll_id": "1"}})
    assert given["update_id"] == 77
    assert [u["update_id"] for u in (await raw_call(emulator, "getUpdates"))[1]["result"]] \
        == [first["update_id"], 77]
    with pytest.raises(AssertionError, match="400"):
        await client.raw_update({"update_id": 78})
    with pytest.raises(AssertionError, match="400"):
        await client.poison_update("no such kind")
