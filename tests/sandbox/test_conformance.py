"""The real aiogram client calls every implemented method and accepts what comes back.

aiogram parses each result into its own models (Message, ForumTopic,
ChatFullInfo, ...); a field it requires and the sandbox forgot would fail
here exactly as a bot would fail against a broken server.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginUser,
    ReplyParameters,
)

from sandbox.methods import METHODS
from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import CONSULTANT_IDS, STAFF_CHAT_ID, USER_ID
from tests.sandbox.images import png

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Взять", callback_data="take:1")]]
)


def buttons(markup: InlineKeyboardMarkup | None) -> list[tuple[str, str | None]]:
    rows = markup.inline_keyboard if markup else []
    return [(b.text, b.callback_data) for row in rows for b in row]


async def test_get_me_describes_the_sandbox_bot(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    me = await sandbox_bot.get_me()
    assert me.is_bot
    assert me.id == seeded_sandbox.bot_id
    assert me.username == "supportdesk_sandbox_bot"


async def test_send_message_returns_a_message_with_html_entities(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    sent = await sandbox_bot.send_message(
        USER_ID, "<b>Заявка</b> DEMO-1 <i>принята</i>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert isinstance(sent, Message)
    assert sent.text == "Заявка DEMO-1 принята"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 0, 6),
        ("italic", 14, 7),
    ]
    assert buttons(sent.reply_markup) == [("Взять", "take:1")]
    assert sent.chat.id == USER_ID


async def test_edit_text_markup_and_delete(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    sent = await sandbox_bot.send_message(USER_ID, "Статус: новая", reply_markup=KEYBOARD)
    edited = await sandbox_bot.edit_message_text(
        "Статус: в работе", chat_id=USER_ID, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert edited.text == "Статус: в работе"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without a keyboard removes it, as on Telegram
    again = await sandbox_bot.edit_message_reply_markup(
        chat_id=USER_ID, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert isinstance(again, Message)
    assert buttons(again.reply_markup) == [("Взять", "take:1")]
    assert await sandbox_bot.delete_message(USER_ID, sent.message_id) is True
    shown = await seeded_sandbox.control.messages(USER_ID)
    assert sent.message_id not in [m["message_id"] for m in shown]


async def test_forum_topic_lifecycle(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    topic = await sandbox_bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-1 · P3 · Не проводится")
    assert isinstance(topic, ForumTopic)
    assert await sandbox_bot.edit_forum_topic(
        STAFF_CHAT_ID, topic.message_thread_id, name="DEMO-1 · P2 · Не проводится"
    )
    assert await sandbox_bot.close_forum_topic(STAFF_CHAT_ID, topic.message_thread_id)
    assert await sandbox_bot.reopen_forum_topic(STAFF_CHAT_ID, topic.message_thread_id)
    card = await sandbox_bot.send_message(
        STAFF_CHAT_ID, "Карточка", message_thread_id=topic.message_thread_id
    )
    assert card.message_thread_id == topic.message_thread_id
    assert card.is_topic_message
    assert await sandbox_bot.pin_chat_message(STAFF_CHAT_ID, card.message_id)
    chat = await sandbox_bot.get_chat(STAFF_CHAT_ID)
    assert chat.pinned_message is not None
    assert chat.pinned_message.message_id == card.message_id
    assert await seeded_sandbox.control.topics(STAFF_CHAT_ID) == [
        {
            "message_thread_id": topic.message_thread_id,
            "name": "DEMO-1 · P2 · Не проводится",
            "icon_color": topic.icon_color,
            "closed": False,
        }
    ]
    service = await seeded_sandbox.control.messages(
        STAFF_CHAT_ID, message_thread_id=topic.message_thread_id
    )
    kinds = [next(k for k in m if k.startswith("forum_topic_") or k == "text") for m in service]
    assert kinds == [
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
        "text",
    ]


async def test_copy_and_forward_a_users_message_into_a_topic(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    original = await seeded_sandbox.control.send(USER_ID, USER_ID, "Не проводится документ")
    topic = await sandbox_bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-2")
    copied = await sandbox_bot.copy_message(
        STAFF_CHAT_ID, USER_ID, original, message_thread_id=topic.message_thread_id
    )
    forwarded = await sandbox_bot.forward_message(
        STAFF_CHAT_ID, USER_ID, original, message_thread_id=topic.message_thread_id
    )
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == USER_ID
    in_topic = await seeded_sandbox.control.messages(
        STAFF_CHAT_ID, message_thread_id=topic.message_thread_id, after=topic.message_thread_id
    )
    assert [(m["message_id"], m["text"]) for m in in_topic] == [
        (copied.message_id, "Не проводится документ"),
        (forwarded.message_id, "Не проводится документ"),
    ]
    assert in_topic[0]["from"]["id"] == seeded_sandbox.bot_id


async def test_reply_parameters_point_at_the_replied_message(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    question = await seeded_sandbox.control.send(USER_ID, USER_ID, "Когда закроют период?")
    answer = await sandbox_bot.send_message(
        USER_ID, "Сегодня", reply_parameters=ReplyParameters(message_id=question)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.message_id == question
    assert answer.reply_to_message.text == "Когда закроют период?"


async def test_photo_and_document_uploads_and_file_download(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    image = png(5, 4)
    photo = await sandbox_bot.send_photo(
        USER_ID, BufferedInputFile(image, "screen.png"), caption="Скриншот"
    )
    assert photo.photo is not None
    assert (photo.photo[-1].width, photo.photo[-1].height) == (5, 4)
    assert photo.caption == "Скриншот"
    doc = await sandbox_bot.send_document(
        STAFF_CHAT_ID, BufferedInputFile("акт сверки".encode(), "акт.txt")
    )
    assert doc.document is not None
    assert doc.document.file_name == "акт.txt"
    # file_id reuse: the same photo again without uploading it
    again = await sandbox_bot.send_photo(STAFF_CHAT_ID, photo.photo[-1].file_id)
    assert again.photo is not None
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    file = await sandbox_bot.get_file(doc.document.file_id)
    assert file.file_path is not None
    downloaded = await sandbox_bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == "акт сверки".encode()


async def test_members_administrators_commands_and_chat_action(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    admin = await sandbox_bot.get_chat_member(STAFF_CHAT_ID, CONSULTANT_IDS[0])
    member = await sandbox_bot.get_chat_member(STAFF_CHAT_ID, CONSULTANT_IDS[1])
    assert isinstance(admin, ChatMemberAdministrator)
    assert isinstance(member, ChatMemberMember)
    admins = await sandbox_bot.get_chat_administrators(STAFF_CHAT_ID)
    assert {a.user.id for a in admins} == {seeded_sandbox.bot_id, CONSULTANT_IDS[0]}
    assert not any(isinstance(a, ChatMemberOwner) for a in admins)
    private = await sandbox_bot.get_chat(USER_ID)
    assert isinstance(private, ChatFullInfo)
    assert private.type == "private"
    assert private.first_name == "Анна"
    commands = [BotCommand(command="new", description="Новая заявка")]
    scope = BotCommandScopeAllPrivateChats()
    assert await sandbox_bot.set_my_commands(commands, scope=scope, language_code="ru")
    kept = await sandbox_bot.get_my_commands(scope=scope, language_code="ru")
    assert [(c.command, c.description) for c in kept] == [("new", "Новая заявка")]
    assert await sandbox_bot.get_my_commands() == []  # other scopes keep their own lists
    assert await sandbox_bot.send_chat_action(USER_ID, "typing")


async def test_callback_query_round_trip(seeded_sandbox: SandboxHandle, sandbox_bot: Bot):
    sent = await sandbox_bot.send_message(USER_ID, "Помогло?", reply_markup=KEYBOARD)
    control = seeded_sandbox.control
    pressed = await control.click(USER_ID, USER_ID, sent.message_id, "take:1")
    updates = await sandbox_bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None
    assert query.id == pressed["callback_query_id"]
    assert query.data == "take:1"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert await sandbox_bot.answer_callback_query(query.id, text="Принято")


async def test_every_implemented_method_answers_aiogram(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    """One pass over the whole method table, so a method added later cannot go untested."""
    bot, control = sandbox_bot, seeded_sandbox.control
    await control.set_flood_limits(False)
    asked = await control.send(USER_ID, USER_ID, "Вопрос")
    assert await bot.get_me()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.set_webhook("http://127.0.0.1:9/hook")
    assert await bot.delete_webhook()
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None
    assert update.message.message_id == asked
    assert await bot.set_my_commands([BotCommand(command="my", description="Мои заявки")])
    assert len(await bot.get_my_commands()) == 1
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    assert await bot.send_chat_action(USER_ID, "typing")
    sent = await bot.send_message(USER_ID, "Ответ", reply_markup=KEYBOARD)
    await bot.edit_message_text("Ответ 2", chat_id=USER_ID, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=USER_ID, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    photo = await bot.send_photo(USER_ID, BufferedInputFile(png(), "p.png"), caption="до")
    captioned = await bot.edit_message_caption(
        chat_id=USER_ID, message_id=photo.message_id, caption="после"
    )
    assert isinstance(captioned, Message)
    assert captioned.caption == "после"
    doc = await bot.send_document(USER_ID, BufferedInputFile(b"1", "a.txt"))
    assert doc.document is not None
    assert (await bot.get_file(doc.document.file_id)).file_size == 1
    topic = await bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-9")
    thread = topic.message_thread_id
    assert await bot.edit_forum_topic(STAFF_CHAT_ID, thread, name="DEMO-9 ✓")
    assert await bot.close_forum_topic(STAFF_CHAT_ID, thread)
    assert await bot.reopen_forum_topic(STAFF_CHAT_ID, thread)
    copied = await bot.copy_message(STAFF_CHAT_ID, USER_ID, asked, message_thread_id=thread)
    await bot.forward_message(STAFF_CHAT_ID, USER_ID, asked, message_thread_id=thread)
    assert await bot.pin_chat_message(STAFF_CHAT_ID, copied.message_id)
    assert await bot.unpin_chat_message(STAFF_CHAT_ID)
    assert (await bot.get_chat(STAFF_CHAT_ID)).pinned_message is None
    assert await bot.get_chat_member_count(STAFF_CHAT_ID) == 3
    assert await bot.get_chat_member(STAFF_CHAT_ID, USER_ID)
    assert len(await bot.get_chat_administrators(STAFF_CHAT_ID)) == 2
    assert await bot.delete_forum_topic(STAFF_CHAT_ID, thread)
    assert await control.topics(STAFF_CHAT_ID) == []
    pressed = await control.click(USER_ID, USER_ID, sent.message_id, "take:1")
    assert await bot.answer_callback_query(pressed["callback_query_id"])
    assert await bot.delete_message(USER_ID, sent.message_id)

    implemented = {info.name for info in METHODS.values()}
    assert set(seeded_sandbox.sandbox.calls) == implemented


async def test_topic_messages_reply_to_the_topics_first_message_like_telegram(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    topic = await sandbox_bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-3")
    card = await sandbox_bot.send_message(
        STAFF_CHAT_ID, "Карточка", message_thread_id=topic.message_thread_id
    )
    assert card.reply_to_message is not None
    assert card.reply_to_message.forum_topic_created is not None
    assert card.reply_to_message.forum_topic_created.name == "DEMO-3"
    # a reply to a message in the topic lands in the topic without naming it
    answer = await sandbox_bot.send_message(
        STAFF_CHAT_ID, "Ответ", reply_parameters=ReplyParameters(message_id=card.message_id)
    )
    assert answer.message_thread_id == topic.message_thread_id
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.message_id == card.message_id


async def test_a_location_from_a_user_can_be_copied_to_staff(
    seeded_sandbox: SandboxHandle, sandbox_bot: Bot
):
    location = {"latitude": 55.75, "longitude": 37.61}
    shared = await seeded_sandbox.control.send(USER_ID, USER_ID, content={"location": location})
    copied = await sandbox_bot.copy_message(STAFF_CHAT_ID, USER_ID, shared)
    [shown] = await seeded_sandbox.control.messages(STAFF_CHAT_ID)
    assert shown["message_id"] == copied.message_id
    assert shown["location"] == location
    assert shown["from"]["id"] == seeded_sandbox.bot_id
