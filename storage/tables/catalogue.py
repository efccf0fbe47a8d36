"""The service catalogue: request forms in progress and approvals (revision ``0011_catalogue``)."""

from __future__ import annotations
