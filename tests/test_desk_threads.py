"""Conversations between applicants and the centre, end to end through the emulator: the
private desk and the staff group's forum topics, canned replies in the applicant's
language, internal notes, assignment and "my cases", search, and two staff at once."""
from __future__ import annotations

import asyncio

import pytest

from emulator.client import Person
from tests.desk_helpers import applicant_with_application, staff_member

GROUP = -1009876543210


async def group_events(client, after: int = 0, expect: int = 1, timeout: float = 5.0
                       ) -> list[dict]:
    """What the bot did in the staff group after event `after`, waiting for `expect`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    found: list[dict] = []
    while loop.time() < deadline:
        found = (await client.events(GROUP, after=after, wait=0.3))["events"]
        if len(found) >= expect:
            await asyncio.sleep(0.2)
            return (await client.events(GROUP, after=after))["events"]
    raise AssertionError(f"expected {expect} events in the group, got {found}")


async def ask_from_card(applicant: Person, text: str) -> None:
    await applicant.send("/my")
    await applicant.press("EV-2026-000001")
    await applicant.press_data(applicant.find_button("✉️")[1])
    await applicant.send(text)


QUESTION = '我的文件已经上传了吗？<霍尔果斯 & "阿拉木图">'


async def test_private_desk_question_and_answer_both_in_history(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "zh")
    # Escaped once on the way to staff: they read the applicant's <, & and " as typed.
    staff = await staff_member(client)
    await ask_from_card(applicant, QUESTION)
    alert = await staff._collect()
    assert "EV-2026-000001" in alert.text and QUESTION in alert.text
    assert "中文" in alert.text  # the applicant's language, before staff write
    replies = await staff.press("Ответить")
    assert "中文" in replies.text
    replies = await staff.send("Да, всё получено")
    assert "Отправлено заявителю" in replies.text
    answer = await applicant._collect()
    assert "Да, всё получено" in answer.text and "EV-2026-000001" in answer.text
    assert "认证中心" in answer.text  # the header in the applicant's language
    thread = await bot.runtime.repos.threads.by_key(f"a:{case.id}")
    messages = await bot.runtime.repos.threads.messages(thread.id)
    assert [(m.kind, m.text) for m in messages] == [("in", QUESTION),
                                                    ("out", "Да, всё получено")]
    assert messages[1].author_id == staff.user_id
    assert thread.waiting_since is None
    card = await staff.send("/app EV-2026-000001")
    assert "中文" in card.text and "Переписка (2)" in " ".join(card.buttons())
    view = await staff.press("Переписка")
    assert QUESTION in view.text and "Да, всё получено" in view.text


async def test_general_question_from_the_main_menu_with_a_file(person, bot, client):
    applicant = await person("kk")
    await applicant.send("/start")
    await applicant.press("Импорттаушы")
    staff = await staff_member(client)
    await applicant.press("Орталыққа жазу")
    replies = await applicant.send_file("scan.pdf", b"%PDF-1.4 question", "application/pdf")
    assert "✅" in replies.text
    alert = await staff._collect(expect=1)
    assert alert.events[0]["kind"] == "document"
    await staff.press("Ответить")
    await staff.send_file("answer.pdf", b"%PDF-1.4 answer", "application/pdf")
    got = await applicant._collect()
    assert got.events[0]["kind"] == "document"


async def test_forum_topic_question_answer_and_commands(person, bot, client):
    await bot.stop()
    await bot.start(staff_group_id=GROUP)
    await client.add_group(GROUP, "Desk")
    applicant, case = await applicant_with_application(person, bot, "zh")
    staff = await staff_member(client)
    await ask_from_card(applicant, "什么时候检查？")
    events = await group_events(client, expect=2)
    created, posted = events[0], events[1]
    assert created["type"] == "topic" and created["text"].startswith("EV-2026-000001")
    topic = created["message_thread_id"]
    assert posted["message_thread_id"] == topic and "什么时候检查？" in posted["text"]
    last = posted["seq"]
    # Staff answer in the topic: it reaches the applicant; the topic confirms.
    await client.send(staff.user_id, text="Осмотр в пятницу", chat=GROUP,
                      message_thread_id=topic)
    answer = await applicant._collect()
    assert "Осмотр в пятницу" in answer.text
    confirm = await group_events(client, after=last)
    assert confirm[-1]["message_thread_id"] == topic and "Отправлено" in confirm[-1]["text"]
    last = confirm[-1]["seq"]
    # A note in the topic stays among staff.
    await client.send(staff.user_id, text="/note проверить VIN на месте", chat=GROUP,
                      message_thread_id=topic)
    note = await group_events(client, after=last)
    assert "Заметка сохранена" in note[-1]["text"]
    assert (await applicant._collect(expect=0)).events == []
    await client.send(staff.user_id, text="/take", chat=GROUP, message_thread_id=topic)
    await group_events(client, after=note[-1]["seq"])
    thread = await bot.runtime.repos.threads.by_key(f"a:{case.id}")
    assert thread.assignee_id == staff.user_id and thread.topic_id == topic
    kinds = [m.kind for m in await bot.runtime.repos.threads.messages(thread.id)]
    assert kinds == ["in", "out", "note", "assign"]
    # A reply from the private desk shows in the topic too.
    await staff.send("/app EV-2026-000001")
    await staff.press("Ответить")
    await staff.send("И документы возьмите")
    mirrored = await group_events(client, after=last)
    assert any("И документы возьмите" in e["text"] and e["message_thread_id"] == topic
               for e in mirrored)


async def test_a_deleted_topic_is_made_again(person, bot, client, emulator):
    await bot.stop()
    await bot.start(staff_group_id=GROUP)
    await client.add_group(GROUP, "Desk")
    applicant, case = await applicant_with_application(person, bot, "ru")
    await ask_from_card(applicant, "Первый вопрос")
    events = await group_events(client, expect=2)
    first = events[0]["message_thread_id"]
    del emulator.world.topics[GROUP][first]  # an admin deleted the topic
    await applicant.send("Второй вопрос")
    again = await group_events(client, after=events[-1]["seq"], expect=2)
    assert again[0]["type"] == "topic" and again[0]["message_thread_id"] != first
    assert "Второй вопрос" in again[1]["text"]


async def test_canned_reply_reaches_a_chinese_applicant_in_chinese(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "zh")
    staff = await staff_member(client)  # works in Russian
    await staff.send("/app EV-2026-000001")
    replies = await staff.press("Ответить")
    assert "Нужен перевод" in replies.buttons()
    preview = await staff.press("Нужен перевод")
    assert "经公证的哈萨克语或俄语译文" in preview.text
    await staff.press("Отправить")
    got = await applicant._collect()
    assert "经公证的哈萨克语或俄语译文" in got.text and "перевод" not in got.text


async def test_internal_notes_never_reach_the_applicant(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "ru")
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    await staff.press("Переписка")
    await staff.press("Заметка")
    replies = await staff.send("Заявитель звонил, просит ускорить")
    assert "Заметка сохранена" in replies.text and "Заявитель звонил" in replies.text
    assert (await applicant._collect(expect=0, timeout=1)).events == []
    outbox = await bot.runtime.repos.outbox.of_chat(applicant.user_id)
    assert not any("Заявитель звонил" in str(n["payload"]) for n in outbox)
    assert not [n for n in outbox if n["kind"] == "reply"]


async def test_assignment_take_assign_release_and_my_cases(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "ru")
    first = await staff_member(client, 900002)
    second = await staff_member(client, 900001)
    await first.send("/app EV-2026-000001")
    replies = await first.press("Взять себе")
    assert "Ответственный: Staff" in replies.text
    mine = await first.send("/mine")
    assert any("EV-2026-000001" in b for b in mine.buttons())
    assert not any("EV-2026-000001" in b for b in (await second.send("/mine")).buttons())
    await first.press("EV-2026-000001")
    await first.press("Передать")
    listed = await first.press_data(f"st:as:1:{second.user_id}:{first.user_id}")
    assert "передал(а) заявку" in listed.text
    assert any("EV-2026-000001" in b for b in (await second.send("/mine")).buttons())
    # The first member's stale "Release" (owner seen: themselves) is refused.
    stale = await first.press_data(f"st:as:1:0:{first.user_id}", forge=True, expect=0)
    assert stale.callback is not None
    assert "Кто-то уже сменил ответственного" in stale.callback["text"]
    await second.send("/app EV-2026-000001")
    await second.press("Освободить")
    thread = await bot.runtime.repos.threads.by_key(f"a:{case.id}")
    assert thread.assignee_id is None
    history = await bot.runtime.repos.threads.messages(thread.id)
    assert [(m.author_id, m.text) for m in history] == [
        (900002, "900002"), (900002, "900001"), (900001, "")]
    # Status changes name the staff member on the card.
    await second.send("/app EV-2026-000001")
    await second.press("Взять на рассмотрение")
    card = await second.send("/app EV-2026-000001")
    assert "рассмотрении · Staff" in card.text


@pytest.mark.parametrize("query", ["EV-2026-000001", "1HGCM82633A004352", "004352",
                                   "нурланова", "870512300122", "8 701 123 45 67"])
async def test_search_by_each_key(person, bot, client, query):
    await applicant_with_application(person, bot, "ru")
    staff = await staff_member(client)
    replies = await staff.send(f"/find {query}")
    assert any("EV-2026-000001" in b for b in replies.buttons()), replies.text
    card = await staff.press("EV-2026-000001")
    assert "Заявка EV-2026-000001" in card.text


async def test_search_finds_nothing_politely(person, bot, client):
    await applicant_with_application(person, bot, "ru")
    staff = await staff_member(client)
    assert "Ничего не найдено" in (await staff.send("/find ZZZ999")).text


async def test_two_staff_answering_at_once_both_arrive_in_order(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "ru")
    first = await staff_member(client, 900002)
    second = await staff_member(client, 900001)
    await ask_from_card(applicant, "Вопрос")
    await first._collect()
    await second._collect()
    for member in (first, second):
        await member.send("/app EV-2026-000001")
        await member.press("Ответить")
    await asyncio.gather(client.send(first.user_id, text="Ответ первого"),
                         client.send(second.user_id, text="Ответ второго"))
    got = await applicant._collect(expect=2)
    texts = [t for t in got.texts if "Ответ" in t]
    assert len(texts) == 2
    thread = await bot.runtime.repos.threads.by_key(f"a:{case.id}")
    stored = [m.text for m in await bot.runtime.repos.threads.messages(thread.id)
              if m.kind == "out"]
    assert sorted(stored) == ["Ответ второго", "Ответ первого"]
    assert [t.split("\n\n")[-1] for t in texts] == stored  # delivered in the stored order


@pytest.mark.parametrize("data", ["st:th:1", "st:r:1", "st:n:1", "st:cn:1:timing",
                                  "st:cs:1:timing", "st:as:1:1:0", "st:al:1", "st:my",
                                  "st:u:0"])
async def test_forged_conversation_callbacks_are_refused(person, bot, data):
    applicant, case = await applicant_with_application(person, bot, "ru")
    replies = await applicant.press_data(data, forge=True, expect=0)
    assert replies.callback is not None
    assert replies.callback["text"] == "Эта команда только для сотрудников центра сертификации."


@pytest.mark.parametrize("command", ["/mine", "/find EV-2026-000001"])
async def test_non_staff_cannot_use_desk_commands(person, bot, command):
    applicant, _ = await applicant_with_application(person, bot, "ru")
    replies = await applicant.send(command)
    assert "только для сотрудников" in replies.text and "EV-2026" not in replies.text


async def test_non_staff_in_the_staff_group_reach_nobody(person, bot, client):
    await bot.stop()
    await bot.start(staff_group_id=GROUP)
    await client.add_group(GROUP, "Desk")
    applicant, case = await applicant_with_application(person, bot, "ru")
    await ask_from_card(applicant, "Вопрос")
    events = await group_events(client, expect=2)
    stranger = await Person(client, language_code="ru").join()
    await client.send(stranger.user_id, text="я не сотрудник", chat=GROUP,
                      message_thread_id=events[0]["message_thread_id"])
    await group_events(client, after=events[-1]["seq"])
    assert (await applicant._collect(expect=0, timeout=1)).events == []


async def test_a_voice_message_with_a_caption_is_refused_not_sent_bare(person, bot, client):
    """Only text, photos and documents reach the centre: a voice message would arrive as
    its caption alone, so it is refused and nothing is recorded."""
    applicant, case = await applicant_with_application(person, bot, "ru")
    await ask_from_card(applicant, "Первый вопрос")
    replies = await applicant.send_content(voice=True, caption="послушайте")
    assert "отправьте текст, фото или документ" in replies.text
    thread = await bot.runtime.repos.threads.by_key(f"a:{case.id}")
    texts = [m.text for m in await bot.runtime.repos.threads.messages(thread.id)]
    assert "послушайте" not in texts
