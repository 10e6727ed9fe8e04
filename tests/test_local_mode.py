"""Local mode as a developer uses it: `python bot.py` with no token, typed into through a
pipe. A link button, a message arriving while the user is idle, and `:new` users across
restarts of local mode."""
from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from emulator.client import EmulatorClient, Person

ROOT = Path(__file__).parent.parent
ADMIN = 900001  # made admin by BOT_ADMIN_IDS; the test acts as them through the control API


class LocalMode:
    """One run of local mode, read line by line as it prints and typed into."""

    def __init__(self, proc: asyncio.subprocess.Process, errors: Path):
        self.proc = proc
        self.errors = errors
        self.seen: list[str] = []

    @classmethod
    async def start(cls, cwd: Path, run: int) -> LocalMode:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env["BOT_ADMIN_IDS"] = str(ADMIN)
        errors = cwd / f"stderr-{run}.txt"
        with errors.open("wb") as sink:  # the child keeps its own copy of the descriptor
            proc = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "bot.py"), cwd=cwd, env=env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=sink)
        return cls(proc, errors)

    async def expect(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """The first line printed from now on that matches `pattern` (a regex)."""
        assert self.proc.stdout is not None
        while True:
            try:
                line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
            except TimeoutError:
                raise AssertionError(f"no {pattern!r} within {timeout} s: {self.tail()}") from None
            assert line, f"local mode ended before {pattern!r}: {self.tail()}"
            self.seen.append(line.decode())
            found = re.search(pattern, self.seen[-1])
            if found:
                return found

    async def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def tap(self, label: str) -> None:
        """Wait for a button with `label` in it to be printed, then press it by number."""
        found = await self.expect(rf"\[(\d+)\] [^\[]*{re.escape(label)}")
        await self.type(f"#{found.group(1)}")

    async def quit(self) -> None:
        await self.type(":quit")
        code = await asyncio.wait_for(self.proc.wait(), 30)
        assert code == 0, self.tail()

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def tail(self) -> str:
        return f"{''.join(self.seen)[-1500:]}\nstderr: {self.errors.read_text()[-1500:]}"


async def broadcast_as_admin(url: str, text_ru: str) -> None:
    """Staff send everyone a broadcast now: the bot then writes to the terminal's user
    by itself, with nothing typed there."""
    client = EmulatorClient(url)
    try:
        admin = await Person(client, user_id=ADMIN, language_code="ru", first_name="Staff").join()
        await admin.send("/start", timeout=20)
        assert "Новая рассылка" in (await admin.send("/broadcast")).text
        await admin.send("Назар аударыңыз: орталық 1 желтоқсаннан жұмыс істейді")
        await admin.send(text_ru)
        await admin.press("Пропустить")  # no Chinese version
        await admin.press("Пропустить")  # no photo
        await admin.press("Все")
        await admin.press("Отправить сейчас")
    finally:
        await client.close()


async def test_link_button_idle_notice_and_new_users_across_restarts(tmp_path):
    terminal = await LocalMode.start(tmp_path, 1)
    try:
        url = (await terminal.expect(r"Emulator: (http://\S+)")).group(1)
        first = int((await terminal.expect(r"You are user (\d+)\b.*Start with /start")).group(1))
        await terminal.type("/start")
        await terminal.tap("Русский")
        await terminal.tap("Импортёр")
        await terminal.tap("📘")
        for answer in ("Физическое лицо", "(M1", "Одно ТС", "Электромобиль", "(Корея"):
            await terminal.tap(answer)
        # (a) A link button (Telegram's share dialog with the deep link) is shown with its
        # address, and pressing it opens nothing here.
        share = await terminal.expect(r"\[(\d+)\] 🔗 Поделиться результатом → "
                                      r"(https://t\.me/share/url\?url=\S+start%3Dguide_\S+)")
        as_file = (await terminal.expect(r"\[(\d+)\] 📄 Отправить файлом")).group(1)
        await terminal.type(f"#{share.group(1)}")
        await terminal.expect(r"pressed \[\d+\] 🔗 Поделиться результатом on “")
        await terminal.expect(f"opens a link outside the chat: {re.escape(share.group(2))}")
        # (b) A broadcast reaches the idle user: printed with nothing typed.
        await broadcast_as_admin(url, "Внимание: центр работает с 1 декабря")
        await terminal.expect("Внимание: центр работает с 1 декабря")
        # The guide's buttons still work after the link (#N: latest message with buttons).
        await terminal.type(f"#{as_file}")
        await terminal.expect(r"pressed \[\d+\] 📄 Отправить файлом on “")
        await terminal.expect("Ваш чек-лист")
        # (c) :new users stay new after a restart; the first user stays the same person.
        await terminal.type(":new ru")
        one = int((await terminal.expect(r"You are now user (\d+)")).group(1))
        await terminal.type("/start")
        await terminal.expect("Кто вы?")  # now the database knows this user
        await terminal.quit()

        terminal = await LocalMode.start(tmp_path, 2)
        again = int((await terminal.expect(r"You are user (\d+)\b.*Start with /start")).group(1))
        await terminal.type(":new ru")
        two = int((await terminal.expect(r"You are now user (\d+)")).group(1))
        await terminal.type("/start")
        await terminal.expect("Кто вы?")
        await terminal.quit()
        assert again == first and len({first, one, two}) == 3 and two > one

        # A database older than the file of ids: its users are not handed out again.
        (tmp_path / "data" / "local.last-user-id").unlink()
        terminal = await LocalMode.start(tmp_path, 3)
        await terminal.expect("Start with /start")
        await terminal.type(":new")
        three = int((await terminal.expect(r"You are now user (\d+)")).group(1))
        await terminal.quit()
        assert three > two
    finally:
        await terminal.kill()
