"""The loaded content and its search index, swapped whole on /reload."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.content import CONTENT_DIR, Content
from domain.content_files import load
from domain.lookup import Index


@dataclass
class Library:
    content: Content
    index: Index
    directory: Path = CONTENT_DIR

    @classmethod
    def open(cls, directory: Path = CONTENT_DIR) -> Library:
        content = load(directory)
        return cls(content=content, index=Index(content), directory=directory)

    def reload(self) -> None:
        """Load afresh; on ContentError the old content stays in place (nothing is swapped)."""
        content = load(self.directory)
        self.content, self.index = content, Index(content)
