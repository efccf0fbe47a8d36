"""One table of Telegram's HTML rules, run against both readers of them.

``knowledge/_html.py`` checks FAQ answers, ``sandbox/_html_text.py`` plays
Telegram; neither may import the other, so both are held to these rows by
``tests/knowledge/test_html_rules.py`` and ``tests/sandbox/test_html_rules.py``.

The rules are the documented ones (https://core.telegram.org/bots/api#html-style).
Where Telegram's server is more lenient than its documentation (it keeps a lone
``&`` or ``&nbsp;`` as typed, reads ``<a>`` without ``href`` and ignores unknown
attributes) the rows follow the documentation: what passes here is what
Telegram promises to accept. A bare ``>`` is the one leniency kept: it cannot
be misread, and Telegram accepts it.

Each row: the markup, whether it is accepted, and the plain text a user sees
(None when refused).
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    markup: str
    accepted: bool
    text: str | None = None


def ok(markup: str, text: str) -> Case:
    return Case(markup, True, text)


def refused(markup: str) -> Case:
    return Case(markup, False)


CASES: list[Case] = [
    # every documented tag
    ok("<b>ж</b> <strong>ж</strong>", "ж ж"),
    ok("<i>к</i> <em>к</em>", "к к"),
    ok("<u>п</u> <ins>п</ins>", "п п"),
    ok("<s>з</s> <strike>з</strike> <del>з</del>", "з з з"),
    ok('<span class="tg-spoiler">тайна</span>', "тайна"),
    ok("<span class='tg-spoiler'>тайна</span>", "тайна"),
    ok("<span class=tg-spoiler>тайна</span>", "тайна"),
    ok("<tg-spoiler>тайна</tg-spoiler>", "тайна"),
    ok(
        '<b>bold <i>italic bold <s>italic bold strikethrough <span class="tg-spoiler">'
        "italic bold strikethrough spoiler</span></s> <u>underline italic bold</u></i> bold</b>",
        "bold italic bold italic bold strikethrough italic bold strikethrough spoiler "
        "underline italic bold bold",
    ),
    ok('<a href="http://www.example.com/">inline URL</a>', "inline URL"),
    ok('<a href="tg://user?id=123456789">упоминание</a>', "упоминание"),
    ok('<a href="">без адреса</a>', "без адреса"),
    ok('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ok('<tg-time unix="1647531900" format="wDT">22:45 завтра</tg-time>', "22:45 завтра"),
    ok('<tg-time unix="1647531900" format="r">22:45</tg-time>', "22:45"),
    ok('<tg-time unix="1647531900">22:45</tg-time>', "22:45"),
    ok("<code>inline fixed-width code</code>", "inline fixed-width code"),
    ok("<pre>блок</pre>", "блок"),
    ok('<pre><code class="language-python">print(1)</code></pre>', "print(1)"),
    ok("<pre><code>x = 1</code></pre>", "x = 1"),
    ok("<blockquote>цитата\nещё строка</blockquote>", "цитата\nещё строка"),
    ok("<blockquote expandable>длинная цитата</blockquote>", "длинная цитата"),
    # tags are read case-blind, with spaces before the ">"
    ok("<B>да</B> <b >да</b >", "да да"),
    # the four named entities and numeric references, nothing else
    ok("&lt; &gt; &amp; &quot;", '< > & "'),
    ok("&#1071; &#x42F; &#X42f; &#128512; &#128;", "Я Я Я 😀 \x80"),
    ok("AT&amp;T", "AT&T"),
    ok("&amp;nbsp;", "&nbsp;"),
    ok("<code>1 &lt; 2 &amp;&amp; b</code>", "1 < 2 && b"),
    ok("Файл > Открыть", "Файл > Открыть"),
    # inside a quoted attribute value ">", "<" and a lone "&" are part of the tag
    ok('<a href="https://its.1c.ru/?a=1&b=2&amp;c=3">ИТС</a>', "ИТС"),
    ok('<a href="https://x.ru/?q=<b>>1">ссылка</a>', "ссылка"),
    ok("строка 1\nстрока 2\n\n  отступ", "строка 1\nстрока 2\n\n  отступ"),
    # a lone "&" and names Telegram does not know
    refused("ООО «Рога & Копыта»"),
    refused("AT&T"),
    refused("a &b"),
    refused("&apos;"),
    refused("&nbsp;"),
    refused("&LT;"),
    refused("&amp без точки с запятой"),
    refused("&lt"),
    refused("&#;"),
    refused("&#x;"),
    refused("&#0;"),
    refused("&#xD800;"),
    refused("&#x110000;"),
    # a bare "<"
    refused("a < b"),
    refused("1<2"),
    refused("<>"),
    refused("ок <"),
    # spoilers only as documented
    refused("<span>x</span>"),
    refused('<span class="spoiler">x</span>'),
    # tags and attributes Telegram does not document
    refused("<h1>Заголовок</h1>"),
    refused("<p>абзац</p>"),
    refused("строка<br>строка"),
    refused("<script>x</script>"),
    refused('<b class="x">y</b>'),
    refused('<a href="https://x.ru" target="_blank">y</a>'),
    refused("<a>https://x.ru</a>"),
    refused('<code class="language-python">x</code>'),
    refused('<pre><code class="python">x</code></pre>'),
    refused('<pre class="language-python">x</pre>'),
    refused("<tg-emoji>👍</tg-emoji>"),
    refused('<tg-time format="t">22:45</tg-time>'),
    refused('<tg-time unix="завтра">22:45</tg-time>'),
    refused('<tg-time unix="1647531900" format="x">22:45</tg-time>'),
    refused("<blockquote expandable=yes>x</blockquote>"),
    # tags that do not close, close twice or cross
    refused("ок <b>"),
    refused("ок </b>"),
    refused("<i>a</b>"),
    refused("<b><i>a</b></i>"),
    refused("<b>x</b"),
    refused("ок <b"),
    refused("<b>x</>"),
    refused("<b>x</b y>"),
    refused('<a href="x>ссылка</a>'),
    refused("<a href>x</a>"),
    refused('<a ="x">x</a>'),
    refused("<a href=x/y>x</a>"),
    refused('<a href=""><b>INJ</b><a href="x">ссылка</a>'),
]
