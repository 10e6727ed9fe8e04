"""The loaded content, its search index, the money rules and the centre's card, swapped
whole on /reload."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.centre import Centre, load_centre
from domain.content import CONTENT_DIR, Content
from domain.content_files import load
from domain.lookup import Index
from domain.money import MoneyRules
from domain.money_files import load_money


@dataclass
class Library:
    content: Content
    index: Index
    money: MoneyRules
    centre: Centre
    directory: Path = CONTENT_DIR

    @classmethod
    def open(cls, directory: Path = CONTENT_DIR) -> Library:
        content = load(directory)
        return cls(content=content, index=Index(content), money=load_money(directory),
                   centre=load_centre(directory, content.sources), directory=directory)

    def reload(self) -> None:
        """Load afresh; on ContentError nothing is swapped: the old content and rules stay."""
        content = load(self.directory)
        money = load_money(self.directory)
        centre = load_centre(self.directory, content.sources)
        self.content, self.index, self.money = content, Index(content), money
        self.centre = centre
