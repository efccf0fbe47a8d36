"""The sandbox stops at once and cleanly: a waiter cancelled as it is notified
stops, a long poll does not hold the shutdown, and a write running in its
worker thread finishes before the store is closed."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import aiohttp
import pytest

from sandbox._state import Notifier
from sandbox.core import Sandbox, SandboxConfig
from sandbox.server import running_sandbox


async def test_a_waiter_cancelled_as_it_is_notified_stops() -> None:
    """On Python 3.11 ``wait_for`` lost such a cancellation: the webhook pusher
    then looped for ever and a demo with a taken port never exited."""
    notifier = Notifier()

    async def waiter() -> None:
        while True:
            await notifier.wait(5.0)

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)  # the waiter waits
    notifier.notify()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2.0)


async def test_a_waiting_long_poll_does_not_hold_the_shutdown(tmp_path: Path) -> None:
    """A bot's getUpdates waiting 25 s is answered at the shutdown, which then
    does not sit out its 1 s grace for that request (each test paid it)."""
    async with aiohttp.ClientSession() as http:
        context = running_sandbox(tmp_path / "sb")
        handle = await context.__aenter__()
        url = f"{handle.url}/bot{handle.token}/getUpdates"
        poll = asyncio.create_task(http.post(url, json={"timeout": 25}))
        while not handle.sandbox.feed.waiting:
            await handle.sandbox.feed.waiting_changed.wait(5.0)
        await context.__aexit__(None, None, None)
        answer = await asyncio.wait_for(poll, 5)
        body = await answer.json()
    # answered at once with no updates; before, the request was cut off
    # after the shutdown's 1 s grace
    assert answer.status == 200
    assert body == {"ok": True, "result": []}


async def test_stop_waits_for_a_write_in_its_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = Sandbox(SandboxConfig(tmp_path))
    writing, release = threading.Event(), threading.Event()
    real_write = sandbox.store.write

    def slow_write(rows: list[tuple[str, str, str | None]]) -> None:
        writing.set()
        release.wait(5)
        real_write(rows)

    monkeypatch.setattr(sandbox.store, "write", slow_write)

    async def noop(_: object) -> None:
        return None

    await sandbox.start(noop)
    sandbox.ensure_user(4242, "Вера", None, "vera")
    flushing = asyncio.create_task(sandbox.flush())
    await asyncio.to_thread(writing.wait, 5)
    flushing.cancel()  # as the flusher is cancelled at stop
    stopping = asyncio.create_task(sandbox.stop())
    await asyncio.sleep(0.1)
    assert not stopping.done()  # it waits for the write in the thread
    release.set()
    await asyncio.wait_for(stopping, 5)
    again = Sandbox(SandboxConfig(tmp_path))
    assert 4242 in again.state.users  # what was being written is kept
    again.store.close()
