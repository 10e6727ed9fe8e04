"""A bare python-telegram-bot echo bot with default settings (httpx, one update at a time).

    python bench/echo_ptb.py API_ROOT TOKEN
"""
import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters


async def echo(update: Update, context) -> None:
    await update.message.reply_text(update.message.text)


def main() -> None:
    root, token = sys.argv[1], sys.argv[2]
    app = (ApplicationBuilder().token(token).base_url(f"{root}/bot")
           .base_file_url(f"{root}/file/bot").build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0, timeout=10)


if __name__ == "__main__":
    main()
