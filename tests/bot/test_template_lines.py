"""Templates do not glue two lines together. The environment trims the newline
after a block tag, so a line that ends with an inline ``{% endif %}`` runs into
the next one («P2 · высокийКатегория: …» on the registration message, «…
среднийОтветственный» on the card) unless the tag keeps it (``+%}``) or a blank
line follows."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

TEMPLATES = Path(__file__).parents[2] / "bot" / "templates"
INLINE_END = re.compile(r"\S.*\{%-?\s*end(?:if|for)\s*%\}\s*$")


def test_no_line_ends_in_a_tag_that_swallows_its_newline() -> None:
    glued: list[str] = []
    for path in sorted(TEMPLATES.glob("*.j2")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for number, (line, following) in enumerate(itertools.pairwise(lines), 1):
            if line.lstrip().startswith("{%") or not INLINE_END.search(line):
                continue
            if following.strip() and not following.lstrip().startswith(("{%-", "{% end")):
                glued.append(f"{path.name}:{number}: {line.strip()[-60:]}")
    assert glued == []
