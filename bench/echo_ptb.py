"""A bare python-telegram-bot echo bot: default settings (httpx, one update at a time),
or with --fast our aiohttp transport and 16 updates at once (the framework's ceiling).

    python bench/echo_ptb.py API_ROOT TOKEN [--fast]
"""
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters


async def echo(update: Update, context) -> None:
    message = update.message
    if message is None or message.text is None:  # filters.TEXT also passes edits, posts
        return
    await message.reply_text(message.text)


def main() -> None:
    root, token = sys.argv[1], sys.argv[2]
    builder = (ApplicationBuilder().token(token).base_url(f"{root}/bot")
               .base_file_url(f"{root}/file/bot"))
    if "--fast" in sys.argv:
        sys.path.insert(0, str(Path(__file__).parent.parent))
        from transport import AiohttpRequest
        builder = builder.request(AiohttpRequest(24)).get_updates_request(AiohttpRequest(1)) \
            .concurrent_updates(16)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0, timeout=10)


if __name__ == "__main__":
    main()
