"""The aiohttp transport: PTB's exceptions for timeouts and connection failures, exactly
as the httpx transport raises them; uploads and downloads against the emulator."""
from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

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
        assert sent.document.file_name == "чек-лист.txt" and sent.caption == "файл"
        data = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
        assert bytes(data) == content
        photo = await bot.send_photo(31337, b"\x89PNG fake", caption="x")
        assert photo.photo[-1].file_size == 9
        again = await bot.send_document(31337, sent.document.file_id)  # by file_id
        assert again.document.file_unique_id == sent.document.file_unique_id
