"""What the features register: handlers, flows, main-menu entries, commands, deep links
and free-text routes. One Registry per Application (bot_data["registry"]), filled by
each feature module's register(); nothing of it lives in module globals."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, BaseHandler

from handlers.base import BotContext
from handlers.flows import CancelHandler, Flow, FlowRoute, InputHandler
from i18n import Translator
from services.keyboards import Button

Label = Callable[[Translator], str]
Opener = Callable[[Update, BotContext, str], Awaitable[None]]
TextRoute = Callable[[Update, BotContext], Awaitable[bool]]
ErrorHandler = Callable[[object, BotContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class MenuEntry:
    rank: int          # position in the menu, low first
    callback: str      # callback_data the button sends
    label: Label
    staff: bool = False


@dataclass(frozen=True)
class Command:
    rank: int
    name: str
    description: Label
    staff: bool = False


@dataclass
class Registry:
    handlers: list[tuple[int, BaseHandler[Any, Any, Any]]] = field(default_factory=list)
    error_handlers: list[ErrorHandler] = field(default_factory=list)
    flows: dict[str, FlowRoute[Any, Any]] = field(default_factory=dict)
    menu: list[MenuEntry] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    deep_links: dict[str, Opener] = field(default_factory=dict)
    text_routes: list[TextRoute] = field(default_factory=list)

    def add(self, handler: BaseHandler[Any, Any, Any], group: int = 0) -> None:
        self.handlers.append((group, handler))

    def flow(self, flow: Flow[Any, Any], inputs: Mapping[Any, InputHandler] | None = None,
             default_input: InputHandler | None = None,
             on_cancel: CancelHandler | None = None,
             resume: CancelHandler | None = None) -> None:
        """A flow and where input goes at each of its steps (a table, by step); `resume`
        shows the user where they are in it."""
        if flow.name in self.flows:
            raise ValueError(f"flow {flow.name} registered twice")
        self.flows[flow.name] = FlowRoute(flow, inputs or {}, default_input, on_cancel,
                                          resume)

    def menu_entry(self, rank: int, callback: str, label: Label, staff: bool = False) -> None:
        self.menu.append(MenuEntry(rank, callback, label, staff))
        self.menu.sort(key=lambda entry: entry.rank)

    def command(self, rank: int, name: str, description: Label, staff: bool = False) -> None:
        self.commands.append(Command(rank, name, description, staff))
        self.commands.sort(key=lambda command: (not command.staff, command.rank))

    def deep_link(self, prefix: str, opener: Opener) -> None:
        self.deep_links[prefix] = opener

    def text_route(self, route: TextRoute) -> None:
        self.text_routes.append(route)

    def on_error(self, handler: ErrorHandler) -> None:
        self.error_handlers.append(handler)

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        for group, handler in self.handlers:
            app.add_handler(handler, group)
        for error_handler in self.error_handlers:
            app.add_error_handler(error_handler)

    # --- what users see of it ------------------------------------------------------------
    def menu_rows(self, tr: Translator, staff: bool) -> list[list[Button]]:
        """Two entries a row; staff entries (their daily work) on rows of their own."""
        common = [(entry.label(tr), entry.callback) for entry in self.menu if not entry.staff]
        rows = [common[i:i + 2] for i in range(0, len(common), 2)]
        if staff:
            rows += [[(entry.label(tr), entry.callback)] for entry in self.menu if entry.staff]
        return rows

    def bot_commands(self, tr: Translator, staff: bool = False) -> list[BotCommand]:
        """The command menu; staff see their tools too (set only in their chats)."""
        return [BotCommand(c.name, c.description(tr)) for c in self.commands
                if staff or not c.staff]
