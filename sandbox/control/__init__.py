"""The control API under ``/sandbox/api/``: what tests and the web chat drive.

The contract (kept stable, other parts rely on it) is listed in
``sandbox/README.md``.
"""

from aiohttp import web

from sandbox.control import chat, world
from sandbox.control.common import control_errors


def add_routes(app: web.Application) -> None:
    world.add_routes(app)
    chat.add_routes(app)


__all__ = ["add_routes", "control_errors"]
