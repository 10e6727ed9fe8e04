"""A bare aiogram 3 echo bot (aiohttp transport, updates handled concurrently).

    python bench/echo_aiogram.py API_ROOT TOKEN
"""
import asyncio
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dispatcher = Dispatcher()


@dispatcher.message()
async def echo(message: Message) -> None:
    if message.text:
        await message.answer(message.text)


async def main() -> None:
    root, token = sys.argv[1], sys.argv[2]
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(root)))
    await dispatcher.start_polling(bot, polling_timeout=10, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
