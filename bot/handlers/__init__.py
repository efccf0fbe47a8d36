"""Handlers: a private-chat router for users, a group router for staff, one error router.

Chat-type filters sit on the routers, so a handler never sees the wrong side.
In the group, staff handlers match only staff (``filters.IsStaff``,
``filters.StaffPress``); a command or press they leave is an outsider's
(``staff.outsiders``); any other message of staff in a topic is relayed.
Routers are built per Dispatcher (an aiogram router attaches only once).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType

from bot.handlers import client, errors, stale
from bot.handlers.filters import InChats
from bot.handlers.private import buttons as user_buttons
from bot.handlers.private import forms as user_forms
from bot.handlers.private import incidents as user_incidents
from bot.handlers.private import messages as user_messages
from bot.handlers.private import my, start
from bot.handlers.staff import buttons as staff_buttons
from bot.handlers.staff import catalogue as staff_catalogue
from bot.handlers.staff import commands as staff_commands
from bot.handlers.staff import incidents as staff_incidents
from bot.handlers.staff import messages as staff_messages
from bot.handlers.staff import outsiders

GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}


def private_router() -> Router:
    router = Router(name="private")
    router.message.filter(InChats([ChatType.PRIVATE]))
    router.callback_query.filter(InChats([ChatType.PRIVATE]))
    router.include_routers(
        start.build(),
        my.build(),
        client.build_private(),
        user_buttons.build(),
        user_incidents.build(),
        user_forms.build(),  # a form being filled takes the user's messages first
        user_messages.build(),
    )
    return router


def group_router() -> Router:
    router = Router(name="staff")
    router.message.filter(InChats(GROUPS))
    router.callback_query.filter(InChats(GROUPS))
    router.include_routers(
        staff_commands.build(),
        staff_catalogue.build(),  # /design, /invite
        client.build_group(),
        staff_buttons.build(),
        staff_incidents.build(),  # mass incidents: /mass /link /unlink and their buttons
        outsiders.build(),  # after the staff handlers: what they left of commands and presses
        staff_messages.build(),
    )
    return router


def build_router() -> Router:
    root = Router(name="root")
    root.include_routers(errors.build(), private_router(), group_router(), stale.build())
    return root
