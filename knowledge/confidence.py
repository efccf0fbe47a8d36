"""When a suggestion is good enough to show.

``suggest`` ranks entries by fused score (``knowledge.retrieval``). A
suggestion is *confident* when its score reaches ``confident``; the bot shows
only confident suggestions and sends everything else straight to
registration. Below ``floor`` nothing is returned at all.

The values are chosen on the development set
(``tests/knowledge/data/dev_set.csv``) by ``knowledge.tuning``; see
``knowledge/README.md`` for the procedure and the figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Thresholds:
    confident: float = 0.5
    floor: float = 0.05


DEFAULT_THRESHOLDS = Thresholds()
