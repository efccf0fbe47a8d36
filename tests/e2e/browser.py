"""The real Chromium for page tests: Debian's /usr/bin/chromium driven by Playwright.

Skipped where Chromium is missing, unless SUPPORTDESK_REQUIRE_BROWSER=1 (CI), then failed.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
# As root on a closed network: no sandbox, no GPU, nothing that calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def chromium_path() -> Path:
    """System Chromium; skipped without it unless SUPPORTDESK_REQUIRE_BROWSER=1 (CI)."""
    if not CHROMIUM.exists():
        if os.environ.get("SUPPORTDESK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (SUPPORTDESK_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing")
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()
