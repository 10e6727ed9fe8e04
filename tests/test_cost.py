"""The cost estimate end to end through the emulator, in Chinese first, then Kazakh and
Russian: /cost, a typed cost question, the National Bank's rates (fetched, stale, missing),
comparing ways, history, sharing, attaching, /reload of money.toml.

Expected figures are computed here from DOMAIN.md's formulas (see tests/test_money.py).
"""
from __future__ import annotations

import asyncio
import shutil
from decimal import ROUND_HALF_UP, Decimal

import pytest

from domain.content import CONTENT_DIR
from domain.content_files import load
from emulator.client import EmulatorClient, Person
from tests.conftest import BotHarness
from tests.desk_helpers import applicant_with_application, staff_member

CONTENT = load()
MRP = Decimal(4325)
CNY = Decimal("70.85")   # the emulated feed's sample
USD = Decimal("505.12")


def whole(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def zh(amount: Decimal) -> str:
    return f"{int(amount):,} 坚戈"


def ru(amount: Decimal) -> str:
    return f"{int(amount):,} ₸".replace(",", "\u00a0")


async def rates_ready(bot, currency="CNY"):
    for _ in range(100):
        if await bot.runtime.repos.rates.latest(currency):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the exchange rates were not fetched")


async def newcomer(person, lang):
    """A user who has started the bot as an importer; `person` is the fixture, or (for a
    test that starts its own bot) the emulator's client."""
    user = await (Person(person, language_code=lang).join() if isinstance(person, EmulatorClient)
                  else person(lang))
    await user.send("/start")
    await user.press("🚗")   # an importer
    return user


async def estimate(user, price: str, labels: tuple[str, ...]):
    """/cost, the price typed, then the buttons pressed in order; the last replies."""
    await user.send("/cost")
    replies = await user.send(price)
    for label in labels:
        replies = await user.press(label)
    return replies


BEV_FROM_CHINA_RU = ("Электромобиль", "M1", "Физическое", "Из-за пределов", "ВТО")


async def test_chinese_importer_estimates_a_bev_from_china_and_compares_the_ways(person, bot,
                                                                                 client):
    await client.nbk(day="26.11.2026")
    await rates_ready(bot)
    user = await newcomer(person, "zh")
    replies = await user.send("/cost")
    assert "进口费用估算" in replies.text and "车辆价格是多少" in replies.text
    replies = await user.send("17万元")        # the currency comes with the price
    assert "170,000 CNY" in replies.text and "生产年份" in replies.text
    await user.press("2026")
    await user.press("纯电动汽车")
    await user.press("M1：乘用车")
    await user.press("个人，自用")
    replies = await user.press("来自欧亚经济联盟以外")
    assert "将如何清关" in replies.text
    assert "3 · 旅客海关申报（仅限个人）" in replies.buttons()
    replies = await user.press("按世贸组织税率")

    value = whole(170_000 * CNY)                       # 12,044,500
    fee, vat = 6 * MRP, whole(value * Decimal("0.16"))
    registration = whole(Decimal("0.25") * MRP)
    text = replies.text
    assert "费用估算" in text
    assert f"价格：170,000 CNY × 70.85 坚戈 = {zh(value)}" in text
    assert "哈萨克斯坦国家银行 2026年11月26日 汇率" in text
    assert f"海关手续费：{zh(fee)}" in text and "6 × 月核算基数 4,325 坚戈（2026 年）" in text
    assert "关税：0 坚戈" in text
    assert "消费税：0 坚戈" in text and "无需缴纳" in text
    assert f"增值税：{zh(vat)}" in text
    assert "回收利用费（俗称报废税）：0 坚戈" in text
    assert f"首次登记费：{zh(registration)} ⚠️ 待确认" in text
    assert "合格证明文件（车辆结构安全证书 SBKTS / СБКТС 或车辆型式批准 OTTS / ОТТС）：—" in text
    assert "请咨询中心" in text
    assert f"合计：{zh(fee + vat + registration)}" in text
    assert "这只是估算，不是海关的决定" in text and "报关代理" in text
    assert "国家收入委员会专家介绍 2026 年电动车清关的三种方式" in text  # sources in Chinese
    assert '<a href="https://www.zakon.kz/' in "".join(e["html"] for e in replies.events)
    assert "不得自由出口" in text                         # the WTO way's limits
    assert "个人每年只能办理一份电子车辆护照" in text

    replies = await user.press("比较：按欧亚经济联盟统一关税")
    duty = whole(value * Decimal("0.15"))
    vat = whole((value + duty) * Decimal("0.16"))
    assert f"关税：{zh(duty)}" in replies.text and f"增值税：{zh(vat)}" in replies.text
    assert f"合计：{zh(fee + duty + vat + registration)}" in replies.text

    replies = await user.press("我的估算")
    assert "我的估算" in replies.text and replies.text.count("170,000 CNY") == 2


async def test_a_typed_cost_question_in_russian_for_a_car_moved_from_russia(person, bot):
    await rates_ready(bot, "USD")
    user = await newcomer(person, "ru")
    replies = await user.send("Сколько стоит растаможка?")
    assert "Давайте посчитаем" in replies.text and "Сколько стоит автомобиль" in replies.text
    replies = await user.send("25 500")
    assert "в какой валюте" in replies.text
    await user.press("USD")
    await user.press("2025")
    await user.press("Электромобиль (BEV)")
    await user.press("M1")
    await user.press("Физическое лицо")
    replies = await user.press("Уже зарегистрирован в другой стране ЕАЭС")
    text = replies.text
    value = whole(25_500 * USD)
    assert f"= {ru(value)}" in text
    assert "Таможенный сбор" not in text and "Таможенная пошлина" not in text
    assert "НДС: 0" in text and "не уплачивается на таможне" in text
    assert "требует уточнения" in text
    assert "нельзя передавать резидентам Казахстана" in text
    assert "удвоить утильсбор" in text
    assert "Оформление СБКТС/ОТТС: 0" in text and "не ожидается" in text
    assert f"Итого: {ru(whole(Decimal('0.25') * MRP))}" in text


async def test_kazakh_estimate_with_back_and_a_hybrid(person, bot):
    await rates_ready(bot)
    user = await newcomer(person, "kk")
    await user.send("/cost")
    await user.send("2 000 000 тг")
    replies = await user.press("2024")
    assert "Қозғалтқыш түрі?" in replies.text
    replies = await user.press("Артқа")
    assert "Шығарылған жылы" in replies.text and "✓ 2024" in replies.buttons()
    await user.press("2023")
    await user.press("PHEV")
    await user.press("N1")
    await user.press("Компания")
    replies = await user.press("ЕАЭО-дан тыс")
    # A company has no passenger declaration.
    assert not any("Жолаушы" in label for label in replies.buttons())
    replies = await user.press("ЕАЭО бірыңғай тарифі")
    text = replies.text
    assert "Утилизациялық алым: —" in text and "гибридтер қозғалтқыш көлеміне" in text
    assert "Акциз" not in text                      # N1 is not a passenger car
    duty = whole(Decimal(2_000_000) * Decimal("0.15"))
    assert f"Кедендік баж: {ru(duty)}" in text
    assert "Белгілі төлемдердің жиыны" in text     # the recycling fee is not known
    assert "Компания 3 жасқа дейінгі көлікті" in text


async def test_typed_nonsense_gets_a_clear_answer_in_the_users_language(person, bot):
    user = await newcomer(person, "zh")
    await user.send("/cost")
    replies = await user.send("很贵")
    assert "请用阿拉伯数字输入价格" in replies.text and "车辆价格是多少" in replies.text
    replies = await user.send_content(sticker={"emoji": "🚗"})
    assert "请用阿拉伯数字输入价格" in replies.text
    await user.send("100000")
    replies = await user.send("你好")
    assert "请用按钮选择" in replies.text and "是哪种货币" in replies.text
    replies = await user.send("人民币")            # a currency typed is still a currency
    assert "生产年份" in replies.text


async def test_an_estimate_in_progress_survives_a_restart(person, bot):
    user = await newcomer(person, "ru")
    await user.send("/cost")
    await user.send("170000 CNY")
    await user.press("2025")
    await bot.restart()
    replies = await user.send("/cost")
    assert "Тип силовой установки?" in replies.text
    assert "170\u00a0000 CNY · 2025 года выпуска" in replies.text


async def test_no_stored_rate_the_user_types_one(settings, clock, client):
    await client.nbk(mode="down")
    harness = BotHarness(settings, clock)
    await harness.start()
    try:
        user = await newcomer(client, "zh")
        replies = await estimate(user, "10000 EUR",
                                 ("2026", "纯电动汽车", "M1", "个人", "来自欧亚经济联盟以外", "统一关税"))
        assert "暂时没有哈萨克斯坦国家银行的 EUR 汇率" in replies.text
        replies = await user.send("abc")
        assert "请以坚戈数值输入汇率" in replies.text
        replies = await user.send("600,5")
        assert "按您输入的汇率" in replies.text
        assert f"= {zh(whole(10_000 * Decimal('600.5')))}" in replies.text
    finally:
        await harness.stop()


async def test_a_failed_fetch_uses_the_last_stored_rate_with_its_date(settings, clock, client):
    await client.nbk(day="26.11.2026")
    harness = BotHarness(settings, clock)
    await harness.start()
    await rates_ready(harness)
    await harness.stop()
    for mode in ("garbled", "empty"):
        await client.nbk(mode=mode)
        clock.advance(days=5)
        await harness.start()
        try:
            await asyncio.sleep(1.5)   # the fetch at start fails
            user = await newcomer(client, "ru")
            replies = await estimate(user, "100 000 ¥",
                                     (str(clock.now().year), *BEV_FROM_CHINA_RU))
            assert "курс Национального банка Казахстана на 26 ноября 2026" in replies.text
            assert "более свежий курс получить не удалось" in replies.text
        finally:
            await harness.stop()


async def test_a_shared_estimate_opens_for_someone_else_who_can_make_their_own(person, bot):
    await rates_ready(bot)
    owner = await newcomer(person, "ru")
    replies = await estimate(owner, "170000 CNY", ("2026", *BEV_FROM_CHINA_RU))
    share = next(b for row in replies.last["reply_markup"]["inline_keyboard"] for b in row
                 if "url" in b)
    assert share["url"].startswith("https://t.me/share/url?url=")
    token = (await bot.runtime.repos.estimates.of_user(owner.user_id))[0].token
    assert token in share["url"].replace("%5F", "_")

    friend = await person("zh")
    await friend.send(f"/start cost_{token}")
    replies = await friend.press("🚗")
    assert "他人分享的估算" in replies.text and "170,000 CNY" in replies.text
    assert owner.first_name not in replies.text           # no personal data in a shared one
    replies = await friend.press("用这些答案做我自己的估算")
    assert "车辆价格是多少" in replies.text         # their own price first, the rest as shared
    assert "↩️ 保留：170,000 CNY" in replies.buttons()
    replies = await friend.send("20万元")
    assert "费用估算" in replies.text and "200,000 CNY" in replies.text
    assert len(await bot.runtime.repos.estimates.of_user(friend.user_id)) == 1

    # Someone else's estimate is not reachable by forging its button.
    theirs = (await bot.runtime.repos.estimates.of_user(owner.user_id))[0]
    replies = await friend.press_data(f"cost:v:{theirs.id}", forge=True, expect=0)
    assert replies.callback["text"] == "此估算已不可用。"
    replies = await friend.press_data(f"cost:t:{theirs.id}:1", forge=True, expect=0)
    assert replies.callback["text"] == "此估算已不可用。"


async def test_an_estimate_is_attached_to_the_users_own_application(person, bot, client):
    await rates_ready(bot)
    user, case = await applicant_with_application(person, bot, lang="ru")
    await estimate(user, "170000 CNY", ("2024", *BEV_FROM_CHINA_RU))
    replies = await user.press("Приложить к заявке")
    assert "К какой заявке" in replies.text
    replies = await user.press(case.number)
    assert "приложен к вашей заявке" in replies.text
    attached = await bot.runtime.repos.estimates.of_application(case.id)
    assert len(attached) == 1 and attached[0].user_id == user.user_id


async def test_my_data_and_erasure_include_estimates(person, bot):
    await rates_ready(bot)
    user = await newcomer(person, "ru")
    await estimate(user, "170000 CNY", ("2026", *BEV_FROM_CHINA_RU))
    repos = bot.runtime.repos
    assert await repos.estimates.of_user(user.user_id)
    await repos.applications.erase_user(user.user_id, bot.clock.timestamp())
    assert await repos.estimates.of_user(user.user_id) == []


async def test_reload_refuses_a_broken_money_file_and_keeps_the_old_rates(settings, clock,
                                                                         client, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    harness = BotHarness(settings, clock)
    await harness.start(content_dir=str(content))
    try:
        staff = await staff_member(client)
        path = content / "money.toml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            '[vat]\nvalue = "16"', '[vat]\nvalue = "шестнадцать"'), encoding="utf-8")
        replies = await staff.send("/reload")
        assert "money.toml: key 'vat.value'" in replies.text
        assert "не число" in replies.text or "is not a number" in replies.text
        services = harness.runtime.services if harness.runtime else None
        assert services is not None and services.library.money.vat.value == 16
        user = await newcomer(client, "ru")
        replies = await user.send("/reload")
        assert "для сотрудников" in replies.text
    finally:
        await harness.stop()


@pytest.mark.parametrize(("way", "expected"), [
    ("按世贸组织税率", "关税：0 坚戈"), ("统一关税", "关税：1,806,675 坚戈"),
    ("旅客海关申报", "已知费用合计：1,081 坚戈")])
async def test_every_way_button_works_for_an_individual(person, bot, client, way, expected):
    await client.nbk(day="26.11.2026")
    await rates_ready(bot)
    user = await newcomer(person, "zh")
    replies = await estimate(user, "17万元", ("2026", "纯电动汽车", "M1：乘用车", "个人，自用",
                                             "来自欧亚经济联盟以外", way))
    assert expected in replies.text


async def test_change_answers_offers_each_previous_one(person, bot):
    await rates_ready(bot)
    user = await newcomer(person, "ru")
    await user.send("/cost")
    await user.send("170000 CNY")
    await user.send("2020")                      # an older year is typed
    for label in BEV_FROM_CHINA_RU:
        await user.press(label)
    replies = await user.press("Изменить ответы")
    assert "↩️ Оставить: 170\u00a0000 CNY" in replies.buttons()
    await user.press("Оставить")
    replies_year = user.last_message
    assert any(b["text"] == "↩️ Оставить: 2020" for row in
               replies_year["reply_markup"]["inline_keyboard"] for b in row)
    await user.press("Оставить")
    replies = await user.press("✓ Электромобиль (BEV)")
    assert "✓ M1: легковой автомобиль" in replies.buttons()
    for label in ("✓ M1", "Компания", "✓ Из-за пределов", "✓ 1 · По ставкам ВТО"):
        replies = await user.press(label)
    assert "Расчёт платежей" in replies.text and "Компания" in replies.text


async def test_a_big_truck_for_an_individual_and_an_odd_price_are_flagged(person, bot):
    user = await newcomer(person, "zh")
    replies = await estimate(user, "30亿坚戈", ("2026", "纯电动汽车", "N2/N3", "个人，自用",
                                               "来自欧亚经济联盟以外", "统一关税"))
    assert "个人不能以单车方式进口座位超过 12 个的客车" in replies.text
    assert "请核对价格" in replies.text


@pytest.mark.parametrize("lang, text", [("zh", "关税多少钱？"), ("kk", "Кедендік баж қанша?")])
async def test_typed_cost_questions_open_the_estimate(person, bot, lang, text):
    user = await newcomer(person, lang)
    replies = await user.send(text)
    assert "💰" in replies.text and ("170000 CNY" in replies.text)


async def through_the_guide(user, lang: str, answers: tuple[tuple[str, str], ...]):
    """The guide's questions answered by pressing their labels, then its money section and
    the estimate button there."""
    await user.press("📘")
    for question, value in answers:
        await user.press(CONTENT.questions[question].label(value)[lang])
    await user.press("💰 " + {"kk": "Төлемдер", "ru": "Деньги", "zh": "费用"}[lang])
    return await user.press({"kk": "Төлемдерімді есептеу", "ru": "Рассчитать мои платежи",
                             "zh": "估算我的费用"}[lang])


async def test_from_the_guides_money_section_in_chinese(person, bot, client):
    await client.nbk(day="26.11.2026")
    await rates_ready(bot)
    user = await newcomer(person, "zh")
    replies = await through_the_guide(user, "zh", (
        ("who", "person"), ("category", "m1"), ("count", "one"), ("powertrain", "bev"),
        ("origin", "china")))
    # Who, category, powertrain and origin come from the guide: the price is asked first.
    assert "车辆价格是多少" in replies.text
    assert "纯电动汽车（BEV） · M1：乘用车 · 👤 个人，自用 · 来自欧亚经济联盟以外" in replies.text
    await user.send("17万元")
    replies = await user.press("2026")
    assert "将如何清关" in replies.text               # the only question the guide left open
    replies = await user.press("按世贸组织税率")
    assert "费用估算" in replies.text and "增值税：1,927,120 坚戈" in replies.text


async def test_from_the_guides_money_section_in_russian_for_an_official_importer(person, bot):
    await rates_ready(bot, "USD")
    user = await newcomer(person, "ru")
    replies = await through_the_guide(user, "ru", (
        ("who", "official"), ("category", "bus"), ("powertrain", "bev"), ("age", "new"),
        ("origin", "china")))
    assert "🏢 Компания или ИП" in replies.text and "M2/M3" in replies.text
    await user.send("150000 USD")
    await user.press("2026")
    replies = await user.press("Единый тариф ЕАЭС")
    assert "Пассажирская" not in " ".join(replies.buttons())
    value = whole(150_000 * USD)
    assert f"Таможенная пошлина: {ru(whole(value * Decimal('0.15')))}" in replies.text
    assert "Акциз" not in replies.text                 # a bus is not a passenger car


async def test_from_the_guides_money_section_in_kazakh_for_a_car_registered_in_the_eaeu(
        person, bot):
    await rates_ready(bot, "RUB")
    user = await newcomer(person, "kk")
    replies = await through_the_guide(user, "kk", (
        ("who", "person"), ("category", "m1"), ("count", "one"), ("powertrain", "bev"),
        ("origin", "eaeu"), ("steering", "left"), ("registered", "yes")))
    assert "басқа ЕАЭО елінен әкелінген" in replies.text
    await user.send("3 млн руб")
    replies = await user.press("2025")
    # Moved inside the union: no clearance way to ask, the result at once.
    assert "Төлемдер есебі" in replies.text and "Кедендік баж" not in replies.text
    assert "күтілмейді" in replies.text
