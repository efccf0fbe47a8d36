"""The last callback handler: a press no other handler took is answered, never left spinning.

Reached by buttons of an older bot version, forged or garbled callback data, and
buttons pressed in the wrong kind of chat; it changes nothing.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery

from bot import texts

log = logging.getLogger(__name__)


async def stale_button(query: CallbackQuery) -> None:
    log.info("unhandled callback data %r from %s", query.data, query.from_user.id)
    await query.answer(texts.render("button_stale"), show_alert=True)


def build() -> Router:
    router = Router(name="stale")
    router.callback_query.register(stale_button)
    return router
