"""Plain text of an HTML page, as a reader sees it (the stdlib parser; no network, no scripts).

Scripts, styles and other non-content elements are dropped; block elements (paragraphs,
headings, list items, table rows, line breaks) end lines, a paragraph gap between blocks;
runs of whitespace inside text collapse to one space, as a browser shows them, except inside
<pre>. Character references are decoded. Every offset the service reports for an uploaded
page is into this text, which is what the document stores.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never text a reader sees.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "canvas",
                      "iframe", "object", "select", "button"})
# Elements that start and end a block of text.
_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote",
    "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "h1", "h2",
    "h3", "h4", "h5", "h6", "figure", "figcaption", "form", "fieldset", "address", "hr",
    "caption", "summary", "details",
})
_CELLS = frozenset({"td", "th"})
_VOID_BREAKS = frozenset({"br"})
_SPACES = re.compile(r"[ \t\r\n\f\u200b]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.title_pieces: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIPPED:
            self._skip_depth += 1
            return
        if tag == "pre":
            self._pre_depth += 1
        if tag in _BLOCKS:
            self.pieces.append("\n\n")
        elif tag in _VOID_BREAKS:
            self.pieces.append("\n")
        elif tag in _CELLS:
            self.pieces.append(" \t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_BREAKS:
            self.pieces.append("\n")
        elif tag in _BLOCKS:
            self.pieces.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        if tag in _BLOCKS:
            self.pieces.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_pieces.append(data)
        if self._skip_depth:
            return
        if self._pre_depth:
            # Kept as written; \x00 marks it so that the later collapsing leaves it alone.
            self.pieces.append("\x00" + data.replace("\n", "\x01") + "\x00")
        else:
            self.pieces.append(_SPACES.sub(" ", data))


def html_to_text(html: str) -> tuple[str, str | None]:
    """Gives the visible text of an HTML document and its <title> (None if it has none)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.pieces)
    lines = []
    for line in raw.split("\n"):
        pre_parts = line.split("\x00")
        # Outside <pre> (even indexes), collapse spaces; inside, keep them.
        line = "".join(part if i % 2 else _SPACES.sub(" ", part)
                       for i, part in enumerate(pre_parts))
        lines.append(line.strip(" \t") if len(pre_parts) == 1 else line.rstrip())
    text = "\n".join(lines).replace("\x01", "\n")
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    title = " ".join("".join(parser.title_pieces).split()) or None
    return text, title
