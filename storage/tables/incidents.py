"""Mass incidents: reports linked to an incident ticket (revision ``0010_incidents``)."""

from __future__ import annotations
