"""MAX uploads and files: POST /uploads, the upload URL, attachment.not.ready, downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from maxapi import Bot
from maxapi.enums.upload_type import UploadType
from maxapi.exceptions.download_file import DownloadFileError
from maxapi.exceptions.max import MaxApiError
from maxapi.types import InputMedia, InputMediaBuffer
from maxapi.types.attachments.upload import AttachmentPayload, AttachmentUpload

from sandbox.server import SandboxHandle, running_sandbox
from tests.sandbox.images import png
from tests.sandbox.max_fixtures import MAX_USER_ID, max_bot_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_an_image_sent_at_once_is_not_ready_and_the_client_retries(
    max_sandbox: SandboxHandle, max_bot: Bot
):
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID,
        text="Скриншот",
        attachments=[InputMediaBuffer(png(), filename="screen")],
        sleep_after_input_media=False,  # no pause after the upload: MAX is not ready yet
    )
    assert sent is not None
    assert sent.message.body is not None
    [image] = sent.message.body.attachments or []
    assert image.type == "image"
    stats = (await max_sandbox.control.stats())["max"]
    assert stats["not_ready"] >= 1  # the first try was refused, a retry went through
    [shown] = await max_sandbox.control.messages(MAX_USER_ID, channel="max")
    assert shown["text"] == "Скриншот"
    [media] = shown["media"]
    assert media["kind"] == "image"
    assert media["mime_type"] == "image/png"
    async with (
        aiohttp.ClientSession() as session,
        session.get(max_sandbox.url + media["file_url"]) as resp,
    ):
        assert await resp.read() == png()


async def upload_by_hand(handle: SandboxHandle, kind: str, name: str, data: bytes) -> Any:
    headers = {"Authorization": handle.max_token}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            handle.max_url + "/uploads", params={"type": kind}, headers=headers
        ) as resp:
            assert resp.status == 200
            endpoint = await resp.json()
        form = aiohttp.FormData()
        form.add_field("data", data, filename=name)
        async with session.post(endpoint["url"], data=form) as resp:
            assert resp.status == 200
            uploaded = await resp.json()
        again = aiohttp.FormData()
        again.add_field("data", data, filename=name)
        async with session.post(endpoint["url"], data=again) as resp:
            assert resp.status == 400  # one file per upload URL
    return uploaded


async def send_by_hand(handle: SandboxHandle, attachment: dict[str, Any]) -> tuple[int, Any]:
    headers = {"Authorization": handle.max_token}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            handle.max_url + "/messages",
            params={"user_id": str(MAX_USER_ID)},
            json={"text": "файл", "attachments": [attachment]},
            headers=headers,
        ) as resp,
    ):
        return resp.status, await resp.json()


async def test_attaching_before_the_delay_is_attachment_not_ready(tmp_path: Path):
    async with running_sandbox(tmp_path / "s", max_upload_delay=3600) as handle:
        await handle.control.create_user(MAX_USER_ID, "Ирина", channel="max")
        uploaded = await upload_by_hand(handle, "file", "act.pdf", PDF)
        status, body = await send_by_hand(
            handle, {"type": "file", "payload": {"token": uploaded["token"]}}
        )
        assert (status, body["code"]) == (400, "attachment.not.ready")
        assert await handle.control.messages(MAX_USER_ID, channel="max") == []
        handle.sandbox.max.upload_delay = 0
        status, body = await send_by_hand(
            handle, {"type": "file", "payload": {"token": uploaded["token"]}}
        )
        assert status == 200
        [file] = body["message"]["body"]["attachments"]
        assert (file["type"], file["filename"], file["size"]) == ("file", "act.pdf", len(PDF))


async def test_an_image_upload_answers_photos_with_the_token(max_sandbox: SandboxHandle):
    max_sandbox.sandbox.max.upload_delay = 0
    uploaded = await upload_by_hand(max_sandbox, "image", "a.png", png())
    [(photo_id, entry)] = uploaded["photos"].items()
    assert photo_id.isdigit()
    status, body = await send_by_hand(max_sandbox, {"type": "image", "payload": uploaded})
    assert status == 200
    [image] = body["message"]["body"]["attachments"]
    assert image["payload"]["token"] == entry["token"]
    assert image["payload"]["url"].startswith(max_sandbox.url + "/max/files/")


async def test_bad_uploads_and_tokens_are_refused(max_sandbox: SandboxHandle):
    headers = {"Authorization": max_sandbox.max_token}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            max_sandbox.max_url + "/uploads", params={"type": "photo"}, headers=headers
        ) as resp:
            assert resp.status == 400  # MAX dropped type=photo for type=image
        async with session.post(
            max_sandbox.max_url + "/uploads", params={"type": "image"}, headers=headers
        ) as resp:
            url = (await resp.json())["url"]
        form = aiohttp.FormData()
        form.add_field("data", PDF, filename="not-an-image.png")
        async with session.post(url, data=form) as resp:
            assert resp.status == 400
    status, body = await send_by_hand(
        max_sandbox, {"type": "file", "payload": {"token": "made-up"}}
    )
    assert (status, body["code"]) == (400, "proto.payload")
    max_sandbox.sandbox.max.upload_delay = 0
    first = await upload_by_hand(max_sandbox, "file", "a.pdf", PDF)
    second = await upload_by_hand(max_sandbox, "file", "b.pdf", PDF)
    headers = {"Authorization": max_sandbox.max_token}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            max_sandbox.max_url + "/messages",
            params={"user_id": str(MAX_USER_ID)},
            json={
                "text": "два файла",
                "attachments": [
                    {"type": "file", "payload": {"token": first["token"]}},
                    {"type": "file", "payload": {"token": second["token"]}},
                ],
            },
            headers=headers,
        ) as resp,
    ):
        assert resp.status == 400
        assert "only one file" in (await resp.json())["message"]


async def test_a_file_from_the_bot_shows_in_the_control_api(
    max_sandbox: SandboxHandle, tmp_path: Path
):
    path = tmp_path / "Акт сверки.pdf"
    path.write_bytes(PDF)
    bot = max_bot_for(max_sandbox, after_input_media_delay=0.01)
    try:
        media = InputMedia(str(path), type=UploadType.FILE)
        sent = await bot.send_message(user_id=MAX_USER_ID, text="Акт", attachments=[media])
        assert sent is not None
    finally:
        await bot.close_session()
    [shown] = await max_sandbox.control.messages(MAX_USER_ID, channel="max")
    assert shown["text"] == "Акт"
    [media_shown] = shown["media"]
    assert media_shown["kind"] == "file"
    assert media_shown["filename"] == "Акт сверки.pdf"
    assert media_shown["size"] == len(PDF)
    assert media_shown["mime_type"] == "application/pdf"


async def test_photos_and_documents_a_user_sends_reach_the_bot_and_download(
    max_sandbox: SandboxHandle, max_bot: Bot, tmp_path: Path
):
    photo = tmp_path / "screen.png"
    photo.write_bytes(png(5, 4))
    document = tmp_path / "Выгрузка.pdf"
    document.write_bytes(PDF)
    control = max_sandbox.control
    await control.send(MAX_USER_ID, MAX_USER_ID, "ошибка на экране", file=photo, channel="max")
    await control.send(MAX_USER_ID, MAX_USER_ID, file=document, channel="max")
    updates = (await max_bot.get_updates(timeout=0))["updates"]
    first, second = (u["message"]["body"] for u in updates)
    assert first["text"] == "ошибка на экране"
    [image] = first["attachments"]
    assert image["type"] == "image"
    assert isinstance(image["payload"]["photo_id"], int)
    assert await max_bot.download_bytes(image["payload"]["url"]) == png(5, 4)
    assert second["text"] is None
    [file] = second["attachments"]
    assert (file["type"], file["filename"], file["size"]) == ("file", "Выгрузка.pdf", len(PDF))
    downloaded = await max_bot.download_bytes_io(file["payload"]["url"])
    assert downloaded.read() == PDF
    assert downloaded.name == "Выгрузка.pdf"
    # the bot may pass a user's file on by its token
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID,
        text="переслано",
        attachments=[
            AttachmentUpload(
                type=UploadType.IMAGE, payload=AttachmentPayload(token=image["payload"]["token"])
            )
        ],
    )
    assert sent is not None


async def test_an_image_by_url_is_refused_offline(max_sandbox: SandboxHandle):
    status, body = await send_by_hand(
        max_sandbox, {"type": "image", "payload": {"url": "https://example.com/a.png"}}
    )
    assert (status, body["code"]) == (400, "proto.payload")


async def test_a_missing_file_is_404(max_sandbox: SandboxHandle, max_bot: Bot):
    with pytest.raises(DownloadFileError):
        await max_bot.download_bytes(max_sandbox.max_url + "/files/nothing")
    with pytest.raises(MaxApiError):
        await max_bot.get_message("mid.nothing")
