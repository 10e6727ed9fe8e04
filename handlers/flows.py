"""Flows declared as data: an Enum of steps, a dataclass of state, a table of handlers.

A flow's position lives in the conversation row (storage.conversations), read on
every update, so a restart or a second instance continues where the user was.
Each flow declares its steps and its state; typed input is dispatched through
the flow's table by the step the user is at, never by a chain of ifs. Saving is
compare-and-set on the version read with the update: a double tap or a second
instance cannot overwrite a newer state (StaleConversation).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from telegram import Update

from handlers.base import BotContext
from storage.conversations import Conversation

StepT = TypeVar("StepT", bound=StrEnum)
StateT = TypeVar("StateT")
InputHandler = Callable[[Update, BotContext, Any, Any], Awaitable[None]]
CancelHandler = Callable[[Update, BotContext], Awaitable[None]]
KEEP = -1  # go(): keep the message the flow was showing


def encode(state: object) -> dict[str, Any]:
    to_data = getattr(state, "to_data", None)
    if callable(to_data):
        data: dict[str, Any] = to_data()
        return data
    if not dataclasses.is_dataclass(state) or isinstance(state, type):
        raise TypeError(f"a flow's state must be a dataclass: {state!r}")
    return dataclasses.asdict(state)


def decode(cls: type[StateT], data: dict[str, Any]) -> StateT:
    """The state from its stored form; keys the dataclass no longer has are dropped."""
    from_data = getattr(cls, "from_data", None)
    if callable(from_data):
        state: StateT = from_data(data)
        return state
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


class Flow(Generic[StepT, StateT]):
    """A flow's declaration: its name (the conversation row's `flow`), steps and state.
    Where input goes at each step is given when it is registered (FlowRoute)."""

    def __init__(self, name: str, steps: type[StepT], state: type[StateT]):
        self.name = name
        self.steps = steps
        self.state = state

    def at(self, ctx: BotContext) -> tuple[StepT, StateT] | None:
        """Where the user is in this flow, or None if they are not in it."""
        conv = ctx.conv
        if conv is None or conv.flow != self.name:
            return None
        try:
            step = self.steps(conv.step)
        except ValueError:  # a step this version of the bot no longer has
            return None
        return step, decode(self.state, conv.data)

    async def go(self, ctx: BotContext, step: StepT, state: StateT,
                 message_id: int | None = KEEP) -> Conversation:
        """Save the user's position in this flow (compare-and-set)."""
        previous = ctx.conv
        if message_id == KEEP:
            message_id = previous.message_id if previous and previous.flow == self.name else None
        conv = Conversation(ctx.user.id, self.name, step.value, encode(state), message_id,
                            version=previous.version if previous else 0,
                            update_id=ctx.update_id)
        await ctx.repos.conversations.save(conv, ctx.now())
        ctx.conv = conv
        return conv



@dataclass(frozen=True)
class FlowRoute(Generic[StepT, StateT]):
    """A registered flow: the handler for input at each step, and what /cancel does."""
    flow: Flow[StepT, StateT]
    inputs: Mapping[StepT, InputHandler]
    default_input: InputHandler | None = None
    on_cancel: CancelHandler | None = None
    resume: CancelHandler | None = None  # shows where the user is (a repeated update)

    async def dispatch(self, update: Update, ctx: BotContext) -> bool:
        """Typed or sent input while the user is in this flow: the step's handler. False
        if the stored position no longer fits the flow (it is dropped)."""
        position = self.flow.at(ctx)
        if position is None:
            await end(ctx)
            return False
        step, state = position
        handler = self.inputs.get(step, self.default_input)
        if handler is None:
            return False
        await handler(update, ctx, step, state)
        return True


async def end(ctx: BotContext) -> None:
    """Leave whatever flow the user is in (compare-and-set on the version read)."""
    if ctx.conv is not None:
        await ctx.repos.conversations.clear(ctx.user.id, ctx.conv.version)
        ctx.conv = None


async def remember_message(ctx: BotContext, message_id: int) -> None:
    """The flow now shows this message (edited in place from here on)."""
    conv = ctx.conv
    if conv is not None and conv.message_id != message_id:
        conv.message_id = message_id
        await ctx.repos.conversations.save(conv, ctx.now())


async def park(ctx: BotContext) -> None:
    """The user left their flow for the main menu or a lookup: what they type next is no
    longer its answer. The flow is kept, so its command picks it up again."""
    if ctx.conv is not None and not ctx.conv.parked:
        await ctx.repos.conversations.park(ctx.conv)
