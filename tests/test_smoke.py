async def test_start_in_russian(person):
    user = await person("ru")
    replies = await user.send("/start")
    assert "Кто вы?" in replies.text
    replies = await user.press("Импортёр")
    assert "Главное меню" in replies.text
