"""Offline Telegram and MAX: Bot API emulators with a web chat (ARCHITECTURE.md).

It imports nothing of ours: the bot talks to it over HTTP exactly as to
Telegram (and to MAX under ``/max``: ``sandbox/max``).
``server.running_sandbox`` serves it; ``client.SandboxControl`` drives it
from tests (people write, press buttons, faults are injected);
``sandbox/README.md`` lists what it emulates and how faithfully.
"""
