"""Forum topics in the emulator, as Telegram has them: createForumTopic in a forum
supergroup, messages into and out of a topic by message_thread_id, and Telegram's refusals."""
from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest

GROUP = -1001234567890


@pytest.fixture
async def tg(emulator):
    bot = Bot(emulator.world.token, base_url=f"{emulator.url}/bot",
              base_file_url=f"{emulator.url}/file/bot")
    async with bot:
        yield bot


async def test_topic_created_and_written_to_both_ways(tg, client):
    await client.add_group(GROUP, "Desk")
    topic = await tg.create_forum_topic(GROUP, "EV-2026-000001 · BYD Han")
    assert topic.name == "EV-2026-000001 · BYD Han" and topic.message_thread_id > 0
    sent = await tg.send_message(GROUP, "hello", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    await client.add_users([{"id": 700, "first_name": "Staff"}])
    result = await client.send(700, text="answer", chat=GROUP,
                               message_thread_id=topic.message_thread_id)
    message = result["message"]
    assert message["message_thread_id"] == topic.message_thread_id
    assert message["is_topic_message"] is True and message["chat"]["is_forum"] is True
    events = (await client.events(GROUP))["events"]
    assert [e["type"] for e in events] == ["topic", "send"]
    assert events[1]["message_thread_id"] == topic.message_thread_id


async def test_topic_refusals(tg, client):
    await client.add_group(GROUP, "Plain", is_forum=False)
    with pytest.raises(BadRequest, match="[Tt]he chat is not a forum"):
        await tg.create_forum_topic(GROUP, "x")
    await client.add_group(GROUP - 1, "No rights", manage_topics=False)
    with pytest.raises(BadRequest, match="[Nn]ot enough rights to create a topic"):
        await tg.create_forum_topic(GROUP - 1, "x")
    await client.add_group(GROUP - 2, "Forum")
    with pytest.raises(BadRequest, match="[Cc]hat not found"):
        await tg.create_forum_topic(GROUP - 3, "x")
    with pytest.raises(BadRequest, match="(?i)topic_name"):
        await tg.create_forum_topic(GROUP - 2, "x" * 129)
    with pytest.raises(BadRequest, match="[Mm]essage thread not found"):
        await tg.send_message(GROUP - 2, "to nowhere", message_thread_id=999)
    topic = await tg.create_forum_topic(GROUP - 2, "gone soon")
    await tg.close_forum_topic(GROUP - 2, topic.message_thread_id)
    await tg.delete_forum_topic(GROUP - 2, topic.message_thread_id)
    with pytest.raises(BadRequest, match="[Mm]essage thread not found"):
        await tg.send_message(GROUP - 2, "late", message_thread_id=topic.message_thread_id)
