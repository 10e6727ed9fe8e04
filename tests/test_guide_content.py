"""The guide content: every path reaches an outcome in every language, its first screen fits
a phone and every section fits one message; sources carry their addresses or their number
and date; Chinese spells out Russian acronyms; broken files are refused with file, node and
field named."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from domain import guide
from domain.applications import prefill_from_guide
from domain.content import CONTENT_DIR, LANGUAGES, ContentError, decided
from domain.content_files import load
from emulator.telegram_html import parse, utf16_len
from handlers.guide import render as guide_render
from i18n import LOCALES_DIR, Catalogues
from services.content_texts import first_use

CONTENT = load()
CATALOGUES = Catalogues(ZoneInfo("Asia/Almaty"))
WALKS = guide.all_walks(CONTENT)
CYRILLIC = re.compile(r"[\u0400-\u04FF]+")
# DOMAIN.md, "Sources with public addresses" (December 2026): each must be in sources.toml.
DOMAIN_ADDRESSES = [
    "https://24.kz/amp/ru/news/economyc/727400-tsentr-sertifikatsii-elektromobilej-poyavitsya-"
    "v-kazakhstane",
    "http://new.ogost.ru/trts/trts018/",
    "http://propdd.net/npa/tehnicheskij-reglament/tehnicheskij-reglament-tamozhennogo-soyuza-"
    "tr-ts-0182011-o-bezopasnosti-kolsnyh-transportnyh-sredstv/5-ocenka-sootvetstviya-pp-23-98/"
    "3-proverka-vypolneniya-trebovanij-k-transportnym-sredstvam-nahodyawimsya-v-ekspluatacii-"
    "pp-72-74/",
    "https://baq.kz/zhana-erezhe-20-qazannan-bastap-kolik-akelu-tartibi-ozgeredi-200022704/",
    "https://www.lada.kz/world-news/147368-serym-dileram-zakryvaiut-dveri-novye-avto-v-eaes-"
    "tolko-cherez-ofitsialnykh-predstavitelei.html",
    "https://24.kg/vlast/356632_kabmin_utverdil_pravila_otsenki_avtomobiley_vvozimyih_"
    "iztretih_stran/",
    "https://www.zakon.kz/pravo/6494832-pravila-vedeniya-elektronnykh-pasportov-transportnykh-"
    "sredstv-utverdili-v-kazakhstane.html",
    "https://pvl.kgd.gov.kz/ru/news/pravila-vvoza-elektromobiley-v-kazahstan-v-2025-godu-15-"
    "159624",
    "https://www.zakon.kz/obshestvo/6508960-chto-nuzhno-uchityvat-pri-vvoze-elektromobilya-v-"
    "kazakhstan.html",
    "https://trans.ru/news/v-belarusi-kirgizstane-i-armenii-prodlili-tamozhennie-lgoti-na-vvoz-"
    "elektromobilei",
    "https://www.lada.kz/kazakhstan-news/144200-kazakhstantsam-obiasnili-za-kakie-avtomobili-"
    "pridiotsia-platit-bolshe.html",
    "https://alau.kz/rasschjot-sdelan-razmery-sbora-za-pervichnuju-registraciju-avto-v-2026-"
    "godu/",
    "https://www.lada.kz/kazakhstan-news/146822-tokaev-podpisal-triokhletnii-biudzhet-chto-"
    "izmenitsia-dlia-kazakhstantsev.html",
    "https://www.nefterynok.info/novosti/v-kazahstane-elektromobili-osvobodili-ot-utilsbora",
    "https://el.kz/ru/amp/knopki-sos-stali-obyazatelnymi-dlya-kazahstanskih-voditeley_106394",
    "https://tengrinews.kz/kazakhstan_news/trebovaniya-ustanovke-knopki-SOS-kazahstanskih-"
    "avto-snyali-4-511631",
    "https://baigenews.kz/amp/news/v-kazahstane-ostalos-19-000-pravorulnyh-mashin_139193/",
    "http://mezinarodni-predpisy.tuv-sud.cz/cs/predpisy/ehk-osn-integrovane-ceske-preklady/"
    "ehk-136.html",
    "https://www.interregs.com/articles/spotlight/313/updates-to-un-ece-regulation-on-quiet-"
    "road-transport-vehicles-published",
    "https://learnhazmat.com/iata/iata-lithium-battery-addendum-effective-april-1-2016/",
    "https://www.kommersant.ru/doc/8336368",
    "https://adilet.zan.kz/kaz/docs/H23EK000046/compare/rus",
]


def result_of(walk: guide.Walk) -> guide.Result:
    """guide.result for a walk that must end in an outcome."""
    result = guide.result(CONTENT, walk)
    assert result is not None, f"no outcome after {walk.path}"
    return result


def run(*values: str) -> guide.Walk:
    """The walk these answers make (it may stop at a question)."""
    walk = guide.decode(CONTENT, "-".join(values))
    assert walk is not None, values
    return walk


def visible(message: str) -> int:
    text, _ = parse(message)  # valid Telegram HTML…
    assert "None" not in text and "{" not in text
    return utf16_len(text)   # …measured as Telegram does, after parsing


def test_every_path_ends_in_an_outcome():
    assert len(WALKS) > 500
    outcomes = {result_of(w).outcome.id for w in WALKS}
    assert outcomes == set(CONTENT.outcomes)


def test_every_way_is_decided_by_questions_already_answered():
    """A condition never looks at a question the walk has not asked yet (it would be
    silently false): every edge tried on every path is decided by the answers given."""
    for walk in WALKS:
        answers: dict[str, str] = {}
        for qid in walk.path:
            answers[qid] = walk.answers[qid]
            option = CONTENT.questions[qid].option(answers[qid])
            assert option is not None
            edges, node = option.edges, None
            while edges:
                for edge in edges:
                    holds = decided(edge.when, answers)
                    assert holds is not None, (walk.path, qid, edge)
                    if holds:
                        node = edge.to
                        break
                edges = CONTENT.routes[node].edges if node in CONTENT.routes else ()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_path_renders_within_telegram_limits(lang):
    """Every path: the first screen (route, answers, three next steps, one money line) in
    1,000 characters; each section one message; callback data and deep link in bounds."""
    tr = CATALOGUES.get(lang)
    seen_sections: set[tuple[str, str, tuple[int, ...]]] = set()
    for walk in WALKS:
        answer = guide_render.answer_of(CONTENT, walk)
        assert len(answer.next_steps) == 3, (walk.path, answer.result.outcome.id)
        assert len(answer.cost) == 1, (walk.path, answer.result.outcome.id)
        assert visible(guide_render.first_screen(tr, CONTENT, walk)) <= 1000, walk.path
        for section in answer.buttons:
            # A section's text depends on its outcome and items only: measure each once.
            items = tuple(id(i) for i in answer.sections.get(section, []))
            key = (answer.result.outcome.id, section, items)
            if key in seen_sections:
                continue
            seen_sections.add(key)
            assert visible(guide_render.section_text(tr, CONTENT, walk, section)) <= 4096
            assert len(f"g:s:{section}".encode()) <= 64
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", guide.encode(walk))
    # every step on the way renders too
    for qid, question in CONTENT.questions.items():
        for option in question.options:
            assert len(f"g:a:{qid}:{option.value}".encode()) <= 64
    for walk in WALKS[::7]:
        partial = guide.Walk()
        for qid in walk.path:
            parse(guide_render.question_text(tr, CONTENT, partial))
            partial = guide.answer(CONTENT, partial, qid, walk.answers[qid])


def test_enumerating_every_path_is_fast():
    import time
    started = time.perf_counter()
    tr = CATALOGUES.get("kk")
    for walk in WALKS:
        guide_render.first_screen(tr, CONTENT, walk)
    assert time.perf_counter() - started < 5


def test_routes_by_who_what_and_how_old():
    def outcome(*values: str) -> str:
        return result_of(run(*values)).outcome.id

    assert outcome("person", "m1", "one", "bev", "china") == "sbkts"
    assert outcome("person", "m1", "several") == "person_no"
    assert outcome("person", "bus") == "person_no"        # no question after: it is fixed
    assert outcome("person", "truck") == "person_no"
    assert outcome("person", "l", "one", "china") == "sbkts_l"
    assert outcome("person", "light", "slow") == "outside"
    assert outcome("person", "light", "fast", "one", "other") == "sbkts_l"
    assert outcome("official", "bus", "bev", "new", "china") == "otts"
    assert outcome("official", "m1", "bev", "used3", "china") == "per_vehicle"
    assert outcome("company", "m1", "bev", "new", "china") == "otts_named"
    assert outcome("company", "m1", "bev", "used3", "china") == "dealer_no"
    assert outcome("company", "m1", "bev", "old", "china") == "per_vehicle"
    assert outcome("person", "m1", "one", "bev", "rhd", "right") == "rhd"
    assert outcome("person", "m1", "one", "bev", "eaeu", "right") == "rhd"
    assert outcome("person", "m1", "one", "bev", "eaeu", "left", "yes") == "transfer"
    assert outcome("person", "m1", "one", "bev", "eaeu", "left", "no") == "sbkts"
    # An individual is never asked the age; a company never how many.
    assert "age" not in run("person", "m1", "one", "bev", "china").path
    assert "count" not in run("company", "m1", "bev", "old", "china").path


def test_apply_is_offered_only_where_there_is_something_to_apply_for():
    offered = {o.id for o in CONTENT.outcomes.values() if o.apply}
    assert offered == {"sbkts", "sbkts_l", "per_vehicle", "otts"}


def test_prefill_maps_the_new_answers_to_the_form():
    assert prefill_from_guide(run("person", "bus12", "one", "phev", "china").answers, "sbkts") \
        == {"path": "sbkts", "applicant_type": "person", "category": "m2m3",
            "powertrain": "phev"}
    assert prefill_from_guide(run("official", "truck", "hev", "new", "china").answers, "otts") \
        == {"path": "otts", "applicant_type": "company", "category": "n2n3"}  # no hev in form
    assert prefill_from_guide(run("person", "light", "fast", "one", "china").answers,
                              "sbkts_l")["category"] == "l"


def test_every_rule_has_a_source_and_review_date():
    for item in CONTENT.items:
        assert item.sources and item.reviewed
    for outcome in CONTENT.outcomes.values():
        assert outcome.sources and outcome.reviewed


def test_every_source_has_an_address_or_its_number_and_date_and_is_cited():
    cited = {s for i in CONTENT.items for s in i.sources}
    cited |= {s for o in CONTENT.outcomes.values() for s in o.sources}
    cited |= {s for e in CONTENT.entries.values() for s in e.sources}
    for source in CONTENT.sources.values():
        assert source.url or (source.number and source.date), source.id
        assert source.id in cited, f"{source.id} is cited by nothing"


def test_every_address_domain_md_gives_is_a_source_shown_as_a_link():
    addresses = {s.url: s for s in CONTENT.sources.values() if s.url}
    for url in DOMAIN_ADDRESSES:
        assert url in addresses, url
    tr = CATALOGUES.get("zh")
    walk = run("person", "m1", "one", "bev", "china")
    text = guide_render.section_text(tr, CONTENT, walk, "sources")
    for sid in guide_render.answer_of(CONTENT, walk).sources.order:
        source = CONTENT.sources[sid]
        if source.url:
            assert f'<a href="{source.url}">' in text
        else:
            assert source.title["zh"] in text and str(source.number) in text


def test_zh_writes_russian_acronyms_with_latin_form_and_chinese_name():
    """No Russian word in Chinese content; the Cyrillic acronym appears only in the term's
    full form (车辆结构安全证书（SBKTS / СБКТС）), which each message uses first."""
    full_forms = [forms["zh"] for forms in CONTENT.terms.values()]
    texts = [q.text["zh"] for q in CONTENT.questions.values()]
    texts += [o.label["zh"] for q in CONTENT.questions.values() for o in q.options]
    texts += [o.title["zh"] for o in CONTENT.outcomes.values()]
    texts += [o.summary["zh"] for o in CONTENT.outcomes.values()]
    texts += [i.text["zh"] for i in CONTENT.items if i.text]
    texts += [t for e in CONTENT.entries.values() for t in (e.title["zh"], e.body["zh"],
                                                           e.summary["zh"])]
    texts += [s.title["zh"] for s in CONTENT.sources.values()]
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        for entry in read_po(fp):
            if entry.id:
                strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
                texts += [str(s).replace("Қазақша", "").replace("Русский", "") for s in strings]
    # The Russian form of each term, from its full form: "SBKTS" -> "СБКТС".
    russian = {term: CYRILLIC.findall(forms["zh"])[0] for term, forms in CONTENT.terms.items()}
    named = re.compile(r"[\u4e00-\u9fff][（ ]{0,2}(" + "|".join(russian) +
                       r") / ([\u0400-\u04FF]+)")
    for text in texts:
        for full in full_forms:
            text = text.replace(full, "")
        for match in named.finditer(text):  # 商业识别号（BIN / БИН，12 位数字）
            assert russian[match.group(1)] == match.group(2), match.group(0)
        assert not CYRILLIC.search(named.sub("", text)), text
    tr = CATALOGUES.get("zh")
    walk = run("person", "m1", "one", "bev", "china")
    for shown in [guide_render.first_screen(tr, CONTENT, walk)] + [
            guide_render.section_text(tr, CONTENT, walk, s)
            for s in guide_render.answer_of(CONTENT, walk).buttons]:
        for term, forms in CONTENT.terms.items():
            first = re.search(rf"(?<![A-Za-z]){term}(?![A-Za-z])", shown)
            if first:
                assert shown.find(forms["zh"]) != -1, (term, shown)
                assert shown.find(forms["zh"]) <= first.start(), (term, shown)
    assert first_use(CONTENT, "zh", "办理 EPTS 并登记，EPTS") == \
        "办理电子车辆护照（EPTS / ЭПТС）并登记，EPTS"


def test_kazakh_and_chinese_follow_the_glossary_pitfalls():
    kk = [q.text["kk"] for q in CONTENT.questions.values()]
    kk += [o.label["kk"] for q in CONTENT.questions.values() for o in q.options]
    kk += [i.text["kk"] for i in CONTENT.items if i.text]
    kk += [t for e in CONTENT.entries.values() for t in (e.title["kk"], e.body["kk"],
                                                        e.summary["kk"])]
    kk += [o.summary["kk"] for o in CONTENT.outcomes.values()]
    with (LOCALES_DIR / "kk" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        kk += [str(m.string) for m in read_po(fp) if m.id]
    joined = "\n".join(kk)
    for wrong in ("құрастырылған жылдамдығы", "Доңғалақты", "қайта зарядтау", "Батарея химиясы",
                  "кабина", "ГОСТ", "түрін бекіту", "Сертификат нөмірі"):
        assert wrong not in joined, wrong
    zh = "\n".join([i.text["zh"] for i in CONTENT.items if i.text] +
                   [o.label["zh"] for q in CONTENT.questions.values() for o in q.options])
    for wrong in ("8 座以上", "3.5 吨以上", "个人信息", "证书编号"):
        assert wrong not in zh, wrong


def test_unconfirmed_facts_are_marked():
    tr = CATALOGUES.get("ru")
    walk = run("company", "m1", "bev", "old", "china")  # per vehicle: unconfirmed
    first = guide_render.first_screen(tr, CONTENT, walk)
    assert "⚠️" in first and "требует подтверждения в центре сертификации" in first
    steps = guide_render.section_text(tr, CONTENT, walk, "steps")
    line = next(x for x in steps.split("\n") if "Сроки в Казахстане" in x)
    assert line.endswith("⚠️")


def test_decode_rejects_what_no_longer_fits():
    assert guide.decode(CONTENT, "person-m1-one-bev-china") is not None
    assert guide.decode(CONTENT, "person-m9") is None
    assert guide.decode(CONTENT, "alien") is None
    assert guide.decode(CONTENT, "person-m1-bev-used-china-one") is None  # the old guide


def test_step_counter_counts_the_longest_way_the_answers_still_allow():
    assert guide.step(CONTENT, guide.Walk()) == (1, 7)
    assert guide.step(CONTENT, run("person")) == (2, 7)
    assert guide.step(CONTENT, run("person", "light")) == (3, 6)  # speed, count, origin…
    partial = guide.decode(CONTENT, "person-m1-one-bev")
    assert partial is not None and guide.step(CONTENT, partial) == (5, 7)  # origin, steering…
    company = guide.decode(CONTENT, "company-m1-bev-old")
    assert company is not None and guide.step(CONTENT, company) == (5, 7)


@pytest.fixture
def broken(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_missing_translation_is_named(broken):
    edit(broken, "guide.toml", 'text.zh = "动力类型是什么？"\n', "")
    with pytest.raises(ContentError, match=r"guide.toml: node 'powertrain', field 'text.zh': "
                                           r"missing translation"):
        load(broken)


def test_dangling_option_is_named(broken):
    edit(broken, "guide.toml", 'short = { kk = "жаңа", ru = "новые", zh = "新车" }\nnext = "origin"',
         'short = { kk = "жаңа", ru = "новые", zh = "新车" }\nnext = "orign"')
    with pytest.raises(ContentError, match=r"guide.toml: node 'age.new', field 'next': "
                                           r"leads to 'orign', which does not exist"):
        load(broken)


def test_condition_on_an_answer_that_does_not_exist_is_named(broken):
    edit(broken, "guide.toml", '{ when = { who = ["company"], age = ["used3"] }',
         '{ when = { who = ["company"], age = ["used5"] }')
    with pytest.raises(ContentError, match=r"node 'decide', field 'next': 'age' has no option "
                                           r"\['used5'\]"):
        load(broken)


def test_cycle_is_named(broken):
    edit(broken, "guide.toml", 'short = { kk = "жаңа", ru = "новые", zh = "新车" }\nnext = "origin"',
         'short = { kk = "жаңа", ru = "новые", zh = "新车" }\nnext = "who"')
    with pytest.raises(ContentError, match=r"guide.toml: node 'who', field 'next': cycle: "
                                           r"who -> category -> count -> powertrain -> after_powertrain "
                                           r"-> age -> who"):
        load(broken)


def test_unreachable_node_and_missing_source_are_named(broken):
    edit(broken, "guide.toml", "[questions.who]", "[questions.lonely]\ntext = { kk = \"a\", "
         "ru = \"b\", zh = \"c\" }\nshort = { kk = \"a\", ru = \"b\", zh = \"c\" }\n"
         "options = [{ value = \"x\", label = { kk = \"a\", ru = \"b\", zh = \"c\" }, "
         "short = { kk = \"a\", ru = \"b\", zh = \"c\" }, next = \"sbkts\" }]\n\n"
         "[questions.who]")
    with pytest.raises(ContentError, match="node 'lonely'.*unreachable"):
        load(broken)


def test_rule_without_source_is_named(broken):
    edit(broken, "guide.toml", 'sources = ["kz24_ektu"]\n', "")
    with pytest.raises(ContentError, match=r"node 'items\[\d+\]', field 'sources': at least one"):
        load(broken)


def test_source_without_address_or_number_and_date_is_refused(broken):
    edit(broken, "sources.toml", 'url = "https://www.kommersant.ru/doc/8336368"\n', "")
    with pytest.raises(ContentError, match=r"sources.toml: node 'escooter_law', field 'url': a "
                                           r"source needs its address, or its number and date"):
        load(broken)


def test_source_with_a_number_its_title_does_not_name_is_refused(broken):
    edit(broken, "sources.toml", 'number = "45"', 'number = "46"')
    with pytest.raises(ContentError, match=r"node 'eec45', field 'title.kk': does not name "
                                           r"number '46'"):
        load(broken)


def test_reference_entry_missing_translation_is_named(broken):
    edit(broken, "reference.toml", 'title.zh = "UN R10：电磁兼容"\n', "")
    with pytest.raises(ContentError, match=r"reference.toml: node 'r10', field 'title.zh'"):
        load(broken)


def test_bot_refuses_to_start_with_broken_content(broken, tmp_path):
    import os
    import subprocess
    import sys
    edit(broken, "guide.toml", 'short = { kk = "жаңа", ru = "новые", zh = "新车" }\nnext = "origin"',
         'short = { kk = "жаңа", ru = "новые", zh = "新车" }\nnext = "orign"')
    env = {**os.environ, "BOT_CONTENT_DIR": str(broken),
           "BOT_DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    done = subprocess.run([sys.executable, "bot.py", "local"], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL, env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == ("content error: guide.toml: node 'age.new', field "
                                   "'next': leads to 'orign', which does not exist")
