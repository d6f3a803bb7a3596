"""A small imitation of what Moodle's ``format_text`` + HTML Purifier do to a forum message.

Moodle stores a post byte for byte and cleans it on the way out (``messagetrust`` 0, trap 40,
``mod_forum_get_forum_discussions/message-cleaned``). What the recording shows, and what this
purifier does (stdlib ``html.parser``, no dependency):

- HTML comments disappear (``<!-- lmsync:... -->``), the newlines around them stay;
- ``<script>``, ``<style>``, ``<iframe>``, ``<object>``, ``<embed>`` disappear *with their content*;
- other tags outside a small allow-list are dropped, their text kept;
- attributes outside an allow-list are dropped: ``data-*``, ``on*`` handlers, ``style``...;
  ``id``, ``class``, ``title``, ``lang``, ``dir`` survive everywhere, ``href`` on links (http,
  https, mailto only), ``src``/``alt``/``width``/``height`` on images;
- text is re-escaped (``&``, ``<``, ``>``), attribute values quoted.

It is not HTML Purifier (no nesting repair, no CSS): it only has to clean the way the recordings
show, so tests on the emulator see what a real site would show them.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q", "s", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
VOID_TAGS = frozenset({"br", "hr", "img"})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template"})
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir"})
TAG_ATTRIBUTES = {"a": frozenset({"href"}), "img": frozenset({"src", "alt", "width", "height"})}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


class _Purifier(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping: list[str] = []  # open tags whose content is dropped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag in DROPPED_WITH_CONTENT:
                self.skipping.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT:
            self.skipping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return
        kept = []
        allowed = GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            if name not in allowed or value is None:
                continue
            if name in ("href", "src") and not value.strip().lower().startswith(SAFE_SCHEMES):
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}{' /' if tag in VOID_TAGS else ''}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and tag in ALLOWED_TAGS and not self.skipping:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        return None  # comments never survive (trap 40)

    def handle_decl(self, decl: str) -> None:
        return None

    def handle_pi(self, data: str) -> None:
        return None

    def unknown_decl(self, data: str) -> None:
        return None


def purify(message: str) -> str:
    """``message`` as Moodle returns a post stored with ``messagetrust`` 0 (trap 40).

    ``'<p>A</p>\\n<!-- x -->\\n<p data-k="1" id="m">B</p><script>x()</script>'`` ->
    ``'<p>A</p>\\n\\n<p id="m">B</p>'``.
    """
    parser = _Purifier()
    parser.feed(message)
    parser.close()
    return "".join(parser.out)
