"""A message's text and entities as Telegram HTML that is safe to relay.

aiogram's ``Message.html_text`` puts entity attributes (a link's URL, a code
block's language, a custom emoji's id) into the markup as they came: a URL
holding ``"><b>INJ</b>`` broke the markup (Telegram refused the relay) or
added markup of its own.  Here every attribute value is escaped, and a link
whose URL is not plainly http(s), tg or mailto keeps its text but loses the
link (``javascript:`` and its disguises with case, whitespace or control
characters).
"""

from __future__ import annotations

import html
import re

from aiogram.types import MessageEntity
from aiogram.utils.text_decorations import HtmlDecoration

# a scheme we relay as a link; anything else (javascript:, data:, file:...) stays text
_SAFE_LINK = re.compile(r"(?:https?://|tg://|mailto:)\S+", re.IGNORECASE)


def safe_link(url: str) -> bool:
    """``url`` starts with an allowed scheme and holds no whitespace, control,
    format or other invisible character that could disguise what it is."""
    return _SAFE_LINK.fullmatch(url) is not None and url.isprintable()


class _RelayDecoration(HtmlDecoration):
    """aiogram's HTML decoration with escaped attributes and only safe links."""

    def _tag(
        self,
        tag: str,
        content: str,
        *,
        attrs: dict[str, str] | None = None,
        flags: list[str] | None = None,
    ) -> str:
        escaped = {k: html.escape(v, quote=True) for k, v in (attrs or {}).items()}
        return super()._tag(tag, content, attrs=escaped, flags=flags)

    def link(self, value: str, link: str) -> str:
        return super().link(value, link) if safe_link(link) else value

    def pre_language(self, value: str, language: str) -> str:
        # Telegram reads the language from <code class="language-…"> inside <pre>
        code = self._tag(self.CODE_TAG, value, attrs={"class": f"language-{language}"})
        return self._tag(self.PRE_TAG, code)


_DECORATION = _RelayDecoration()


def to_html(text: str, entities: list[MessageEntity] | None) -> str:
    """``text`` with its ``entities`` as Telegram HTML; the text itself escaped."""
    return _DECORATION.unparse(text, entities)
