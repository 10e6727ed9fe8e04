"""The shape of the code: layers point one way, nothing imports in a circle, every flow is
declared, and each Application gets its own registry."""
from __future__ import annotations

import ast
import dataclasses
from enum import StrEnum
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGES = ("domain", "storage", "services", "handlers", "jobs", "emulator")
TOP = ("bot", "runtime", "config", "i18n", "logs", "transport", "apibot", "healthcheck",
       "webhook")
# What each layer may import of the project (besides itself). Dependencies point one way:
# domain <- storage <- services (the application layer) <- handlers and jobs <- runtime.
BASE = {"config", "i18n", "logs", "transport", "apibot"}
ALLOWED = {
    "domain": set(),
    "storage": {"domain"},
    "services": {"domain", "storage"} | BASE,
    "handlers": {"domain", "storage", "services"} | BASE,
    "jobs": {"domain", "storage", "services"} | BASE,
    "emulator": set(),
    "config": set(), "i18n": set(), "logs": set(), "transport": {"config"}, "apibot": set(),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {name: ROOT / f"{name}.py" for name in TOP}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


MODULES = project_modules()


def resolve(name: str) -> str | None:
    """The project module an import names (a submodule if it is one), or None."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(path: Path) -> tuple[set[str], set[str]]:
    """(every project module imported, those imported at run time: not under
    `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    every, runtime = set(), set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            target = resolve(name)
            if target is None:
                continue
            every.add(target)
            if id(node) not in typing_only:
                runtime.add(target)
    return every, runtime


GRAPH = {name: imports(path) for name, path in MODULES.items()}


def layer(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) in ALLOWED))
def test_layers_point_one_way(module):
    own = layer(module)
    wrong = sorted(target for target in GRAPH[module][0]
                   if layer(target) != own and layer(target) not in ALLOWED[own])
    assert not wrong, f"{module} ({own}) must not import {wrong}"


def test_handlers_and_jobs_never_import_each_other():
    for module, (every, _) in GRAPH.items():
        if layer(module) in ("handlers", "jobs"):
            other = "jobs" if layer(module) == "handlers" else "handlers"
            assert not [t for t in every if layer(t) == other], module


def test_no_import_cycles():
    """Run-time imports only (function-level ones included: a late import hides a cycle,
    it does not remove it)."""
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == "open":
            cycle = trail[trail.index(module):] + [module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if state.get(module) == "done":
            return
        state[module] = "open"
        for target in sorted(GRAPH[module][1]):
            if target != module and not module.startswith(target + "."):
                visit(target, trail + [module])
        state[module] = "done"

    for module in sorted(GRAPH):
        visit(module, [])


def test_the_checker_sees_imports_and_cycles(tmp_path):
    """The rules above are only as good as the parsing: a known import is found."""
    every, runtime = GRAPH["handlers.intake.answers"]
    assert "handlers.intake.navigate" in runtime and "domain.validators" in every
    assert "handlers.registry" in GRAPH["handlers.base"][0]          # for types only…
    assert "handlers.registry" not in GRAPH["handlers.base"][1]      # …so not at run time


def test_every_flow_is_declared_with_an_enum_and_a_dataclass():
    from runtime import build_registry
    flows = build_registry().flows
    assert {"guide", "apply", "add_document", "desk", "broadcast", "start"} <= set(flows)
    for name, route in flows.items():
        assert issubclass(route.flow.steps, StrEnum), name
        assert dataclasses.is_dataclass(route.flow.state), name
        assert set(route.inputs) <= set(route.flow.steps), name


async def test_several_applications_register_each_handler_once(tmp_path):
    from config import Settings
    from domain.library import Library
    from i18n import Catalogues
    from runtime import build_application
    from services.clock import Clock
    from services.container import Services
    from storage.repos import Repos

    settings = Settings(token="1:x", database_path=str(tmp_path / "db.sqlite3"),
                        reminder_tick_seconds=0)
    repos = await Repos.open(settings.database_path)
    services = Services(settings=settings, repos=repos, catalogues=Catalogues(settings.tz),
                        clock=Clock(), library=Library.open())
    try:
        apps = [build_application(services) for _ in range(3)]
        counts = [sum(len(handlers) for handlers in app.handlers.values()) for app in apps]
        assert counts[0] == counts[1] == counts[2] > 50
        assert [len(app.error_handlers) for app in apps] == [1, 1, 1]
        registries = [app.bot_data["registry"] for app in apps]
        assert len({id(r) for r in registries}) == 3
        assert [len(r.menu) for r in registries] == [len(registries[0].menu)] * 3
    finally:
        await repos.close()
