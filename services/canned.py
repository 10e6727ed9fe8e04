"""The canned replies staff pick from, read from content_dir/canned.toml again whenever
the file changes: staff edit it without a restart; a broken edit keeps the last good one."""
from __future__ import annotations

import logging
from pathlib import Path

from domain.canned import Canned, CannedError, parse
from domain.content import CONTENT_DIR
from services.container import Services

log = logging.getLogger(__name__)
_cache: dict[Path, tuple[float, tuple[Canned, ...]]] = {}


def path_of(services: Services) -> Path:
    folder = services.settings.content_dir
    return (Path(folder) if folder else CONTENT_DIR) / "canned.toml"


def replies(services: Services) -> tuple[Canned, ...]:
    path = path_of(services)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return ()
    cached = _cache.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        loaded = parse(path.read_text(encoding="utf-8"))
    except CannedError as exc:
        log.error("canned replies not reloaded: %s", exc)
        return cached[1] if cached else ()
    _cache[path] = (mtime, loaded)
    return loaded


def find(services: Services, key: str) -> Canned | None:
    return next((c for c in replies(services) if c.key == key), None)
