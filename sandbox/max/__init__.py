"""Offline MAX: the MAX Bot API emulated beside the Telegram one (sandbox/README.md, "MAX").

``world.MaxWorld`` is the MAX side's state, limits, faults and update feeds
(``Sandbox.max``); ``api`` serves the Bot API under ``/max``; ``control``
answers the control API's ``"channel": "max"`` calls; ``conversation``
posts messages and emits updates; ``markup`` reads html/markdown text.
"""
