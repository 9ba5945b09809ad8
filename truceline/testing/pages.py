"""What a person reads of a page: its text outside code, scripts, styles and form values."""

from __future__ import annotations

from html.parser import HTMLParser

# elements whose content is not the page's words (code, scripts, what a user typed)
HIDDEN = {"script", "style", "code", "pre", "title", "textarea", "kbd", "samp"}


class Text(HTMLParser):
    """Feed it a page; `parts` is its text, piece by piece, outside the HIDDEN elements."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.hidden += tag in HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in HIDDEN

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)
