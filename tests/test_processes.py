"""The bot as a real process: `python bot.py run` (token never logged), `local` mode in a
terminal, and webhook mode with Telegram's secret header."""
from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp

from emulator.client import Person

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_run_mode_logs_each_update_and_never_the_token(emulator, client, tmp_path):
    token = emulator.world.token
    env = {**os.environ, "BOT_TOKEN": token, "BOT_API_BASE_URL": emulator.url,
           "BOT_DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "BOT_LOG_LEVEL": "DEBUG"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        user = await Person(client, language_code="ru").join()
        replies = await user.send("/start", timeout=20)
        assert "Кто вы?" in replies.text
        await user.press("Инженер")
    finally:
        proc.terminate()
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    log = stderr.decode()
    assert proc.returncode == 0, log[-2000:]
    assert "sendMessage" in log  # httpx request lines were logged at DEBUG…
    assert token not in log and token.split(":")[1] not in log  # …with the token redacted
    assert f"user {user.user_id} handler start" in log and " ms" in log
    assert f"user {user.user_id} handler role" in log


async def test_debug_logs_hold_no_personal_data(emulator, client, tmp_path):
    """At DEBUG, python-telegram-bot would log whole updates and API calls (names, phone
    numbers, what users type): the log still shows each update and request, not those."""
    name, phone, iin = "Зейнеп Ахметова", "77011234567", "870512300122"
    env = {**os.environ, "BOT_TOKEN": emulator.world.token, "BOT_API_BASE_URL": emulator.url,
           "BOT_DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "BOT_LOG_LEVEL": "DEBUG"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        user = await Person(client, language_code="ru", first_name="Зейнеп").join()
        await user.send("/start", timeout=20)
        await user.press("Импортёр")
        await user.press("📝")
        await user.press("Согласен")
        await user.press("Физическое лицо")
        await user.press("Казахстан")
        await user.send(name)
        await user.send(iin)
        await user.press("Сам заявитель")
        replies = await user.send_content(contact={"phone_number": phone, "first_name": "Зейнеп",
                                                   "user_id": user.user_id})
        assert f"+{phone}" in replies.text  # the bot did take it
    finally:
        proc.terminate()
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    log = stderr.decode()
    assert proc.returncode == 0, log[-2000:]
    assert f"user {user.user_id} handler input" in log  # one line per update, with ids
    assert "sendMessage" in log and " DEBUG " in log  # requests are still logged at DEBUG
    for secret in (name, "Зейнеп", "Ахметова", phone, phone[1:], iin):
        assert secret not in log, secret


async def test_local_mode_in_a_terminal_all_three_languages(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    stdout, stdin = proc.stdout, proc.stdin
    assert stdout is not None and stdin is not None  # both are pipes
    seen: list[str] = []

    async def expect(text: str) -> None:
        while True:
            line = await asyncio.wait_for(stdout.readline(), 30)
            assert line, f"terminal ended before {text!r}: {''.join(seen)[-1500:]}"
            seen.append(line.decode())
            if text in seen[-1]:
                return

    async def type_line(line: str) -> None:
        stdin.write(line.encode() + b"\n")
        await stdin.drain()

    try:
        await expect("Start with /start")
        await type_line("/start")
        await expect("Тілді таңдаңыз")
        await expect("[1] Қазақша  [2] Русский  [3] 中文")
        await type_line("#1")
        await expect("Сіз кімсіз?")
        for lang, question in (("ru", "Кто вы?"), ("zh", "您的身份是？")):
            await type_line(f":new {lang}")
            await type_line("/start")
            await expect(question)
        await type_line("#1")
        await expect("主菜单")
        await type_line(":sticker")
        await expect("无法处理这类消息")
        (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 scan")
        await type_line(f":file {tmp_path / 'scan.pdf'}")  # sent as a document
        await expect("无法处理这类消息")
        await type_line(":quit")
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert (tmp_path / "data" / "local.sqlite3").exists()


async def test_webhook_mode_checks_the_secret(bot, client):
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    await bot.stop()
    await bot.start(webhook_url=url, webhook_listen="127.0.0.1", webhook_port=port,
                    webhook_secret="s3cret-Value")
    assert (await client._get("webhook"))["url"] == url
    user = await Person(client, language_code="zh").join()
    replies = await user.send("/start")  # the emulator POSTs it with the right secret
    assert "您的身份是？" in replies.text
    update = {"update_id": 999, "message": {
        "message_id": 50, "date": 0, "chat": {"id": user.user_id, "type": "private"},
        "from": {"id": user.user_id, "is_bot": False, "first_name": "X"}, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
    async with aiohttp.ClientSession() as http:
        for secret in ("wrong", None):
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 403
    assert (await client.events(chat_id=user.user_id, after=user.seq, wait=0.5))["events"] == []


async def test_healthcheck_follows_the_heartbeat(bot, tmp_path):
    import subprocess
    env = {**os.environ, "BOT_DATABASE_PATH": bot.settings.database_path,
           "BOT_DATABASE_URL": bot.settings.database_url}
    check = [sys.executable, str(ROOT / "healthcheck.py")]
    assert subprocess.run(check, env=env, cwd=ROOT, capture_output=True).returncode == 0
    heartbeat = Path(bot.settings.database_path).with_name("heartbeat")
    os.utime(heartbeat, (1, 1))  # as if the loop had hung long ago
    done = subprocess.run(check, env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and "last heartbeat" in done.stdout


async def test_kill_9_after_each_answer_loses_none(emulator, client, tmp_path):
    """The hot path writes on the loop's thread (storage/db.py): each answer must be on
    disk once the user sees the reply, so a SIGKILL right after it loses nothing."""
    env = {**os.environ, "BOT_TOKEN": emulator.world.token, "BOT_API_BASE_URL": emulator.url,
           "BOT_DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "BOT_LOG_LEVEL": "WARNING",
           "BOT_REMINDER_TICK_SECONDS": "0"}

    async def launch():
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    proc = await launch()
    try:
        user = await Person(client, language_code="ru").join()
        await user.send("/start", timeout=20)
        await user.press("Импортёр")
        assert "шаг 1 из 7" in (await user.press("📘")).text
        for step, label in enumerate(["Физическое лицо", "N1", "Одно ТС"], 2):
            await user.press(label)
            proc.kill()
            await proc.wait()
            proc = await launch()
            replies = await user.send("/guide", timeout=20)
            assert f"шаг {step} из 7" in replies.text, replies.text
    finally:
        proc.terminate()  # not kill: a killed bot's long poll would hold the emulator open
        await proc.wait()
