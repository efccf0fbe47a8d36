"""When a suggestion is good enough to show.

``suggest`` ranks entries by fused score (``knowledge._retrieval``). A
suggestion is *confident* when its score reaches ``confident``; the bot shows
only confident suggestions and sends everything else straight to
registration. Below ``floor`` nothing is returned at all; by default there
is no floor (scores can go below zero through the missing-information
penalty), so ``suggest`` ranks every entry that shares anything with the
query and the ranking figures (top-3, MRR) see the whole list.

The values are chosen on the development set
(``tests/knowledge/data/dev_set.csv``) by ``knowledge.tuning``; see
``knowledge/README.md`` for the procedure and the figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Thresholds:
    confident: float = 0.363
    floor: float = float("-inf")
    # With embeddings the fused score (``knowledge.semantic``) has its own scale;
    # when the second entry scores within ``fused_margin`` of the first, a
    # suggestion needs ``fused + fused_margin``. Both chosen by
    # ``python -m knowledge.tuning --confidence`` (see knowledge/README.md).
    fused: float = 0.825
    fused_margin: float = 0.05


DEFAULT_THRESHOLDS = Thresholds()
