"""First contact, language, menu and odd input, end to end through the emulator."""
from __future__ import annotations

import asyncio

import pytest

ROLE_QUESTION = {"kk": "Сіз кімсіз?", "ru": "Кто вы?", "zh": "您的身份是？"}
MENU = {"kk": "Басты мәзір", "ru": "Главное меню", "zh": "主菜单"}


@pytest.mark.parametrize("code,lang", [("kk", "kk"), ("ru", "ru"), ("zh-hans", "zh"),
                                       ("zh-CN", "zh")])
async def test_first_contact_speaks_telegram_language(person, code, lang):
    user = await person(code)
    replies = await user.send("/start")
    assert ROLE_QUESTION[lang] in replies.text
    replies = await user.press("🔧")
    assert MENU[lang] in replies.text
    assert len(user.last_message["reply_markup"]["inline_keyboard"]) == 5  # 9 buttons, 2 a row


async def test_unknown_language_gets_the_picker_then_its_choice(person):
    user = await person("en")
    replies = await user.send("/start")
    assert "Тілді таңдаңыз" in replies.text and "Выберите язык" in replies.text \
        and "请选择语言" in replies.text
    assert replies.buttons() == ["Қазақша", "Русский", "中文"]
    replies = await user.press("中文")
    assert ROLE_QUESTION["zh"] in replies.text


async def test_text_before_choosing_a_language_gets_the_picker(person):
    user = await person(None)
    replies = await user.send("hello")
    assert replies.buttons() == ["Қазақша", "Русский", "中文"]


async def test_language_switch_persists_across_restart(person, bot, client):
    user = await person("ru")
    await user.send("/start")
    await user.press("Импортёр")
    await user.send("/language")
    replies = await user.press("Қазақша")
    assert MENU["kk"] in replies.text
    commands = await client.commands()
    chat_scope = commands[f"chat:{user.user_id}|"]
    assert chat_scope[0]["command"] == "start" and chat_scope[0]["description"] == "Басты мәзір"
    await bot.restart()
    replies = await user.send("/start")
    assert MENU["kk"] in replies.text  # role and language both remembered


async def test_commands_published_for_each_language(bot, client):
    commands = await client.commands()
    assert commands["default|kk"][0]["description"] == "Басты мәзір"
    assert commands["default|ru"][0]["description"] == "Главное меню"
    assert commands["default|zh"][0]["description"] == "主菜单"
    assert commands["default|"] == commands["default|ru"]  # the default language for others
    names = [c["command"] for c in commands["default|zh"]]
    assert names == ["start", "guide", "cost", "req", "apply", "my", "language", "help",
                     "cancel"]


@pytest.mark.parametrize("content", [
    {"sticker": "🚗"}, {"voice": True}, {"location": {"latitude": 49.9, "longitude": 82.6}},
    {"contact": {"phone_number": "+77011234567", "first_name": "A"}}])
async def test_unsupported_content_gets_a_hint_in_the_user_language(person, content):
    user = await person("kk")
    await user.send("/start")
    replies = await user.send_content(**content)
    assert "мұндай хабарламаны қабылдай алмаймын" in replies.text
    assert MENU["kk"] in replies.text


async def test_unknown_text_and_command(person):
    user = await person("zh")
    await user.send("/start")
    assert "没有理解" in (await user.send("你好")).text
    assert "未知命令 /foo" in (await user.send("/foo")).text


async def test_forged_callback_gets_a_polite_refusal(person):
    user = await person("ru")
    await user.send("/start")
    replies = await user.press_data("admin:approve:1", forge=True, expect=0)
    assert replies.callback["show_alert"] is True
    assert "больше не действует" in replies.callback["text"]
    replies = await user.press_data("role:admin", forge=True, expect=0)
    assert "больше не действует" in replies.callback["text"]
    replies = await user.press_data("lang:xx", forge=True)
    assert replies.buttons() == ["Қазақша", "Русский", "中文"]


async def test_group_message_points_to_private_chat(client, bot):
    await client.add_users([{"id": 4242, "first_name": "G", "language_code": "ru"}])
    group = {"id": -100500, "type": "group", "title": "Importers"}
    sent = await client.send(4242, text="/start", chat=group)
    found = await client.events(chat_id=-100500, wait=5)
    assert "личном чате" in found["events"][0]["text"]
    assert sent["update_id"]
    # Editing that command is not a second command: no second pointer to the private chat.
    await client.edit(4242, sent["message_id"], "/start@bot", chat_id=-100500)
    await client.send(4242, text="/help", chat=group)  # handled after the edit (one chat)
    after = found["events"][0]["seq"]
    found = await client.events(chat_id=-100500, after=after, wait=5)
    await asyncio.sleep(0.3)  # time for a stray second answer to show up
    found = await client.events(chat_id=-100500, after=after)
    assert len(found["events"]) == 1  # the answer to /help only


async def test_help_and_back_to_menu(person):
    user = await person("ru")
    await user.send("/start")
    await user.press("Импортёр")
    replies = await user.press("Помощь")
    assert "/guide" in replies.text and "требует подтверждения" in replies.text
    replies = await user.press("Главное меню")
    assert MENU["ru"] in replies.text


async def test_cancel_without_and_with_a_flow(person, bot):
    user = await person("ru")
    await user.send("/start")
    assert "Отменять нечего" in (await user.send("/cancel")).text


async def test_deep_link_payload_survives_language_question(person, bot):
    user = await person("en")
    await user.send("/start somepayload_1")
    replies = await user.press("Русский")
    assert ROLE_QUESTION["ru"] in replies.text
    conv = await bot.runtime.repos.conversations.get(user.user_id)
    assert conv.data == {"payload": "somepayload_1"}


async def test_a_403_marks_the_user_blocked(person, bot, client):
    user = await person("ru")
    await user.send("/start")
    await client.block(user.user_id, notify=False)  # the bot never heard of the block
    # The user blocked the bot but presses an old button: our reply gets 403.
    await user.press("Импортёр", expect=0)
    stored = await bot.runtime.repos.users.get(user.user_id)
    assert stored.blocked is True
    await client.block(user.user_id, blocked=False, notify=False)
    await user.send("/start")  # writing again means unblocked
    assert (await bot.runtime.repos.users.get(user.user_id)).blocked is False


async def test_telegram_telling_of_a_block_marks_the_user_at_once(person, bot, client):
    """my_chat_member "kicked": blocked without a send wasted on a 403, and no reply (it
    would get one); "member" again: unblocked."""
    user = await person("ru")
    await user.send("/start")
    users = bot.runtime.repos.users

    async def blocked_soon(expected: bool) -> None:
        for _ in range(50):
            if (await users.get(user.user_id)).blocked is expected:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"blocked is not {expected}")

    stats = await client.stats()
    await client.block(user.user_id)
    await blocked_soon(True)
    await asyncio.sleep(0.2)
    assert (await client.stats()).get("error:403", 0) == stats.get("error:403", 0)  # none sent
    await client.block(user.user_id, blocked=False)
    await blocked_soon(False)
