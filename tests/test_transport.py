"""The aiohttp transport: PTB's exceptions for timeouts and connection failures, exactly
as the httpx transport raises them; uploads and downloads against the emulator."""
from __future__ import annotations

import asyncio
import json
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from apibot import ApiBot
from transport import AiohttpRequest


@pytest.fixture
async def silent_server():
    """Accepts connections and never answers."""
    clients = []

    async def hold(reader, writer):
        clients.append(writer)
        await asyncio.sleep(3600)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    for writer in clients:
        writer.close()
    server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("make", [
    lambda: AiohttpRequest(read_timeout=0.2),
    lambda: HTTPXRequest(read_timeout=0.2),
])
async def test_read_timeout_is_timed_out(silent_server, make):
    request = make()
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"{silent_server}/botX/getMe")
    finally:
        await request.shutdown()


async def test_a_short_read_timeout_waits_as_long_as_httpx_does(silent_server):
    """The write timeout (5 s by default) is not added to a JSON request's read wait: a
    0.2 s read timeout gives up about when PTB's own transport does, not 5 s later."""
    waited = {}
    for name, request in (("aiohttp", AiohttpRequest(read_timeout=0.2)),
                          ("httpx", HTTPXRequest(read_timeout=0.2))):
        await request.initialize()
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimedOut):
            await request.post(f"{silent_server}/botX/getMe")
        waited[name] = asyncio.get_running_loop().time() - started
        await request.shutdown()
    assert waited["aiohttp"] < waited["httpx"] + 1.0, waited


@pytest.mark.parametrize("make,prefix", [
    (lambda: AiohttpRequest(), "aiohttp."),
    (lambda: HTTPXRequest(), "httpx."),
])
async def test_refused_connection_is_network_error(make, prefix):
    request = make()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as err:
            await request.post(f"http://127.0.0.1:{closed_port()}/botX/getMe")
        assert not isinstance(err.value, TimedOut)
        assert err.value.message.startswith(prefix)
    finally:
        await request.shutdown()


async def test_pool_timeout_says_so(silent_server):
    request = AiohttpRequest(connection_pool_size=1, read_timeout=5, pool_timeout=0.2)
    await request.initialize()
    try:
        hanging = asyncio.create_task(request.post(f"{silent_server}/botX/getMe"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.post(f"{silent_server}/botX/getMe")
        hanging.cancel()
    finally:
        await request.shutdown()


async def test_upload_and_download_over_aiohttp(emulator, client):
    await client.add_users([{"id": 31337, "first_name": "A", "started": True}])
    bot = Bot(emulator.world.token, base_url=f"{emulator.url}/bot",
              base_file_url=f"{emulator.url}/file/bot", request=AiohttpRequest(4))
    async with bot:
        content = "Қазақша · 中文 checklist\n".encode() * 1000
        sent = await bot.send_document(31337, content, filename="чек-лист.txt",
                                       caption="<b>файл</b>", parse_mode="HTML")
        assert sent.document is not None
        assert sent.document.file_name == "чек-лист.txt" and sent.caption == "файл"
        data = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
        assert bytes(data) == content
        photo = await bot.send_photo(31337, b"\x89PNG fake", caption="x")
        assert photo.photo[-1].file_size == 9
        again = await bot.send_document(31337, sent.document.file_id)  # by file_id
        assert again.document is not None
        assert again.document.file_unique_id == sent.document.file_unique_id


async def test_own_messages_come_back_without_keyboard_or_formatting(emulator, client):
    await client.add_users([{"id": 31337, "first_name": "A", "started": True}])
    bot = Bot(emulator.world.token, base_url=f"{emulator.url}/bot",
              base_file_url=f"{emulator.url}/file/bot", request=AiohttpRequest(4))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ок", callback_data="ok")]])
    async with bot:
        sent = await bot.send_message(31337, "<b>Қадам</b> 1", parse_mode="HTML",
                                      reply_markup=markup)
        assert (sent.chat.id, sent.text) == (31337, "Қадам 1")
        assert sent.reply_markup is None and sent.entities == ()
        edited = await bot.edit_message_text("<i>2</i>", 31337, sent.message_id,
                                             parse_mode="HTML", reply_markup=markup)
        assert isinstance(edited, Message)  # not True: that is for inline messages
        assert edited.message_id == sent.message_id and edited.reply_markup is None
    # ... while the user sees both (the emulator keeps what was sent)
    shown = emulator.world.messages[(31337, sent.message_id)]
    assert shown["reply_markup"]["inline_keyboard"][0][0]["text"] == "Ок"
    assert shown["entities"][0]["type"] == "italic"


def test_pressed_message_is_trimmed_but_the_press_is_whole():
    payload = json.dumps({"ok": True, "result": [
        {"update_id": 1, "callback_query": {
            "id": "q", "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "chat_instance": "c", "data": "g:b",
            "message": {"message_id": 9, "date": 1, "chat": {"id": 5, "type": "private"},
                        "text": "Step", "entities": [{"type": "bold", "offset": 0, "length": 4}],
                        "reply_markup": {"inline_keyboard": [[{"text": "x",
                                                               "callback_data": "g:b"}]]}}}},
        {"update_id": 2, "message": {"message_id": 10, "date": 1, "text": "/start",
                                     "chat": {"id": 5, "type": "private"},
                                     "entities": [{"type": "bot_command", "offset": 0,
                                                   "length": 6}]}}]}).encode()
    first, second = AiohttpRequest.parse_json_payload(payload)["result"]
    query = first["callback_query"]
    assert query["data"] == "g:b" and query["from"]["id"] == 5
    assert query["message"] == {"message_id": 9, "date": 1, "text": "Step",
                                "chat": {"id": 5, "type": "private"}}
    assert second["message"]["entities"][0]["type"] == "bot_command"  # a user's: untouched


def test_a_garbled_answer_is_a_telegram_error():
    with pytest.raises(TelegramError, match="Invalid server response"):
        AiohttpRequest.parse_json_payload(b"<html>502 Bad Gateway</html>")


async def test_apibot_call_returns_telegrams_json_and_raises_ptbs_errors(emulator, client):
    await client.add_users([{"id": 31337, "first_name": "A", "started": True}])
    bot = ApiBot(emulator.world.token, base_url=f"{emulator.url}/bot",
                 base_file_url=f"{emulator.url}/file/bot", request=AiohttpRequest(4))
    async with bot:
        sent = await bot.call("sendMessage", chat_id=31337, text="<b>1</b>", parse_mode="HTML",
                              reply_markup=None)
        assert sent["text"] == "1" and sent["chat"]["id"] == 31337
        with pytest.raises(BadRequest, match="not modified"):
            await bot.call("editMessageText", chat_id=31337, message_id=sent["message_id"],
                           text="<b>1</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.call("sendMessage", chat_id=404, text="x")
