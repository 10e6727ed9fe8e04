"""The cost estimate's questions: only those that change the result, one message edited in
place, Back and Cancel on each, typed answers read as people write them ("17万元",
"12 млн тг"), and the exchange rate asked only when none is stored.

callback_data: cost:new (start afresh), cost:go (resume or start), cost:a:<step>:<value>
(an answer), cost:k (keep the previous answer to a typed question), cost:b (back), cost:x
(cancel), cost:e:<id> (change the answers of one of my estimates), cost:c:<token> (my own
estimate from a shared one's answers).
The answers live in the conversation row, so a restart resumes at the same question.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from domain import money
from domain.money import CATEGORIES, CURRENCIES, ORIGINS, POWERTRAINS, MoneyRules, ways_for
from domain.money_input import find_currency, parse_engine, parse_price, parse_rate, parse_year
from handlers import flows
from handlers.base import BotContext, answer, message_of, named, send, show
from handlers.cost import result
from handlers.flows import Flow
from handlers.menu import back_to_menu, menu_markup, menu_text
from services import cost_texts as texts
from services import estimates
from services.keyboards import Button, keyboard


class CostStep(StrEnum):
    PRICE = "price"
    CURRENCY = "currency"
    YEAR = "year"
    POWERTRAIN = "powertrain"
    ENGINE = "engine"        # hybrids, when the rules have a table by engine volume
    CATEGORY = "category"
    IMPORTER = "importer"
    ORIGIN = "origin"
    WAY = "way"              # outside the EAEU: which of the 2026 ways
    RATE = "rate"            # no stored exchange rate: the user types one


ORDER = tuple(CostStep)
YEARS_SHOWN = 4  # buttons for this year and the three before; older ones are typed


@dataclass
class CostState:
    price: str | None = None
    currency: str | None = None
    year: int | None = None
    powertrain: str | None = None
    engine_cc: int | None = None
    category: str | None = None
    importer: str | None = None
    origin: str | None = None
    way: str | None = None
    rate: str | None = None                                # typed, tenge per unit
    asked: list[str] = field(default_factory=list)         # steps shown, for Back
    previous: dict[str, Any] = field(default_factory=dict)  # answers undone by Back

    def answers(self) -> dict[str, Any]:
        return {"price": self.price, "currency": self.currency, "year": self.year,
                "powertrain": self.powertrain, "engine_cc": self.engine_cc,
                "category": self.category, "importer": self.importer, "origin": self.origin,
                "way": self.way}

    def get(self, step: CostStep) -> Any:
        return getattr(self, "engine_cc" if step is CostStep.ENGINE else step.value)

    def set(self, step: CostStep, value: Any) -> None:
        setattr(self, "engine_cc" if step is CostStep.ENGINE else step.value, value)
        if step is CostStep.CURRENCY:
            self.rate = None  # a typed rate was for the other currency
        self.tidy()

    def tidy(self) -> None:
        """Drop answers an earlier one made meaningless."""
        if self.origin == "eaeu" or (self.way and self.importer
                                     and self.way not in ways_for(self.importer)):
            self.way = None

    def inputs(self) -> money.Inputs:
        if self.price is None or self.currency is None or self.year is None or \
                self.powertrain is None or self.category is None or self.importer is None \
                or self.origin is None:
            raise ValueError("the estimate is asked for before every answer is known")
        return money.Inputs(price=Decimal(self.price), currency=self.currency, year=self.year,
                            powertrain=self.powertrain, category=self.category,
                            importer=self.importer, origin=self.origin, way=self.way,
                            engine_cc=self.engine_cc)


FLOW = Flow("cost", CostStep, CostState)


def applies(step: CostStep, state: CostState, rules: MoneyRules) -> bool:
    if step is CostStep.ENGINE:
        return state.powertrain is not None and rules.needs_engine(state.powertrain)
    if step is CostStep.WAY:
        return state.origin == "outside"
    return step is not CostStep.RATE  # asked only when no rate is stored (see next_step)


async def next_step(ctx: BotContext, state: CostState) -> CostStep | None:
    rules = ctx.services.library.money
    for step in ORDER:
        if applies(step, state, rules) and state.get(step) is None:
            return step
    if state.rate is None and state.currency and \
            await estimates.stored_rate(ctx.services, state.currency) is None:
        return CostStep.RATE
    return None


# --- the questions -------------------------------------------------------------------------

def mark(state: CostState, step: CostStep, value: object, label: str) -> str:
    return f"✓ {label}" if state.previous.get(step.value) == value else label


def choices(ctx: BotContext, step: CostStep, state: CostState) -> list[list[Button]]:
    tr = ctx.tr

    def rows(values: tuple[str, ...], label: Callable[[str], str]) -> list[list[Button]]:
        return [[(mark(state, step, v, label(v)), f"cost:a:{step.value}:{v}")] for v in values]

    if step is CostStep.CURRENCY:
        buttons = [(mark(state, step, c, texts.currency_button(c)), f"cost:a:currency:{c}")
                   for c in CURRENCIES]
        return [buttons[:4], buttons[4:]]
    if step is CostStep.YEAR:
        this_year = estimates.today(ctx.services).year
        years = [str(this_year - n) for n in range(YEARS_SHOWN)]
        return [[(mark(state, step, int(y), y), f"cost:a:year:{y}") for y in years]]
    if step is CostStep.POWERTRAIN:
        return rows(POWERTRAINS, lambda v: texts.powertrain_label(tr, v))
    if step is CostStep.CATEGORY:
        return rows(CATEGORIES, lambda v: texts.category_label(tr, v))
    if step is CostStep.IMPORTER:
        return rows(money.IMPORTERS, lambda v: texts.importer_label(tr, v))
    if step is CostStep.ORIGIN:
        return rows(ORIGINS, lambda v: texts.origin_label(tr, v))
    if step is CostStep.WAY:
        duty = ctx.services.library.money.duty_tariff.value or Decimal(0)
        return rows(ways_for(state.importer or "person"),
                    lambda v: texts.way_label(tr, v, duty))
    return []  # typed: price, engine volume, rate


def kept_label(ctx: BotContext, step: CostStep, state: CostState) -> str | None:
    """The previous answer to a typed question, as a button label (None: nothing to keep)."""
    tr, previous = ctx.tr, state.previous.get(step.value)
    if previous is None:
        return None
    if step is CostStep.PRICE:
        currency = state.previous.get("currency")
        value = texts.money(tr, Decimal(previous), currency) if currency else \
            tr.number(Decimal(previous))
    elif step is CostStep.YEAR:
        if estimates.today(ctx.services).year - int(previous) < YEARS_SHOWN:
            return None  # its own button shows it
        value = str(previous)
    elif step is CostStep.ENGINE:
        value = tr._("{cc} cm³", cc=tr.number(int(previous)))
    elif step is CostStep.RATE:
        value = texts.tenge(tr, Decimal(previous))
    else:
        return None
    return tr._("↩️ Keep: {value}", value=value)


def question(ctx: BotContext, step: CostStep, state: CostState) -> str:
    tr = ctx.tr
    if step is CostStep.PRICE:
        return tr._("What does the vehicle cost? Type the price in the contract or invoice, "
                    "with its currency if you like: 170000 CNY, 17万元, 25 500 USD, "
                    "12 млн тг.")
    if step is CostStep.CURRENCY:
        return tr._("In which currency is {price}?", price=tr.number(Decimal(state.price or 0)))
    if step is CostStep.YEAR:
        return tr._("Year of manufacture? Press it, or type an earlier one (for example "
                    "2019).")
    if step is CostStep.POWERTRAIN:
        return tr._("The powertrain?")
    if step is CostStep.ENGINE:
        return tr._("The engine's volume, in cm³ or litres (for example 1498 or 1.5)? "
                    "Hybrids pay the recycling fee by it.")
    if step is CostStep.CATEGORY:
        return tr._("The vehicle category?")
    if step is CostStep.IMPORTER:
        return tr._("Who imports it?")
    if step is CostStep.ORIGIN:
        return tr._("Where does it come from?")
    if step is CostStep.WAY:
        return tr._("How will it be cleared? In 2026 the State Revenue Committee describes "
                    "these ways (the duty-free EV quota ended on 14.10.2025). Not sure? "
                    "Choose one: the result lets you compare the others.")
    return tr._("I have no National Bank rate for {currency} yet. Type the rate: tenge for "
                "1 {currency} (for example 70.85).", currency=state.currency or "")


def screen(ctx: BotContext, step: CostStep, state: CostState
           ) -> tuple[str, InlineKeyboardMarkup]:
    tr = ctx.tr
    summary = texts.answers_summary(tr, state.answers())
    head = tr._("💰 <b>Import cost estimate</b>")
    lines = [head]
    if summary:
        lines.append("<i>" + " · ".join(summary) + "</i>")
    lines += ["", question(ctx, step, state)]
    rows = choices(ctx, step, state)
    kept = kept_label(ctx, step, state)
    if kept is not None:
        rows.append([(kept, "cost:k")])
    rows.append([(tr._("⬅️ Back"), "cost:b"), (tr._("✖️ Cancel"), "cost:x")])
    return "\n".join(lines), keyboard(rows)


async def ask(update: Update, ctx: BotContext, state: CostState, fresh: bool = False) -> None:
    """The next question, or the result once everything is known."""
    step = await next_step(ctx, state)
    if step is None:
        await finish(update, ctx, state, fresh)
        return
    if not state.asked or state.asked[-1] != step.value:
        state.asked.append(step.value)
    text, markup = screen(ctx, step, state)
    put = send if fresh or update.callback_query is None else show
    message = await put(update, ctx, text, markup)
    await FLOW.go(ctx, step, state, message.message_id if message else flows.KEEP)


async def finish(update: Update, ctx: BotContext, state: CostState, fresh: bool) -> None:
    services = ctx.services
    inputs = state.inputs()
    exchange = await estimates.stored_rate(services, inputs.currency)
    if state.rate is not None:
        exchange = estimates.Exchange(Decimal(state.rate), "typed", None)
    if exchange is None:  # the stored rates went meanwhile: ask for one
        await ask(update, ctx, state, fresh)
        return
    saved = await estimates.make(services, ctx.user.id, inputs, exchange)
    await flows.end(ctx)
    await result.show_result(update, ctx, saved, fresh=fresh)


async def begin(update: Update, ctx: BotContext, prefill: dict[str, Any] | None = None,
                previous: dict[str, Any] | None = None) -> None:
    """Start an estimate; `prefill` holds answers already known (from the guide, or a
    shared estimate), `previous` answers to offer again (✓ on their button, or Keep)."""
    state = CostState(previous={k: v for k, v in (previous or {}).items() if v is not None})
    for key, value in (prefill or {}).items():
        setattr(state, key, value)
    state.tidy()
    await ask(update, ctx, state, fresh=update.callback_query is None)


async def show_where(update: Update, ctx: BotContext) -> None:
    position = FLOW.at(ctx)
    await ask(update, ctx, position[1] if position else CostState(), fresh=True)


# --- commands and buttons ---------------------------------------------------------------------

@named("cost:open")
async def open_cost(update: Update, ctx: BotContext) -> None:
    """/cost or the menu: resume an estimate in progress, else start one."""
    await answer(update, ctx)
    position = FLOW.at(ctx)
    if position is not None:
        await ask(update, ctx, position[1], fresh=update.callback_query is None)
        return
    await begin(update, ctx)


@named("cost:new")
async def new_estimate(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await begin(update, ctx)


def valid(ctx: BotContext, step: CostStep, state: CostState, raw: str) -> Any:
    """The answer a button carries, if it is one this step takes (else None)."""
    if step is CostStep.CURRENCY and raw in CURRENCIES:
        return raw
    if step is CostStep.YEAR and raw.isdigit():
        return parse_year(raw, estimates.today(ctx.services).year)
    allowed = {CostStep.POWERTRAIN: POWERTRAINS, CostStep.CATEGORY: CATEGORIES,
               CostStep.IMPORTER: money.IMPORTERS, CostStep.ORIGIN: ORIGINS,
               CostStep.WAY: ways_for(state.importer or "person")}.get(step, ())
    return raw if raw in allowed else None


@named("cost:answer")
async def on_choice(update: Update, ctx: BotContext) -> None:
    position = FLOW.at(ctx)
    tr = ctx.tr
    if position is None:
        await answer(update, ctx, tr._("This estimate is finished or cancelled; here is a new "
                                       "one."))
        await begin(update, ctx)
        return
    step, state = position
    value = valid(ctx, step, state, ctx.matched(2)) if ctx.matched(1) == step.value else None
    if value is None:  # an old message or a double tap
        await answer(update, ctx, tr._("That question is already answered; here is where you "
                                       "are."))
        if on_current_message(update, ctx):  # else the current question is on screen already
            await ask(update, ctx, state)
        return
    await answer(update, ctx)
    state.set(step, value)
    await ask(update, ctx, state)


def on_current_message(update: Update, ctx: BotContext) -> bool:
    query, conv = update.callback_query, ctx.conv
    return query is not None and query.message is not None and conv is not None and \
        conv.message_id == query.message.message_id


@named("cost:keep")
async def on_keep(update: Update, ctx: BotContext) -> None:
    """Keep the previous answer to the typed question on screen."""
    position = FLOW.at(ctx)
    previous = position[1].previous.get(position[0].value) if position else None
    if position is None or previous is None:
        await answer(update, ctx, ctx.tr._("This button is no longer valid."))
        return
    await answer(update, ctx)
    step, state = position
    if step is CostStep.PRICE and state.currency is None:
        state.currency = state.previous.get("currency")
    state.set(step, previous)
    await ask(update, ctx, state)


@named("cost:back")
async def on_back(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    position = FLOW.at(ctx)
    if position is None:
        await begin(update, ctx)
        return
    state = position[1]
    if state.asked:
        state.asked.pop()  # the question on screen
    if not state.asked:   # back from the first question: the main menu
        await flows.end(ctx)
        await show(update, ctx, menu_text(ctx.tr), menu_markup(ctx))
        return
    previous = CostStep(state.asked.pop())
    state.previous[previous.value] = state.get(previous)
    state.set(previous, None)
    await ask(update, ctx, state)


@named("cost:cancel")
async def on_cancel_button(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    if FLOW.at(ctx) is not None:
        await flows.end(ctx)
    await show(update, ctx, ctx.tr._("Estimate cancelled."), back_to_menu(ctx.tr))


async def on_cancel(update: Update, ctx: BotContext) -> None:
    await flows.end(ctx)
    await send(update, ctx, ctx.tr._("Estimate cancelled."), back_to_menu(ctx.tr))


@named("cost:copy")
async def copy_shared(update: Update, ctx: BotContext) -> None:
    """From a shared estimate: the same answers, at today's rate, as the user's own."""
    await answer(update, ctx)
    shared = await ctx.repos.estimates.by_token(ctx.matched())
    if shared is None:
        await begin(update, ctx)
        return
    answers = shared.estimate.inputs.to_data()
    # Their own price first (offered to keep), the rest as the shared one had it.
    prefill = {key: value for key, value in answers.items()
               if value is not None and key not in ("price", "currency")}
    await begin(update, ctx, prefill, previous=answers)


@named("cost:edit")
async def edit_answers(update: Update, ctx: BotContext) -> None:
    """Go through the questions again, each previous answer offered (✓ or Keep)."""
    saved = await ctx.repos.estimates.mine(int(ctx.matched()), ctx.user.id)
    if saved is None:
        await answer(update, ctx, ctx.tr._("This estimate is no longer available."), alert=True)
        return
    await answer(update, ctx)
    await begin(update, ctx, previous=saved.estimate.inputs.to_data())


# --- typed input, by step (the table is in register) ------------------------------------------

async def retry(update: Update, ctx: BotContext, state: CostState, problem: str) -> None:
    await send(update, ctx, problem)
    await ask(update, ctx, state, fresh=True)


async def on_price(update: Update, ctx: BotContext, step: CostStep, state: CostState) -> None:
    parsed = parse_price(message_of(update).text or "")
    if parsed is None:
        await retry(update, ctx, state, ctx.tr._(
            "Please type the price as one number, for example 170000 or 17万 or 12 млн."))
        return
    price, currency = parsed
    state.price = str(price)
    if currency is not None:
        state.currency = currency
        state.rate = None
    await ask(update, ctx, state, fresh=True)


def typed_value(ctx: BotContext, step: CostStep, text: str) -> Any:
    """The answer typed for a step that takes one (None: not understood)."""
    if step is CostStep.YEAR:
        return parse_year(text, estimates.today(ctx.services).year)
    if step is CostStep.ENGINE:
        return parse_engine(text)
    rate = parse_rate(text)
    return None if rate is None else str(rate)


def typed_error(ctx: BotContext, step: CostStep) -> str:
    tr = ctx.tr
    if step is CostStep.YEAR:
        return tr._("Please type a year between 1950 and {year}, for example 2021.",
                    year=str(estimates.today(ctx.services).year + 1))
    if step is CostStep.ENGINE:
        return tr._("Please type the engine volume, for example 1498 (cm³) or 1.5 (litres).")
    return tr._("Please type the rate as a number of tenge, for example 70.85.")


async def on_typed(update: Update, ctx: BotContext, step: CostStep, state: CostState) -> None:
    """A year, an engine volume or an exchange rate, typed."""
    value = typed_value(ctx, step, message_of(update).text or "")
    if value is None:
        await retry(update, ctx, state, typed_error(ctx, step))
        return
    state.set(step, value)
    await ask(update, ctx, state, fresh=True)


async def on_other(update: Update, ctx: BotContext, step: CostStep, state: CostState) -> None:
    """Typed text where buttons are expected: take it if it is plainly the answer (a
    currency, a year), else point to the buttons."""
    text = message_of(update).text or ""
    value: Any = None
    if step is CostStep.CURRENCY:
        value = find_currency(text) or (text.strip().upper() if text.strip().upper()
                                        in CURRENCIES else None)
    if value is not None:
        state.set(step, value)
        await ask(update, ctx, state, fresh=True)
        return
    await retry(update, ctx, state, ctx.tr._("Please choose one of the options with the "
                                             "buttons."))


INPUTS: dict[CostStep, Callable[[Update, BotContext, CostStep, CostState], Awaitable[None]]] = {
    CostStep.PRICE: on_price, CostStep.YEAR: on_typed, CostStep.ENGINE: on_typed,
    CostStep.RATE: on_typed,
}
