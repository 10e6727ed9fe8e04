"""Updates under concurrency: one chat strictly in order, other chats not held up,
no double submission, and 200 users at once without a database error."""
from __future__ import annotations

import asyncio
import logging

from emulator.client import Person


async def test_a_burst_from_one_user_is_handled_in_order(person, bot, client):
    user = await person("ru")
    await user.send("/apply")
    await user.press("Согласен")
    await user.press("Физическое лицо")
    await user.press("Казахстан")
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    answers = ["+77011234567", "1HGCM82633A004352", "BYD", "Han", "2024"]
    others = [await person("kk") for _ in range(5)]
    # The whole burst goes in at once, interleaved with other users' /start.
    for n, text in enumerate(answers):
        await client.send(user.user_id, text=text)
        if n < len(others):
            await client.send(others[n].user_id, text="/start")
    for other in others:
        assert "Сіз кімсіз?" in (await other._collect()).text
    for _ in range(50):
        draft = await bot.runtime.repos.applications.draft_of(user.user_id)
        if draft.year:
            break
        await asyncio.sleep(0.1)
    assert (draft.applicant_name, draft.id_number, draft.phone, draft.vin, draft.make,
            draft.model, draft.year) == ("Айгерим Нурланова", "870512300122", "+77011234567",
                                         "1HGCM82633A004352", "BYD", "Han", 2024)


async def test_a_double_tap_on_submit_files_one_application(person, bot, client):
    from tests.test_intake import fill_person
    user = await person("ru")
    await user.send("/apply")
    await fill_person(user)
    await user.press("К проверке")
    await user.press("Отправить заявку")  # documents are missing: it asks first
    message_id, data = user.find_button("Подать, документы позже")
    await asyncio.gather(client.press(user.user_id, message_id, data),
                         client.press(user.user_id, message_id, data))
    await user._collect()
    applications = await bot.runtime.repos.applications.of_user(user.user_id)
    assert len(applications) == 1


async def test_two_hundred_users_at_once(bot, client, caplog):
    people = [Person(client, language_code=("kk", "ru", "zh")[n % 3]) for n in range(200)]
    await client.add_users([{"id": p.user_id, "language_code": p.language_code}
                            for p in people])
    with caplog.at_level(logging.WARNING):
        await asyncio.gather(*(client.send(p.user_id, text="/start") for p in people))
        replies = await asyncio.gather(*(p._collect(timeout=20) for p in people))
    assert all(r.events for r in replies)
    assert "database is locked" not in caplog.text
    assert "error while handling" not in caplog.text
    assert await bot.runtime.repos.users.count() >= 200
