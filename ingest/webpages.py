"""Saved web pages (.html): the article's headings, paragraphs and tables, without scripts, menus or footers.

The stdlib parser is linear and keeps no tree: a page nested 100,000 levels deep costs a counter, and
every tag and text piece is a step of the file's parse budget.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from ingest.budget import ParseBudget
from ingest.cleaning import clean_line
from ingest.encoding import decode_text
from ingest.structure import Block, Loaded, heading_level
from ingest.tables import table_lines
from ingest.webtext import drop_meta_lines, infer_meta, is_boilerplate

_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "nav", "header", "footer", "aside",
         "form", "button", "select", "textarea", "object", "canvas"}
_BREAK = {"p", "div", "li", "ul", "ol", "section", "article", "main", "blockquote", "pre", "dd", "dt", "dl",
          "figcaption", "figure", "address", "center", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr",
          "caption", "body", "html"}
_META_KEYS = {"author": "author", "publishdate": "date", "pubdate": "date", "article:published_time": "date",
              "og:title": "title", "source": "origin", "contentsource": "origin", "og:site_name": "origin"}


class _Article(HTMLParser):
    def __init__(self, budget: ParseBudget) -> None:
        super().__init__(convert_charrefs=True)
        self.budget = budget
        self.blocks: list[Block] = []
        self.meta: dict[str, str] = {}
        self.page_title = ""
        self._text: list[str] = []
        self._level = 0
        self._skip = 0  # depth inside elements whose text is never content
        self._in_title = False
        self._tables = 0
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.budget.step()
        if self._skip:
            if tag in _SKIP:
                self._skip += 1
            return
        if tag == "meta":
            values = dict(attrs)
            key = (values.get("name") or values.get("property") or "").strip().lower()
            if key in _META_KEYS and values.get("content") and _META_KEYS[key] not in self.meta:
                self.meta[_META_KEYS[key]] = clean_line(values["content"])[:200]
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in _SKIP:
            self._skip = 1
            return
        if tag == "table":
            self._tables += 1
            if self._tables == 1:
                self._flush()
                self._rows = []
            return
        if self._tables == 1 and tag == "tr":
            self._rows.append([])
            return
        if self._tables == 1 and tag in ("td", "th"):
            self._cell = []
            return
        if tag == "br":
            self._newline()
        elif tag in _BREAK:
            self._flush()
            if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
                self._level = int(tag[1])

    def handle_endtag(self, tag):
        self.budget.step()
        if self._skip:
            if tag in _SKIP:
                self._skip -= 1
            return
        if tag == "title":
            self._in_title = False
        elif tag == "table" and self._tables:
            self._tables -= 1
            if self._tables == 0:
                self._end_cell()
                self.blocks += [Block(line) for line in table_lines(self._rows)]
                self._rows = []
        elif self._tables == 1 and tag in ("td", "th"):
            self._end_cell()
        elif tag in _BREAK:
            self._flush()

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.budget.step()
            self._newline()
        elif tag == "meta":
            self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.budget.step(len(data))
        if self._in_title:
            self.page_title += data
        elif self._skip:
            return
        elif self._cell is not None:
            self._cell.append(data)
        else:
            self._text.append(data)

    def close(self):
        super().close()
        self._end_cell()
        if self._rows:
            self.blocks += [Block(line) for line in table_lines(self._rows)]
        self._flush()

    def _end_cell(self):
        if self._cell is not None:
            if not self._rows:
                self._rows.append([])
            self._rows[-1].append("".join(self._cell))
            self._cell = None

    def _newline(self):
        if self._cell is not None:
            self._cell.append("\n")
        else:
            self._flush(keep_level=True)

    def _flush(self, keep_level: bool = False):
        text = clean_line("".join(self._text))
        self._text = []
        if text:
            level = self._level or heading_level(text)
            self.blocks.append(Block(text, level=min(level, 6)))
        if not keep_level:
            self._level = 0


def parse_html(text: str, budget: ParseBudget) -> tuple[list[Block], dict, str]:
    """(blocks, <meta> values found — title/date/author/origin, the <title> text) of one page."""
    parser = _Article(budget)
    for start in range(0, len(text), 1 << 20):
        budget.check_time()  # here too: an unclosed comment is rescanned at every piece without a callback
        parser.feed(text[start:start + (1 << 20)])
    parser.close()
    return parser.blocks, parser.meta, clean_line(parser.page_title)


def load_html(data: bytes, name: str, budget: ParseBudget) -> Loaded:
    """A saved page as a Loaded: boilerplate dropped, title/date/author/origin guessed (marked as inferred)."""
    text, _ = decode_text(data, name=name)
    blocks, tags, page_title = parse_html(text, budget)
    blocks = [b for b in blocks if not is_boilerplate(b.text)]
    h1 = next((b.text for b in blocks if b.level == 1), None)
    # a <title> is "文章标题_栏目_网站": its first part is the article's
    title = h1 or tags.get("title") or (re.split(r"\s*[_|｜]\s*|\s+-\s+", page_title)[0] if page_title else None)
    inferred = infer_meta([b.text for b in blocks], title=title)
    if tags.get("date"):
        guessed = infer_meta([tags["date"]], title="-").get("date")
        if guessed:
            inferred["date"] = guessed
    for key in ("author", "origin"):
        if tags.get(key):
            inferred[key] = tags[key][:40]
    blocks = drop_meta_lines(blocks)
    if inferred.get("title") and not h1 and blocks and blocks[0].text == inferred["title"]:
        blocks[0] = Block(blocks[0].text, level=1)  # the guessed title heads the document
    return Loaded(blocks, inferred=inferred)
